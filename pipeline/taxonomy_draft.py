"""Draft a taxonomy TOML from the labels a consultation already has (`pubcom taxonomy init --from-labels`).

The draft follows the schema in `pipeline.taxonomy`: one [[themes]] entry per label found, ``label_ja`` the label
as written, an empty ``keywords = []``, and the most distinctive lemmas of the label's examples as a TOML
*comment* (suggestions for a person to read and copy; never used for training while they stay a comment).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .ingest.tables import RESPONSE_TYPE_COLUMNS, TEXT_COLUMNS, THEME_COLUMNS, find_column
from .normalize import normalize
from .taxonomy import _ID, DEFAULT_RESPONSE_TYPES, taxonomy_from_dict

SUGGESTED = 8


@dataclass
class Draft:
    text: str  # the TOML
    renamed: dict  # label as written -> id, for labels that are not valid ids


def sanitise_id(label: str, taken: set[str], *, prefix: str = "theme") -> str:
    """A valid id for `label`: itself when valid, else lower-cased ASCII with _ for the rest, else prefix_N."""
    base = re.sub(r"[^a-z0-9]+", "_", normalize(label).lower()).strip("_")
    if base and not base[0].isalpha():
        base = f"{prefix}_{base}"
    if not base:  # a Japanese label has no ASCII to keep: number it
        number = 1
        while f"{prefix}_{number}" in taken:
            number += 1
        return f"{prefix}_{number}"
    ident, number = base, 1
    while ident in taken:
        number += 1
        ident = f"{base}_{number}"
    return ident


def distinctive_lemmas(texts: list[str], labels: list[str], *, k: int = SUGGESTED, tokenizer=None) -> dict:
    """label -> the k lemmas most associated with it (chi-squared over TF-IDF, one label against the rest,
    keeping only lemmas more frequent inside the label than outside)."""
    from sklearn.feature_selection import chi2

    from .features import token_vectorizer
    from .tokenizer import JapaneseTokenizer

    vectorizer = token_vectorizer(tokenizer or JapaneseTokenizer(normalized=True), min_df=2 if len(texts) >= 40 else 1)
    try:
        matrix = vectorizer.fit_transform([normalize(t) for t in texts])
    except ValueError as exc:  # texts of particles and symbols only: no word to suggest, the labels still drafted
        if "empty vocabulary" not in str(exc):
            raise
        return {label: [] for label in labels}
    names = vectorizer.get_feature_names_out()
    labels = np.asarray(labels, dtype=object)
    out = {}
    for label in dict.fromkeys(labels):
        inside = labels == label
        scores, _ = chi2(matrix, inside)
        more_inside = np.asarray(matrix[inside].mean(axis=0)).ravel() > np.asarray(matrix[~inside].mean(axis=0)).ravel()
        scores = np.where(more_inside & np.isfinite(scores), scores, -1.0)
        order = np.argsort(-scores, kind="stable")
        # one-character lemmas (路, 機) are mostly pieces of compounds already listed: a person learns nothing
        words = [str(names[i]) for i in order if scores[i] > 0 and len(names[i]) > 1 and names[i] != "<num>"]
        out[label] = words[:k]
    return out


def draft_taxonomy(frame: pd.DataFrame, *, taxonomy_id: str, text_column: str | None = None,
                   theme_column: str | None = None, source: str = "labels") -> Draft:
    """The TOML text of a taxonomy drafted from a labelled table, and the labels that had to be renamed."""
    text_col = find_column(frame, text_column, TEXT_COLUMNS, what="opinion text", source=source, option="--text-column")
    theme_col = find_column(frame, theme_column, THEME_COLUMNS, what="theme", source=source, option="--theme-column")
    rows = frame[[text_col, theme_col]].fillna("").astype(str)
    rows = rows[(rows[theme_col].str.strip() != "") & (rows[text_col].str.strip() != "")]
    labels = rows[theme_col].str.strip().tolist()
    if len(set(labels)) < 2:
        raise InputError(f"{source}: column {theme_col!r} has {len(set(labels))} distinct label(s); a taxonomy needs two or more")
    suggestions = distinctive_lemmas(rows[text_col].tolist(), labels)
    counts = pd.Series(labels).value_counts()
    taken: set[str] = set()
    renamed: dict = {}
    lines = _header(taxonomy_id, source, len(labels))
    for label in dict.fromkeys(labels):  # in order of first appearance, as the consultation lists them
        ident = label if _ID.match(label) and label not in taken else sanitise_id(label, taken)
        taken.add(ident)
        if ident != label:
            renamed[label] = ident
        lines += _theme_block(ident, label, int(counts[label]), suggestions[label])
    lines += _response_types(frame, source)
    text = "\n".join(lines) + "\n"
    taxonomy_from_dict(_parse(text), path=source)  # the draft must pass the same validation as any taxonomy
    return Draft(text=text, renamed=renamed)


DEFAULT_TYPES_COMMENT = "# 対応区分: 既定の3区分（adopted, future, kept）"


def _header(taxonomy_id: str, source: str, n: int) -> list[str]:
    return [
        # comments for the staff who edit the draft: Japanese, like everything they read
        f"# `pubcom taxonomy init` が {Path(source).name} のラベル付きの意見 {n}件から下書きしました。",
        "# 各 label_ja を確かめ、description を書き、分かる語は keywords に加えてください。「候補」の行はコメントで、",
        "# 各テーマの例に特徴的な語です。keywords に写さない限り学習には使いません。",
        "",
        "[taxonomy]",
        f"id = {_toml(taxonomy_id)}",
        'version = "1"',
        'language = "ja"',
        "",
    ]


def _theme_block(ident: str, label: str, count: int, words: list[str]) -> list[str]:
    block = ["[[themes]]", f"id = {_toml(ident)}"]
    if ident != label:
        block.append(f"# id はラベル {_toml(label)} から作りました（ラベルファイルはラベルのままでも label_ja と照合されます）")
    block += [f"label_ja = {_toml(label)}", f"# ラベル付きの意見 {count}件", 'description = ""', "keywords = []"]
    block.append(f"# 候補（学習には使いません）: {', '.join(_toml(w) for w in words)}" if words else "# 候補: なし")
    return block + [""]


def _response_types(frame: pd.DataFrame, source: str) -> list[str]:
    """Response types are drafted only when the labels use others than the default three."""
    column = find_column(frame, None, RESPONSE_TYPE_COLUMNS, what="response type", source=source, option="", required=False)
    if column is None:
        return []
    used = [v for v in dict.fromkeys(frame[column].fillna("").astype(str).str.strip()) if v]
    defaults = {r["id"] for r in DEFAULT_RESPONSE_TYPES}
    if set(used) <= defaults:
        return [DEFAULT_TYPES_COMMENT]
    lines, taken = [], set()
    for label in used:
        ident = label if _ID.match(label) and label not in taken else sanitise_id(label, taken, prefix="response")
        taken.add(ident)
        lines += ["[[response_types]]", f"id = {_toml(ident)}", f"label_ja = {_toml(label)}", "phrases = []", ""]
    return lines


def _toml(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _parse(text: str) -> dict:
    from .taxonomy import tomllib  # tomli on Python 3.10

    return tomllib.loads(text)
