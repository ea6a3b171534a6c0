"""Training data assembly and model fitting.

A labelled frame has the columns ``consultation_id, row_no, opinion, response, theme, response_type, source``
(``source`` is ``real`` for consultation rows and ``authored`` for the taxonomy's own examples, which train the
model but are never counted as test cases).
"""
from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import config
from .errors import InputError
from .ingest import read_document, resolve_responses
from .ingest.tables import (
    RESPONSE_COLUMNS,
    RESPONSE_TYPE_COLUMNS,
    TEXT_COLUMNS,
    THEME_COLUMNS,
    find_column,
    read_table,
)
from .linear import REVIEW_MARGIN, Scoring, ScoringModel
from .models import TaxonomyClassifier, has_keywords
from .normalize import NORMALIZER_VERSION
from .reply_examples import reply_examples
from .reply_tokenizer import REPLY_TOKENIZER_NAME, REPLY_TOKENIZER_VERSION, ReplyTokenizer
from .targets import ESTIMATORS
from .taxonomy import Taxonomy, load_taxonomy
from .tokenizer import TOKENIZER_NAME, TOKENIZER_VERSION, JapaneseTokenizer

LABELLED_COLUMNS = ["consultation_id", "row_no", "opinion", "response", "theme", "response_type", "source"]
DEFAULT_PARAMS = {
    # keyword columns and taxonomy pseudo-documents weigh little against 600 authored examples: chosen on an
    # independent author's 240 examples (train on the rest) and Otaru LOO, never on the held-out set
    "theme": {"C": 10.0, "keyword_weight": 0.2, "taxonomy_weight": 0.15},
    # the reply model reads constructions in any register (pipeline.reply_tokenizer), its phrases included
    "response_type": {"C": 10.0, "keyword_weight": 2.0, "taxonomy_weight": 0.3, "phrase_form": "tokens"},
    "response_type_from_opinion": {"C": 1.0},
}
# A taxonomy drafted from labels alone (no keywords for the target): each label weighs like an example, not 0.15;
# its parts (保護者負担・費用 -> 保護者負担, 費用) are matched as keywords at 0.3; a linear SVM (C=1) fits.
# Chosen among 37 variants on a real ministry consultation (../shared/realdev; benchmarks/quality_themes.py reports
# unused seeds: 5-fold +0.031 over TF-IDF + LR against +0.015 before, cross-round proxy 0.62 against 0.51) and checked
# on benchmarks/keyword_free.py. A taxonomy with keywords keeps DEFAULT_PARAMS.
KEYWORD_FREE_PARAMS = {"theme": {"taxonomy_weight": 1.0, "classifier": "svm", "C": 1.0, "label_keywords": True,
                                 "keyword_weight": 0.3}}
# ... and the city's reply to each training opinion is one more training text for its theme, at this weight: the
# reply restates the topic in other words (停留所, 通学支援の基準) that a few hundred opinions do not all contain.
# Fitting only: scoring reads the opinion alone.
REPLY_WEIGHT = 0.3
# ... and a labelled second theme (`theme_secondary`) makes the opinion a training text for it at this weight: a
# small topic is often a long opinion's second point (realdev cross-round proxy 0.51 -> 0.56; 0.6 and 1.0 no better).
SECONDARY_WEIGHT = 0.3


@dataclass
class PubcomModel(Scoring):
    """A trained model: theme and response-type estimators, their taxonomy, and the card that describes them."""

    taxonomy: Taxonomy
    theme: TaxonomyClassifier | None
    response_type: TaxonomyClassifier | None
    response_type_from_opinion: TaxonomyClassifier | None
    card: dict = field(default_factory=dict)
    path: Path | None = None

    def for_scoring(self) -> ScoringModel:
        """The same predictions from arrays, without scikit-learn (what a model folder's scorer.joblib holds)."""
        return ScoringModel(*(None if e is None else e.scorer()
                              for e in (self.theme, self.response_type, self.response_type_from_opinion)),
                            card=self.card, path=self.path)


def load_examples(path: Path | str | None = None) -> pd.DataFrame:
    """The authored examples shipped with a taxonomy (``<taxonomy>.examples.csv``); empty when there are none."""
    path = Path(path) if path else config.DEFAULT_EXAMPLES
    if not path.exists():
        return pd.DataFrame(columns=LABELLED_COLUMNS)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.rename(columns={"example_id": "row_no"})
    frame["consultation_id"] = "authored:" + path.stem
    frame["source"] = "authored"
    return frame[[c for c in LABELLED_COLUMNS if c in frame.columns]].copy()


def embedded_labelled() -> pd.DataFrame:
    """The embedded Otaru consultation joined with its labels, as a labelled frame (LABELLED_COLUMNS first)."""
    document = read_document(config.DEFAULT_DOCUMENT)
    return _standard(join_labels(document.records, config.DEFAULT_LABELS))


def join_labels(records: pd.DataFrame, labels_path: Path | str) -> pd.DataFrame:
    """Join ingested records with a labels file on row_no (and consultation_id when the labels carry it)."""
    labels = read_table(labels_path)
    if "row_no" not in labels.columns:
        raise InputError(f"{labels_path}: a labels file needs a row_no column (columns: {', '.join(labels.columns)})")
    labels["row_no"] = pd.to_numeric(labels["row_no"], errors="coerce")
    keys = ["row_no"] + (["consultation_id"] if "consultation_id" in labels.columns else [])
    frame = records.copy()
    frame["row_no"] = pd.to_numeric(frame["row_no"], errors="coerce")
    frame["response"] = resolve_responses(frame)  # a shared reply cell answers each of its rows
    labels = labels.drop(columns=[c for c in ("opinion", "response") if c in labels.columns])
    # the labels file wins over what the document itself carried (e.g. a response_type mapped from its categories)
    frame = frame.drop(columns=[c for c in labels.columns if c in frame.columns and c not in keys])
    merged = frame.merge(labels, on=keys, how="left")
    unmatched = merged["theme"].isna().sum() if "theme" in merged.columns else len(merged)
    if unmatched == len(merged):
        raise InputError(f"{labels_path}: no label row matches the records' row numbers")
    merged["source"] = "real"
    return merged


def read_labelled(inputs=(), *, labels=None, text_column=None, response_column=None, theme_column=None,
                  response_type_column=None, sheet=None) -> pd.DataFrame:
    """Labelled rows from tables (CSV / XLSX / review sheets) or ingested records + `labels`; none: the embedded data."""
    if not inputs:
        return embedded_labelled()
    frames, used = [], []
    for path in map(Path, inputs):
        if labels is not None:
            records = read_document(path).records if not path.name.endswith(".records.csv") else read_table(path)
            frame = join_labels(records, labels)
        else:
            frame = read_table(path, sheet=sheet)
            frame = _reviewed_only(frame, str(path), used)
        # every row keeps the round it came from (its own column, else the file name), for per-round metrics
        stem = path.stem.replace(".records", "").replace(".scored", "")
        if "consultation_id" not in frame.columns:
            frame["consultation_id"] = stem
        frame["consultation_id"] = frame["consultation_id"].fillna("").astype(str).str.strip().replace("", stem)
        source = str(path)
        rename = {
            find_column(frame, text_column, TEXT_COLUMNS, what="opinion text", source=source, option="--text-column"): "opinion",
        }
        for given, cands, target, option in (
            (response_column, RESPONSE_COLUMNS, "response", "--response-column"),
            (theme_column, THEME_COLUMNS, "theme", "--theme-column"),
            (response_type_column, RESPONSE_TYPE_COLUMNS, "response_type", "--response-type-column"),
        ):
            found = find_column(frame, given, cands, what=target, source=source, option=option, required=bool(given))
            if found:
                rename[found] = target
        frame = frame.rename(columns=rename)
        if "theme" not in frame.columns and "response_type" not in frame.columns:
            raise InputError(f"{source}: no label columns (theme / response_type); pass --theme-column or --labels")
        frame["source"] = "real"
        frames.append(frame)
    out = _standard(pd.concat(frames, ignore_index=True))
    out.attrs["review_sheets"] = used  # [(file, rows marked 確認済み, rows in the sheet)], for the CLI to say
    return out


def _reviewed_only(frame: pd.DataFrame, source: str, used: list) -> pd.DataFrame:
    """A review sheet gives only its rows marked 確認済み; a table of predictions with no such column is refused,
    since its labels would be the model's own predictions (see pipeline.review)."""
    from .review import REVIEWED, is_review_sheet, reviewed_rows

    if is_review_sheet(frame):
        frame, total = reviewed_rows(frame, source)
        used.append((source, len(frame), total))
    elif "pred_theme" in frame.columns:
        raise InputError(f"{source}: holds the model's predictions (pred_theme) and no {REVIEWED} column; write a "
                         "review sheet with `pubcom review-sheet`, mark the rows you checked, then train on it")
    return frame


def _standard(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in LABELLED_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    if frame["row_no"].eq("").all():
        frame["row_no"] = range(1, len(frame) + 1)
    for column in ("opinion", "response", "theme", "response_type"):
        frame[column] = frame[column].fillna("").astype(str).str.strip()
    extra = [c for c in frame.columns if c not in LABELLED_COLUMNS]
    return frame[LABELLED_COLUMNS + extra].reset_index(drop=True)


def label_ids(frame: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """The frame with labels written as a taxonomy's label_ja replaced by their ids (the ids pass unchanged).
    A label outside the taxonomy is a TaxonomyError naming its row: every train / evaluate / compare path
    comes through here before any fitting."""
    frame = frame.copy()
    rows = frame["row_no"] if "row_no" in frame.columns else None
    for column, kind in (("theme", "theme"), ("response_type", "response_type"), ("theme_secondary", "theme")):
        if column in frame.columns:
            frame[column] = taxonomy.to_ids(frame[column].fillna("").astype(str).str.strip().tolist(), kind=kind)
            taxonomy.check_labels(frame[column], kind=kind, rows=rows)
    return frame


def estimator_for(key: str, taxonomy: Taxonomy, tokenizer=None, params=None) -> TaxonomyClassifier:
    """The unfitted estimator behind `key` (see ESTIMATORS), with the default model's parameters."""
    target, _, use_taxonomy = ESTIMATORS[key]
    settings = {**DEFAULT_PARAMS, **(params or {})}[key]
    if settings.get("phrase_form") == "tokens":  # phrases looked for in constructions: the reply tokenizer's
        tokenizer = ReplyTokenizer(normalized=True, cache_size=50_000)
    if keyword_free(key, taxonomy) and not (params and key in params):
        settings = {**settings, **KEYWORD_FREE_PARAMS.get(key, {})}
    return TaxonomyClassifier(taxonomy=taxonomy, target=target, tokenizer=tokenizer, use_taxonomy=use_taxonomy,
                              **settings)


def keyword_free(key: str, taxonomy: Taxonomy) -> bool:
    """True when estimator `key` learns from a taxonomy that has no keywords / phrases for its target."""
    target, _, use_taxonomy = ESTIMATORS[key]
    return bool(use_taxonomy and taxonomy is not None and not has_keywords(taxonomy, target))


def training_data(key: str, rows: pd.DataFrame, taxonomy: Taxonomy):
    """(texts, labels, sample weights) that fit estimator `key` from labelled rows: the rows' texts, plus for
    themes under a keyword-free taxonomy each row's non-empty reply at REPLY_WEIGHT and, where a second theme is
    labelled, its opinion for that theme at SECONDARY_WEIGHT; for the reply model, the authored replies in every
    register (`pipeline.reply_examples`)."""
    target, text, _ = ESTIMATORS[key]
    texts, labels = rows[text].tolist(), rows[target].tolist()
    if key == "response_type":
        replies, types = reply_examples(taxonomy)
        return texts + replies, labels + types, None
    if key != "theme" or not keyword_free(key, taxonomy):
        return texts, labels, None
    weights = [1.0] * len(texts)
    for column, label_column, weight in (("response", target, REPLY_WEIGHT),
                                         ("opinion", "theme_secondary", SECONDARY_WEIGHT)):
        if column not in rows or label_column not in rows:
            continue
        extra = rows[(rows[column].fillna("").astype(str).str.strip() != "")
                     & (rows[label_column].fillna("").astype(str).str.strip() != "")
                     & ((label_column == target) | (rows[label_column] != rows[target]))]
        texts, labels = texts + extra[column].tolist(), labels + extra[label_column].tolist()
        weights += [weight] * len(extra)
    return texts, labels, (weights if len(weights) > len(rows) else None)


def fit_estimators(train: pd.DataFrame, taxonomy: Taxonomy, *, tokenizer=None, params=None) -> dict:
    """Fit the three estimators on what the labels have: themes, response types, or both."""
    tokenizer = tokenizer or JapaneseTokenizer(normalized=True, cache_size=50_000)
    fitted = {}
    for key, (target, text, _) in ESTIMATORS.items():
        rows = train[(train[target] != "") & (train[text] != "")]
        # themes: the taxonomy makes every theme learnable; a text-only model needs two labels to tell apart
        enough = len(rows) and (key != "response_type_from_opinion" or rows[target].nunique() >= 2)
        if enough:
            texts, labels, weights = training_data(key, rows, taxonomy)
            fitted[key] = estimator_for(key, taxonomy, tokenizer, params).fit(texts, labels, sample_weight=weights)
        else:
            fitted[key] = None
    return fitted


def train(frame: pd.DataFrame | None = None, *, taxonomy: Taxonomy | str | Path | None = None,
          examples: pd.DataFrame | str | Path | None = None, metrics: dict | None = None) -> PubcomModel:
    """Train a model on labelled rows plus the taxonomy's authored examples; `metrics` (from `evaluate`) go on the card."""
    taxonomy = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    frame = label_ids(embedded_labelled() if frame is None else frame, taxonomy)
    authored = examples if isinstance(examples, pd.DataFrame) else default_examples(taxonomy, examples)
    data = pd.concat([frame, authored], ignore_index=True) if len(authored) else frame
    fitted = fit_estimators(data, taxonomy)
    if all(estimator is None for estimator in fitted.values()):  # such a model would score every row blank
        raise InputError("nothing to learn from: no row has both a text and a theme or response_type label, and the "
                         f"taxonomy {taxonomy.id!r} has no authored examples")
    for key, estimator in fitted.items():  # calibrate with the temperature cross-validation chose
        temperature = (metrics or {}).get(key, {}).get("calibration", {}).get("temperature")
        if estimator is not None and temperature:
            estimator.set_params(temperature=temperature)
    card = model_card(frame, authored, taxonomy, metrics or {})
    return PubcomModel(taxonomy=taxonomy, card=card, **fitted)


def default_examples(taxonomy: Taxonomy, path=None) -> pd.DataFrame:
    """Authored examples beside the taxonomy file (``<name>.examples.csv``), or the file given."""
    if path is None and taxonomy.path:
        path = Path(taxonomy.path).with_suffix("").with_suffix(".examples.csv")
    examples = load_examples(path) if path else pd.DataFrame(columns=LABELLED_COLUMNS)
    if len(examples):
        taxonomy.check_labels(examples["theme"], kind="theme", rows=examples["row_no"])
        taxonomy.check_labels(examples["response_type"], kind="response_type", rows=examples["row_no"])
    return _standard(examples) if len(examples) else examples


def model_card(frame: pd.DataFrame, authored: pd.DataFrame, taxonomy: Taxonomy, metrics: dict) -> dict:
    import hashlib

    import sklearn

    data_hash = hashlib.sha256(frame[LABELLED_COLUMNS].to_csv(index=False).encode("utf-8")).hexdigest()
    review = metrics.get("needs_review", {"threshold": 0.5, "margin": REVIEW_MARGIN, "chosen_by": "default"})
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_data": {
            "sha256": data_hash,
            "rows": int(len(frame)),
            "authored_examples": int(len(authored)),
            "consultations": sorted(frame["consultation_id"].astype(str).unique().tolist()),
            "theme_counts": _counts(frame["theme"]),
            "response_type_counts": _counts(frame["response_type"]),
        },
        "taxonomy": taxonomy.card(),
        "labels": {"theme": taxonomy.theme_ids, "response_type": taxonomy.response_type_ids},
        # the Japanese labels, so that scoring writes them beside the ids without the taxonomy file
        "label_ja": {"theme": taxonomy.theme_labels(), "response_type": taxonomy.response_labels()},
        "tokenizer": {"name": TOKENIZER_NAME, "version": TOKENIZER_VERSION, "normalizer": NORMALIZER_VERSION},
        "reply_tokenizer": {"name": REPLY_TOKENIZER_NAME, "version": REPLY_TOKENIZER_VERSION},
        "versions": _versions(sklearn),
        "random_state": config.RANDOM_STATE,
        "needs_review": review,
        "metrics": {k: v for k, v in metrics.items() if k != "needs_review"},
    }


def _counts(series: pd.Series) -> dict:
    return {str(k): int(v) for k, v in series[series != ""].value_counts().sort_index().items()}


def _versions(sklearn) -> dict:
    from importlib.metadata import version

    from ._version import __version__

    # the dictionary the tokenizer reads (always unidic-lite), not fugashi.Tagger()'s, which prefers full unidic
    tagger = JapaneseTokenizer().tagger
    tagger_info = [{k: v for k, v in d.items() if k != "filename"} for d in tagger.dictionary_info]
    return {
        "pubcom": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "fugashi": version("fugashi"),
        "unidic-lite": version("unidic-lite"),
        "dictionary_info": tagger_info,
    }
