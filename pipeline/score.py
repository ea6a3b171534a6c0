"""Scoring: a model + rows -> the predictions contract.

Every input column and row comes out, in order, plus: pred_theme, pred_theme_label (the taxonomy's label_ja),
pred_theme_score, pred_theme_2, pred_theme_2_score, pred_response_type, pred_response_type_label,
pred_response_type_score, pred_response_basis (reply | opinion), needs_review, review_code (stable codes for
programs, `;`-separated: REVIEW_CODES), review_reason (the same in Japanese, for people), evidence. An empty or
unusable row is kept and flagged, never dropped.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .calibrate import unsure
from .evidence_words import as_written
from .ingest.tables import ID_COLUMNS, RESPONSE_COLUMNS, TEXT_COLUMNS, find_column, read_table
from .non_opinion import NO_OPINION_REASON, is_non_opinion
from .normalize import normalize

PRED_COLUMNS = ["pred_theme", "pred_theme_label", "pred_theme_score", "pred_theme_2", "pred_theme_2_score",
                "pred_response_type", "pred_response_type_label", "pred_response_type_score", "pred_response_basis",
                "needs_review", "review_code", "review_reason", "evidence"]
# review_code -> the Japanese reason staff read (review_reason)
REVIEW_CODES = {"empty_text": "本文が空", "not_japanese": "日本語の本文ではない", "too_short": "短すぎて判定できない",
                "low_confidence": "確信度が低い", "close_call": "上位2テーマが僅差", "no_opinion": NO_OPINION_REASON}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_MIN_CHARS = 4


def _as_frame(data, text_column):
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True), text_column
    if isinstance(data, str):
        data = [data]
    return pd.DataFrame({"text": list(data)}), "text"


def _unusable(text: str) -> str:
    if not text:
        return "empty_text"
    if not _JAPANESE.search(text):
        return "not_japanese"
    if len(text) < _MIN_CHARS:
        return "too_short"
    return ""


def score_frame(model, data, *, text_column: str | None = None, response_column: str | None = None,
                evidence_words: int = 5, redact: bool = False, id_column: str | None = None,
                suggest_from=None, group: bool = False) -> pd.DataFrame:
    """Predictions for texts (a str, a list of str) or a DataFrame, as a new DataFrame (input columns first).
    `suggest_from`: a fitted `pipeline.suggest.ReplySuggester`; its SUGGEST_COLUMNS come last.
    `group`: the caller adds the group columns next (`pubcom score --group`), so the input's own are kept too.
    `redact`: personal data in every text column but `id_column` is masked first (`pipeline.redact`), so the result
    holds none; what was masked is counted in the result's ``attrs["masked"]``."""
    frame, text_column = _as_frame(data, text_column)
    masked = None
    if redact:
        from .redact import redact_frame, text_columns

        frame, masked = redact_frame(frame, [c for c in text_columns(frame) if c != id_column])
    frame, text_column, response_column = keep_input_columns(frame, text_column, response_column, group=group)
    source = "input"
    text_col = find_column(frame, text_column, TEXT_COLUMNS, what="opinion text", source=source, option="--text-column")
    resp_col = find_column(frame, response_column, RESPONSE_COLUMNS, what="reply", source=source,
                           option="--response-column", required=bool(response_column))
    originals = frame[text_col].tolist()
    texts = [normalize(t) for t in originals]
    replies = [normalize(t) for t in _replies(frame, resp_col)] if resp_col else [""] * len(frame)
    out = frame.copy()
    opinion = _Opinions(texts, originals)
    preds = _predict_themes(model, opinion, evidence_words)
    preds.update(_predict_responses(model, opinion, replies))
    for column in PRED_COLUMNS:
        if column in preds:
            out[column] = preds[column]
    themes, types = _label_maps(model)
    out["needs_review"], out["review_code"], out["review_reason"] = _review(model, opinion, preds, (themes, types))
    out["pred_theme_label"] = [themes.get(t, t) for t in preds["pred_theme"]]
    out["pred_response_type_label"] = [types.get(t, t) for t in preds["pred_response_type"]]
    out = out[list(frame.columns) + [c for c in PRED_COLUMNS if c in out.columns]]
    if suggest_from is not None:
        out = pd.concat([out, _suggest(suggest_from, opinion, preds["pred_theme"])], axis=1)
    if masked is not None:
        out.attrs["masked"] = dict(masked)
    return out


INPUT_PREFIX = "input_"


def keep_input_columns(frame: pd.DataFrame, *named, group: bool = False):
    """`frame` with each column whose name an output column takes (pred_theme, needs_review, evidence...; with
    `group` also group_id, group_size, group_representative) renamed `input_<name>` (again until the name is free),
    so that no input data is overwritten; and `named` (column names given by the caller, or None) followed to their
    new names. Without `group` the group columns pass through: a table from `pubcom group` keeps its groups."""
    from .grouping import GROUP_COLUMNS
    from .suggest import SUGGEST_COLUMNS

    taken = set(PRED_COLUMNS) | set(SUGGEST_COLUMNS) | (set(GROUP_COLUMNS) if group else set())
    clashes = [c for c in frame.columns if c in taken]
    if not clashes:
        return (frame, *named)
    names, renamed = set(frame.columns) | taken, {}
    for column in clashes:
        new = INPUT_PREFIX + column
        while new in names:
            new = INPUT_PREFIX + new
        names.add(new)
        renamed[column] = new
    return (frame.rename(columns=renamed), *(renamed.get(n, n) if n is not None else None for n in named))


def _suggest(suggester, opinion: _Opinions, themes: list) -> pd.DataFrame:
    """The reply suggestions of the usable rows (matched on their predicted theme); blank for the others."""
    from .suggest import SUGGEST_COLUMNS

    rows, n = opinion.usable, len(opinion.texts)
    texts = [opinion.texts[i] for i in rows]
    found = suggester.suggest(texts, themes=[themes[i] for i in rows], tokens=opinion.tokens(suggester, rows) if rows else None)
    found.index = rows
    blanks = {c: "" for c in SUGGEST_COLUMNS if c != "suggested_reply_score"}
    return found.reindex(range(n)).fillna(blanks)


def _replies(frame: pd.DataFrame, column: str) -> list:
    """The reply of each row; in ingested records an empty reply cell answers with the row it shares one with."""
    if column == "response" and {"response_shared_with", "row_no"} <= set(frame.columns):
        from .ingest import resolve_responses

        return resolve_responses(frame).tolist()
    return frame[column].tolist()


class _Opinions:
    """The normalised opinion texts of one score call, and their tokens, computed once for every estimator that
    reads opinions (the theme model and the response-type-from-opinion model). `usable`: the rows read, those with
    a text that holds an opinion; `none`: the rows whose text holds none (特になし, よろしくお願いします), which
    get no theme (`pipeline.non_opinion`)."""

    def __init__(self, texts: list[str], originals=None):
        self.texts, self.originals = texts, originals if originals is not None else texts
        self.none = {i for i, t in enumerate(texts) if t and is_non_opinion(t, normalized=True)}
        self.usable = [i for i, t in enumerate(texts) if t and i not in self.none]
        self._tokens: dict = {}

    def tokens(self, estimator, rows: list[int]):
        """The tokens of the texts at `rows` (usable ones), as `estimator.tokens` gives them."""
        for other, tokens in self._tokens.values():
            if other.shares_tokenizer(estimator):
                break
        else:
            tokens = estimator.tokens([self.texts[i] for i in self.usable])
            self._tokens[id(estimator)] = (estimator, tokens)
        if rows == self.usable:
            return tokens
        position = {row: i for i, row in enumerate(self.usable)}
        at = [position[i] for i in rows]
        return tokens.take(at)


def _top2(proba: np.ndarray, classes) -> tuple[list, list, list, list]:
    order = np.argsort(-proba, axis=1, kind="stable")
    first = order[:, 0]
    second = order[:, 1] if proba.shape[1] > 1 else first
    at = np.arange(len(proba))
    return (classes[first].tolist(), [round(v, 4) for v in proba[at, first].tolist()],
            classes[second].tolist(), [round(v, 4) for v in proba[at, second].tolist()])


def _predict_themes(model, opinion: _Opinions, k) -> dict:
    n = len(opinion.texts)
    cols = {"pred_theme": [""] * n, "pred_theme_score": [np.nan] * n, "pred_theme_2": [""] * n,
            "pred_theme_2_score": [np.nan] * n, "evidence": [""] * n}
    usable = opinion.usable
    if model.theme is None or not usable:
        return cols
    texts = [opinion.texts[i] for i in usable]
    matrix = model.theme.features(texts, opinion.tokens(model.theme, usable))
    top = _top2(model.theme.predict_proba_features(matrix), model.theme.classes_)
    top = (*top[:2], *_second_if_likely(top[2], top[3]))
    evidence = model.theme.evidence_many(matrix, texts, top[0], k=k)
    # in the opinion's own spelling (DX, not the normalised dx): a reader finds each word in the text
    written = []
    for i, words in zip(usable, evidence):
        original = opinion.originals[i]
        same = original == opinion.texts[i]  # most texts: normalising changed nothing
        written.append("、".join(words if same else as_written(words, str(original))))
    for name, values in zip(("pred_theme", "pred_theme_score", "pred_theme_2", "pred_theme_2_score", "evidence"),
                            (*top, written)):
        _place(cols[name], usable, values)
    return cols


def _second_if_likely(themes: list, scores: list) -> tuple[list, list]:
    """The runner-up theme and its score where it is likely enough to be the opinion's second theme
    (config.SECOND_THEME_MIN); blank and NaN where the opinion reads as having one theme."""
    from .config import SECOND_THEME_MIN

    keep = [score >= SECOND_THEME_MIN for score in scores]
    return ([t if k else "" for t, k in zip(themes, keep)], [s if k else np.nan for s, k in zip(scores, keep)])


def _place(column: list, rows: list[int], values: list) -> None:
    if len(rows) == len(column):
        column[:] = values
    else:
        for i, value in zip(rows, values):
            column[i] = value


def _predict_responses(model, opinion: _Opinions, replies) -> dict:
    texts, n = opinion.texts, len(opinion.texts)
    cols = {"pred_response_type": [""] * n, "pred_response_type_score": [np.nan] * n, "pred_response_basis": [""] * n}
    for basis, estimator, source in (("reply", model.response_type, replies),
                                     ("opinion", model.response_type_from_opinion, texts)):
        rows = [i for i in range(n) if source[i] and not cols["pred_response_basis"][i]
                and (replies[i] if basis == "reply" else i not in opinion.none)]
        if estimator is None or not rows:
            continue
        batch = [source[i] for i in rows]
        tokens = opinion.tokens(estimator, rows) if basis == "opinion" else None
        proba = estimator.predict_proba_features(estimator.features(batch, tokens))
        best = np.argmax(proba, axis=1)
        _place(cols["pred_response_type"], rows, estimator.classes_[best].tolist())
        _place(cols["pred_response_type_score"], rows, [round(v, 4) for v in proba[np.arange(len(rows)), best].tolist()])
        _place(cols["pred_response_basis"], rows, [basis] * len(rows))
    return cols


def _label_maps(model) -> tuple[dict, dict]:
    """{id: label_ja} for themes and response types: from the model's card, else (a model saved before the card
    kept them) from the packaged taxonomy when the model was trained on it, else none (the ids are shown)."""
    card = getattr(model, "card", None) or {}
    if "label_ja" in card:
        return card["label_ja"].get("theme", {}), card["label_ja"].get("response_type", {})
    taxonomy = getattr(model, "taxonomy", None)
    if taxonomy is None and card.get("taxonomy", {}).get("id") == "dx-ja":
        from .taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    return (taxonomy.theme_labels(), taxonomy.response_labels()) if taxonomy is not None else ({}, {})


def _review(model, opinion: _Opinions, preds, labels):
    """needs_review, review_code (for programs) and review_reason (the same, in Japanese with the numbers)."""
    flags, codes, reasons = [], [], []
    threshold, margin = model.review_threshold, model.review_margin
    themes = labels[0]
    for i, text in enumerate(opinion.texts):
        unusable = "no_opinion" if i in opinion.none else _unusable(text)
        why = [(unusable, REVIEW_CODES[unusable])] if unusable else []
        top, second = preds["pred_theme_score"][i], preds["pred_theme_2_score"][i]
        if text and top == top:
            if unsure(top, threshold):
                why.append(("low_confidence", f"{REVIEW_CODES['low_confidence']}（{top:.2f} < 基準 {threshold:.2f}）"))
            elif top - second < margin:
                first, other = (themes.get(t, t) for t in (preds["pred_theme"][i], preds["pred_theme_2"][i]))
                why.append(("close_call", f"{REVIEW_CODES['close_call']}（{first} {top:.2f} / {other} {second:.2f}）"))
        flags.append(bool(why))
        codes.append(";".join(code for code, _ in why))
        reasons.append("、".join(reason for _, reason in why))
    return flags, codes, reasons


def read_input(path: str | Path, *, sheet: str | None = None, stdin=None) -> pd.DataFrame:
    """A table to score: '-' (stdin, one comment per line), CSV / TSV / XLSX / text, or a published document."""
    if str(path) == "-":
        return pd.DataFrame({"text": list(stdin_lines(stdin))})
    path = Path(path)
    if path.suffix.lower() in (".pdf", ".docx", ".html", ".htm"):
        from .ingest import read_document

        return read_document(path).records
    return read_table(path, sheet=sheet)


def stdin_lines(stdin=None):
    """The lines of standard input (or of `stdin`), without their line ends. Bytes are read as UTF-8 (a BOM
    skipped) whatever the locale; binary data or another encoding is one clear error, not a traceback later."""
    import io
    import sys

    from .errors import InputError
    from .ingest.encoding import looks_binary

    stream = stdin or sys.stdin
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        if hasattr(raw, "peek") and looks_binary(raw.peek(1 << 16)[: 1 << 16]):
            raise InputError("stdin: looks like binary data, not text")
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline=None)
    try:
        for number, line in enumerate(stream):
            if number == 0:
                _refuse_a_table(line.rstrip("\r\n"))
            yield line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError(f"stdin: not UTF-8 text ({exc.reason} at byte {exc.start} of a block); save it to a file "
                         "instead, whose encoding (CP932 / Shift_JIS, EUC-JP) is detected") from exc
    finally:
        if raw is not None:
            stream.detach()  # closing the wrapper would close standard input itself


def _refuse_a_table(first_line: str) -> None:
    """stdin is one comment per line: a CSV piped in (`cat comments.csv | pubcom score -`) would have its heading
    line scored as an opinion, confidently, and every row's number and reply scored with its text."""
    import re

    from .errors import InputError
    from .ingest.columns import is_header_row, normalise_heading

    cells = [c.strip().strip('"') for c in re.split(r"[,\t]", first_line)]
    plain = {normalise_heading(c) for c in cells} & {"text", "comment", "comments", "id"}
    if len(cells) >= 2 and (is_header_row(cells, repeated=True) or plain):
        raise InputError(f"stdin: the first line is a table's headings ({', '.join(c for c in cells if c)}); stdin "
                         "is read as one comment per line, so save the table to a file and score the file")


def write_output(frame: pd.DataFrame, out: str | Path, *, stdout=None) -> str:
    """Write by extension: .csv (UTF-8 with BOM), .xlsx, .jsonl; '-' writes CSV to stdout. The same writer as the
    streamed `pubcom score`, given one chunk."""
    from .output import open_output

    with open_output(out, stdout=stdout) as write:
        write(frame)
    return str(out)


def id_column(frame: pd.DataFrame, given: str | None) -> str | None:
    return find_column(frame, given, ID_COLUMNS, what="id", source="input", option="--id-column", required=bool(given))
