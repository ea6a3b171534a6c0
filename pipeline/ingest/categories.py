"""The government's own reply category (as written) -> a response type id: adopted / future / kept.

Where it comes from: a category column (対応区分, 反映状況 ...), or a section row / heading over a group of rows
(「Ⅰ．当該意見を踏まえて内容を修正するもの」). The text is kept as written in ``response_category_source``; the
mapped id goes to ``response_type``. Nothing is guessed: a category no rule fits stays unmapped (empty
``response_type``) and is listed, with its count, in ``meta["unmapped_categories"]``.

Mapping, first fit wins:

1. a user file (``category_map=`` / ``--categories FILE``), TOML::

       [response_categories]
       "A" = "adopted"        # matched against the whole category, NFKC-normalised, spaces ignored
       "B" = "future"

2. the built-in rules below, matched anywhere in the category text, in this order:

   ==========================================  =========  =====================================================
   words                                       type       why
   ==========================================  =========  =====================================================
   反映しない / 修正は行わない / 未反映 / 反映なし  kept       a refusal mentions the words of a change; check it first
   既に, 記載済, 盛込済, 案のとおり, 原案どおり     kept       the draft already says it (「既に反映済」 too), or stays
   一部反映, 反映, 修正, 追加, 追記, 変更          adopted    the draft was changed
   参考, 検討, 今後                               future     considered for later, no change now
   その他                                       kept       questions and remarks outside the draft: answered,
                                                            nothing changed or promised (TAXONOMY.md, `kept`)
   ==========================================  =========  =====================================================

Grades (A–D) and bare group numerals (Ⅰ, Ⅱ) carry no words, so they stay unmapped unless the user file names them;
a section row such as 「Ⅰ．当該意見を踏まえて内容を修正するもの」 maps by its own words (修正 -> adopted).
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd

from ..errors import InputError

RESPONSE_TYPES = ("adopted", "future", "kept")

DEFAULT_RULES: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(pattern), type_id)
    for pattern, type_id in (
        (r"(反映|修正|変更|追加|追記)(は|を|等は)?(行わ|し|でき|いたし)(ない|ません)|未反映|反映なし|修正なし", "kept"),
        (r"既に|記載済|盛込済|盛り込み済|案のとおり|案の通り|原案(の)?(とおり|通り|どおり)", "kept"),
        (r"一部反映|反映|修正|追加|追記|変更", "adopted"),
        (r"参考|検討|今後", "future"),
        (r"その他", "kept"),
    )
)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def load_category_map(path: Path | str | None) -> dict[str, str]:
    """Read a user's ``[response_categories]`` table; keys are normalised, values checked against the type ids."""
    if path is None:
        return {}
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the category map ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a TOML file ({exc})") from exc
    table = data.get("response_categories")
    if not isinstance(table, dict):
        raise InputError(f"{path}: no [response_categories] table (expected \"category as written\" = \"adopted\")")
    mapping = {}
    for category, type_id in table.items():
        if type_id not in RESPONSE_TYPES:
            raise InputError(f"{path}: [response_categories] {category!r} = {type_id!r}; expected one of "
                             f"{', '.join(RESPONSE_TYPES)}")
        mapping[_key(category)] = type_id
    return mapping


def map_category(text: str, user_map: dict[str, str] | None = None) -> str | None:
    """A response type id for one category as written, or None when no rule fits."""
    key = _key(text or "")
    if not key:
        return None
    if user_map and key in user_map:
        return user_map[key]
    for pattern, type_id in DEFAULT_RULES:
        if pattern.search(key):
            return type_id
    return None


def apply_categories(records: pd.DataFrame, user_map: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Add ``response_type`` from ``response_category_source`` (with a user map from `load_category_map`); return
    the records and the unmapped categories."""
    sources = records["response_category_source"].fillna("").astype(str) if len(records) else pd.Series(dtype=str)
    types = [map_category(text, user_map) or "" for text in sources]
    records = records.copy()
    records["response_type"] = types
    unmapped = Counter(text for text, type_id in zip(sources, types) if text and not type_id)
    return records, [{"category": text, "rows": count} for text, count in unmapped.most_common()]
