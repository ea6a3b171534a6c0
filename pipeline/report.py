"""Report: scored (or labelled) consultations -> tables, charts, a workbook and a summary page.

Each input is one consultation, named from its file stem (``otaru.scored.csv`` -> ``otaru``). The theme is the
``theme`` column when the file is labelled, else ``pred_theme``; the response type is ``response_type`` else
``pred_response_type``. A row counts ``opinion_count`` opinions when that column exists (a published row may stand
for 「(2件)」), else one. A row without a theme (unscorable text) is counted as 「未分類」, never dropped; a row that
holds no opinion (review_reason 「意見を含まない行」: 特になし, よろしくお願いします) is counted apart as 「意見なし」.

Drift against the training data compares *row* shares (the model sees rows, and a model card only keeps row
counts), over the rows that have a theme. A theme is flagged

* 「増加」 (more) when it has at least ``DRIFT_MIN_ROWS`` rows in the file and its share is at least
  ``DRIFT_RATIO`` times its training share (or it never occurred in training);
* 「減少」 (less) when the training share predicts at least ``DRIFT_MIN_ROWS`` rows in the file and the file's share
  is at most 1 / ``DRIFT_RATIO`` of it.

The minimum keeps one or two comments from raising an alarm on a small consultation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .ingest.tables import ID_COLUMNS, RESPONSE_COLUMNS, TEXT_COLUMNS, find_column, read_table
from .non_opinion import NO_OPINION_REASON

UNSCORED = "(unscored)"
UNSCORED_LABEL = "未分類"
NO_OPINION = "(no opinion)"
NO_OPINION_LABEL = "意見なし"
UNTYPED_LABEL = "未判定"
DRIFT_RATIO = 2.0
DRIFT_MIN_ROWS = 3
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass
class Consultation:
    """One input, standardised: a frame with row, text, theme, response_type, weight, needs_review, score, reason."""

    name: str
    source: str
    frame: pd.DataFrame
    labelled: bool  # themes come from a `theme` column (labels), not from predictions
    has_review: bool  # the input carried a needs_review column
    rounds: frozenset = frozenset()  # the consultation_id values of its rows, when it has that column


def _read(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".jsonl":
        if not path.exists():
            raise InputError(f"{path}: no such file")
        try:
            return pd.read_json(path, lines=True, dtype=False)
        except ValueError as exc:
            raise InputError(f"{path}: not readable JSON lines ({str(exc).splitlines()[0]})") from exc
    return read_table(path)


def consultation_name(path: Path | str) -> str:
    """``reports/otaru.scored.csv`` -> ``otaru``: the stem without the stage suffixes the pipeline adds."""
    name = Path(path).name
    for suffix in (".csv", ".xlsx", ".xlsm", ".jsonl", ".tsv", ".scored", ".labelled", ".records"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or "consultation"


def load_consultations(inputs) -> list[Consultation]:
    """Paths, DataFrames, or a {name: path or DataFrame} mapping -> standardised consultations (names made unique)."""
    items = list(inputs.items()) if isinstance(inputs, dict) else [(None, item) for item in _as_list(inputs)]
    if not items:
        raise InputError("no input to report on; give at least one scored or labelled file")
    out: list[Consultation] = []
    for number, (name, item) in enumerate(items, start=1):
        if isinstance(item, pd.DataFrame):
            name, source, frame = name or f"consultation-{number}", name or f"input {number}", item
        else:
            path = Path(item)
            name, source, frame = name or consultation_name(path), str(path), _read(path)
        taken = {c.name for c in out}
        unique, k = name, 2
        while unique in taken:
            unique, k = f"{name}-{k}", k + 1
        out.append(standardise(frame, unique, source))
    return out


def _as_list(inputs) -> list:
    return [inputs] if isinstance(inputs, (str, Path, pd.DataFrame)) else list(inputs)


def _text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def _filled(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and frame[column].fillna("").astype(str).str.strip().ne("").any()


def standardise(frame: pd.DataFrame, name: str, source: str) -> Consultation:
    """Find the theme / response type / weight / review columns of a scored or labelled table."""
    frame = frame.reset_index(drop=True)
    labelled = _filled(frame, "theme") or ("theme" in frame.columns and "pred_theme" not in frame.columns)
    theme_col = "theme" if labelled else "pred_theme" if "pred_theme" in frame.columns else None
    if theme_col is None:
        raise InputError(f"{source}: no theme column (theme or pred_theme; columns: {', '.join(map(str, frame.columns))}); "
                         "score it first with pubcom score")
    # a labelled column wins when it holds labels; an empty one (a document without categories) does not
    type_col = next((c for c in ("response_type", "pred_response_type") if _filled(frame, c)),
                    "response_type" if "response_type" in frame.columns else None)
    id_col = find_column(frame, None, ID_COLUMNS, what="id", source=source, option="", required=False)
    text_col = find_column(frame, None, TEXT_COLUMNS, what="text", source=source, option="", required=False)
    reply_col = find_column(frame, None, RESPONSE_COLUMNS, what="reply", source=source, option="", required=False)
    theme = _text(frame[theme_col])
    reason = _text(frame["review_reason"]) if "review_reason" in frame.columns else pd.Series("", index=frame.index)
    if "review_code" in frame.columns:  # the stable code; a file scored before it had only the Japanese reason
        none = (";" + _text(frame["review_code"]) + ";").str.contains(";no_opinion;", regex=False)
    else:
        none = reason.str.contains(NO_OPINION_REASON, regex=False)
    empty = theme.where(~none, NO_OPINION)
    out = pd.DataFrame({
        "row": _text(frame[id_col]) if id_col else pd.Series(range(1, len(frame) + 1)).astype(str),
        "text": frame[text_col].fillna("").astype(str) if text_col else "",  # as written: '\t=x' is not '=x'
        "reply": frame[reply_col].fillna("").astype(str) if reply_col else "",
        "theme": theme.where(theme != "", empty.replace("", UNSCORED)),
        "response_type": _text(frame[type_col]) if type_col else "",
        "weight": _weights(frame, source),
        "needs_review": _flags(frame, source),
        "score": pd.to_numeric(frame["pred_theme_score"], errors="coerce") if "pred_theme_score" in frame.columns else np.nan,
        "reason": reason,
        # a response type predicted from the opinion alone (no reply yet) is a guess, never counted as a reply
        "guess": (_text(frame["pred_response_basis"]) == "opinion") if type_col == "pred_response_type"
                 and "pred_response_basis" in frame.columns else False,
        "suggestion": _text(frame["suggested_reply"]) if "suggested_reply" in frame.columns else "",
        "group": _text(frame["group_id"]) if "group_id" in frame.columns else "",  # `pubcom group`: same opinion
    })
    rounds = frozenset(_text(frame["consultation_id"]).unique()) - {""} if "consultation_id" in frame.columns else frozenset()
    return Consultation(name, source, out, labelled, "needs_review" in frame.columns, rounds)


def _weights(frame: pd.DataFrame, source: str) -> pd.Series:
    if "opinion_count" not in frame.columns:
        return pd.Series(1, index=frame.index, dtype=int)
    weights = []
    for i, value in enumerate(frame["opinion_count"]):
        text = str(value).strip() if value is not None and value == value else ""
        number = pd.to_numeric(text or "1", errors="coerce")
        if not (number >= 1 and number == int(number)):  # NaN fails both comparisons
            raise InputError(f"{source}: row {i + 1}: opinion_count {value!r} is not a whole number of at least 1")
        weights.append(int(number))
    return pd.Series(weights, index=frame.index, dtype=int)


def _flags(frame: pd.DataFrame, source: str) -> pd.Series:
    if "needs_review" not in frame.columns:
        return pd.Series(False, index=frame.index)
    flags = []
    for i, value in enumerate(frame["needs_review"]):
        key = str(value).strip().lower() if value is not None and value == value else ""
        if key not in _TRUE | _FALSE:
            raise InputError(f"{source}: row {i + 1}: needs_review {value!r} is not true/false")
        flags.append(key in _TRUE)
    return pd.Series(flags, index=frame.index, dtype=bool)


# ---------------------------------------------------------------- tables
def _labels(taxonomy) -> dict[str, str]:
    labels = dict(taxonomy.theme_labels()) if taxonomy is not None else {}
    labels[UNSCORED], labels[NO_OPINION] = UNSCORED_LABEL, NO_OPINION_LABEL
    return labels


def _theme_order(taxonomy, *frames: pd.DataFrame) -> list[str]:
    """Taxonomy order, then any theme the data has that the taxonomy lacks, then 未分類, then 意見なし when any row
    holds no opinion."""
    order = list(taxonomy.theme_ids) if taxonomy is not None else []
    for frame in frames:
        order += [t for t in pd.unique(frame["theme"]) if t not in order and t not in (UNSCORED, NO_OPINION)]
    none = any((frame["theme"] == NO_OPINION).any() for frame in frames)
    return order + [UNSCORED] + ([NO_OPINION] if none else [])


def theme_distribution(c: Consultation, taxonomy=None) -> pd.DataFrame:
    """theme, label, rows, opinions, share (of all opinions, 未分類 included), review_rows; most opinions first."""
    f = c.frame
    grouped = f.groupby("theme").agg(rows=("weight", "size"), opinions=("weight", "sum"), review_rows=("needs_review", "sum"))
    table = grouped.reindex(_theme_order(taxonomy, f), fill_value=0).astype(int)
    total = int(f["weight"].sum())
    table["share"] = table["opinions"] / total if total else 0.0
    table.insert(0, "label", [_labels(taxonomy).get(t, t) for t in table.index])
    table = table.rename_axis("theme").reset_index()
    # 未分類, then 意見なし, stay at the bottom whatever their size
    table["_last"] = table["theme"].map({UNSCORED: 1, NO_OPINION: 2}).fillna(0)
    table = table.sort_values(["_last", "opinions"], ascending=[True, False], kind="stable").drop(columns="_last")
    from .group_report import with_distinct  # grouped rows: distinct_opinions after opinions

    return with_distinct(table[["theme", "label", "rows", "opinions", "share", "review_rows"]], f).reset_index(drop=True)


def theme_response_table(c: Consultation, taxonomy=None, *, guesses: bool = False) -> pd.DataFrame:
    """Opinions per theme (rows, taxonomy order) and response type (columns, Japanese labels), with a total.
    `guesses`: the rows whose type was predicted from the opinion alone (回答前の予測) instead of every other row,
    so a guess is never added into the counts of real replies."""
    f = c.frame[c.frame["guess"] == guesses]
    f = f.assign(response_type=f["response_type"].replace("", UNTYPED_LABEL))
    type_labels = taxonomy.response_labels() if taxonomy is not None else {}
    columns = list(type_labels) + [t for t in pd.unique(f["response_type"]) if t not in type_labels]
    table = f.pivot_table(index="theme", columns="response_type", values="weight", aggfunc="sum", fill_value=0)
    order = [t for t in _theme_order(taxonomy, f) if t not in (UNSCORED, NO_OPINION) or t in table.index]
    table = table.reindex(index=order, columns=columns, fill_value=0).astype(int)
    if UNTYPED_LABEL in table.columns and not table[UNTYPED_LABEL].any():
        table = table.drop(columns=UNTYPED_LABEL)
    table.columns = [type_labels.get(t, t) for t in table.columns]
    table["total"] = table.sum(axis=1)
    table.insert(0, "label", [_labels(taxonomy).get(t, t) for t in table.index])
    return table.rename_axis("theme").reset_index()


def review_queue(c: Consultation, taxonomy=None) -> pd.DataFrame:
    """The rows flagged needs_review, least confident first: row, theme, label, score, reason, text, and the
    suggested reply when the rows were scored with --suggest-from."""
    f = c.frame[c.frame["needs_review"]].sort_values("score", kind="stable")
    labels = _labels(taxonomy)
    queue = pd.DataFrame({"row": f["row"], "theme": f["theme"], "label": [labels.get(t, t) for t in f["theme"]],
                          "score": f["score"], "reason": f["reason"], "text": f["text"]}).reset_index(drop=True)
    if c.frame["suggestion"].ne("").any():
        queue["suggestion"] = f["suggestion"].to_numpy()
    return queue


def comparison(consultations: list[Consultation], taxonomy=None) -> pd.DataFrame:
    """Themes (taxonomy order) x consultations: opinions and share of each, side by side."""
    order = _theme_order(taxonomy, *(c.frame for c in consultations))
    table = pd.DataFrame({"theme": order, "label": [_labels(taxonomy).get(t, t) for t in order]})
    for c in consultations:
        dist = theme_distribution(c, taxonomy).set_index("theme")
        table[f"{c.name}:opinions"] = dist["opinions"].reindex(order, fill_value=0).to_numpy()
        table[f"{c.name}:share"] = dist["share"].reindex(order, fill_value=0.0).to_numpy()
    return table


def headline(c: Consultation) -> dict:
    from .group_report import group_keys

    f = c.frame
    unscored, none = f["theme"] == UNSCORED, f["theme"] == NO_OPINION
    grouped = {"distinct_opinions": int(group_keys(f).nunique())} if f["group"].ne("").any() else {}
    return {"consultation": c.name, "source": c.source, "themes_from": "labels" if c.labelled else "predictions",
            "rows": int(len(f)), "opinions": int(f["weight"].sum()),
            "unscored_rows": int(unscored.sum()), "unscored_opinions": int(f.loc[unscored, "weight"].sum()),
            "no_opinion_rows": int(none.sum()),
            "review_rows": int(f["needs_review"].sum()) if c.has_review else None,
            "review_share": (float(f["needs_review"].mean()) if len(f) else 0.0) if c.has_review else None,
            **grouped, **({"suggested_rows": int(f["suggestion"].ne("").sum())} if f["suggestion"].ne("").any() else {})}


# ---------------------------------------------------------------- drift
def training_counts(training) -> dict[str, int] | None:
    """Theme row counts of the training data from a labelled frame, a model card, or a {theme: rows} dict."""
    if training is None:
        return None
    if isinstance(training, pd.DataFrame):
        if "theme" not in training.columns:
            raise InputError(f"training data has no theme column (columns: {', '.join(map(str, training.columns))})")
        real = training[training["source"] != "authored"] if "source" in training.columns else training
        themes = _text(real["theme"])
        return {str(k): int(v) for k, v in themes[themes != ""].value_counts().items()}
    if isinstance(training, dict) and "training_data" in training:  # a model card
        training = training["training_data"].get("theme_counts") or {}
    return {str(k): int(v) for k, v in dict(training).items()} or None


def training_rounds(training) -> frozenset:
    """The consultation ids the training data came from (a labelled frame's column, a model card's list)."""
    if isinstance(training, pd.DataFrame) and "consultation_id" in training.columns:
        return frozenset(_text(training["consultation_id"]).unique()) - {""}
    if isinstance(training, dict) and "training_data" in training:
        return frozenset(map(str, training["training_data"].get("consultations") or ()))
    return frozenset()


def drift(c: Consultation, counts: dict[str, int], taxonomy=None) -> pd.DataFrame:
    """Per theme: training rows and share, this file's rows and share, their ratio, its review share, and the flag
    (more / less / blank) by the rule in the module docstring. Shares are over rows that have a theme."""
    f = c.frame[~c.frame["theme"].isin((UNSCORED, NO_OPINION))]
    order = [t for t in _theme_order(taxonomy, f) if t not in (UNSCORED, NO_OPINION)]
    order += [t for t in counts if t not in order]
    train_total, file_total = sum(counts.values()), len(f)
    rows = f["theme"].value_counts().reindex(order, fill_value=0)
    review = f.groupby("theme")["needs_review"].mean().reindex(order) if c.has_review else pd.Series(np.nan, index=order)
    table = pd.DataFrame({"theme": order, "label": [_labels(taxonomy).get(t, t) for t in order],
                          "training_rows": [counts.get(t, 0) for t in order], "rows": rows.to_numpy()})
    table["training_share"] = table["training_rows"] / train_total if train_total else 0.0
    table["share"] = table["rows"] / file_total if file_total else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ratio"] = np.where(table["training_share"] > 0, table["share"] / table["training_share"], np.inf)
    table.loc[(table["training_share"] == 0) & (table["rows"] == 0), "ratio"] = np.nan
    table["review_share"] = review.to_numpy()
    expected = table["training_share"] * file_total
    more = (table["rows"] >= DRIFT_MIN_ROWS) & (table["ratio"] >= DRIFT_RATIO)
    less = (expected >= DRIFT_MIN_ROWS) & (table["ratio"] <= 1 / DRIFT_RATIO)
    table["change"] = np.select([more, less], ["more", "less"], default="")
    return table[["theme", "label", "training_rows", "training_share", "rows", "share", "ratio", "review_share", "change"]]


# ---------------------------------------------------------------- the whole report
@dataclass
class Report:
    """Every table of a report, keyed by consultation name; what the writers and the notebook consume."""

    consultations: list[Consultation]
    headlines: list[dict]
    distributions: dict[str, pd.DataFrame]
    by_response: dict[str, pd.DataFrame]
    guesses: dict[str, pd.DataFrame]  # theme x response type predicted before any reply (only where there are some)
    reviews: dict[str, pd.DataFrame]
    comparison: pd.DataFrame | None
    drift: dict[str, pd.DataFrame]
    training_rows: int | None
    in_training: tuple = ()  # consultations that are themselves training data: no drift against themselves
    groups: dict[str, pd.DataFrame] = field(default_factory=dict)  # grouped inputs: the largest groups


def make_report(inputs, *, taxonomy=None, training=None) -> Report:
    """Read the inputs and compute every table (no files written)."""
    from .group_report import largest_groups

    consultations = load_consultations(inputs)
    counts = training_counts(training)
    trained = training_rounds(training)
    in_training = tuple(c.name for c in consultations if c.rounds and c.rounds <= trained)
    names = [c.name for c in consultations]
    return Report(
        consultations=consultations,
        headlines=[headline(c) for c in consultations],
        distributions=dict(zip(names, (theme_distribution(c, taxonomy) for c in consultations))),
        by_response=dict(zip(names, (theme_response_table(c, taxonomy) for c in consultations))),
        guesses={c.name: theme_response_table(c, taxonomy, guesses=True) for c in consultations if c.frame["guess"].any()},
        reviews=dict(zip(names, (review_queue(c, taxonomy) for c in consultations))),
        comparison=comparison(consultations, taxonomy) if len(consultations) > 1 else None,
        drift={c.name: drift(c, counts, taxonomy) for c in consultations if c.name not in in_training} if counts else {},
        training_rows=sum(counts.values()) if counts else None, in_training=in_training if counts else (),
        groups=largest_groups(consultations, taxonomy),
    )


def build_report(inputs, out_dir: Path | str, *, taxonomy=None, training=None, replace: bool = False) -> dict:
    """Write summary.md, summary.html, report.xlsx and the PNG charts into `out_dir`; returns {what: path}.

    `inputs`: scored or labelled files (CSV / XLSX / JSONL), DataFrames, or a {name: file or DataFrame} mapping.
    `taxonomy`: gives the Japanese labels and the theme order (default: the packaged taxonomy).
    `training`: a labelled frame, a model card or {theme: rows}, for the drift tables (None: no drift section).
    `out_dir`: a report folder is replaced whole, another consultation's only with `replace` (see report_folder).
    """
    from .charts import write_charts
    from .pages import write_html, write_markdown, write_workbook
    from .report_folder import staged
    from .taxonomy import load_taxonomy

    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    report = make_report(inputs, taxonomy=taxonomy, training=training)
    out_dir = Path(out_dir)
    sources = [c.source if c.source.startswith("input ") or not Path(c.source).exists() else str(Path(c.source).resolve())
               for c in report.consultations]
    with staged(out_dir, sources, replace=replace) as folder:
        charts = write_charts(report, folder)
        written = {"summary": write_markdown(report, folder / "summary.md", charts),
                   "summary_html": write_html(report, folder / "summary.html", charts, taxonomy),
                   "workbook": write_workbook(report, folder / "report.xlsx", taxonomy)}
        written.update(charts)
    return {key: out_dir / Path(path).name for key, path in written.items()}
