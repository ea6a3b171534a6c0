"""Recognise a result table's columns by their headings, for every tabular reader.

Offices name the same column many ways (意見の概要, ご意見の要旨, 御意見 ...). A heading is normalised (NFKC, case
folded, spaces and newlines removed) and matched against the keywords below; the longest keyword that fits wins, so
「意見に対する考え方」 is a reply although it contains 「意見」, and 「対応区分」 a category although it contains 「対応」.
"""
from __future__ import annotations

import re
import unicodedata

from ..errors import InputError

ROLES: dict[str, tuple[str, ...]] = {
    "opinion": ("意見の概要", "意見等の概要", "ご意見の要旨", "御意見の要旨", "意見の要旨", "意見内容", "提出された意見",
                "御意見", "ご意見", "意見", "opinion"),
    "response": ("市の考え方", "町の考え方", "村の考え方", "県の考え方", "府省の考え方", "国の考え方", "区の考え方",
                 "都の考え方", "道の考え方", "府の考え方", "意見に対する考え方", "御意見に対する考え方",
                 "ご意見に対する考え方", "考え方", "回答", "対応", "response", "reply"),
    "number": ("no", "no.", "row_no", "番号", "項目番号", "通し番号", "整理番号"),
    "category": ("対応区分", "反映状況", "区分", "反映区分", "反映の有無"),
    "section": ("該当箇所", "該当ページ", "頁", "ページ", "該当頁", "該当項目"),
}
# Latin keywords match only a whole heading: 「no」 inside 「note」 is not a number column, nor is 「response_type」
# a reply. The English ones are the records file's own headings (pubcom ingest reads what it wrote) and an export's.
_WHOLE_ONLY = {"no", "no.", "row_no", "opinion", "response", "reply"}
_MAX_HEADING = 24  # a cell longer than this is text, not a heading
HEADER_SEARCH_ROWS = 20


def normalise_heading(text: object) -> str:
    value = unicodedata.normalize("NFKC", "" if text is None else str(text)).casefold()
    return re.sub(r"\s+", "", value)


def match_role(heading: object) -> tuple[str, int] | None:
    """(role, length of the keyword that matched) for one heading, or None."""
    norm = normalise_heading(heading)
    if not norm or len(norm) > _MAX_HEADING:
        return None
    best: tuple[str, int] | None = None
    for role, keywords in ROLES.items():
        for keyword in keywords:
            fits = norm == keyword if keyword in _WHOLE_ONLY else keyword in norm
            if fits and (best is None or len(keyword) > best[1]):
                best = (role, len(keyword))
    return best


def head_role(heading: object) -> str | None:
    """The role of a heading by its head word: of the keywords in it, the one that ends last (a Japanese heading
    puts its head last: 意見番号 is a number, ご意見の内容 an opinion, 対応区分 a category); the longer on a tie."""
    norm = normalise_heading(heading)
    if not norm or len(norm) > _MAX_HEADING:
        return None
    best: tuple[int, int, str] | None = None  # (end, length, role)
    for role, keywords in ROLES.items():
        for keyword in keywords:
            fits = norm == keyword if keyword in _WHOLE_ONLY else keyword in norm
            found = (norm.rfind(keyword) + len(keyword), len(keyword), role) if fits else None
            if found and (best is None or found[:2] > best[:2]):
                best = found
    return best[2] if best else None


def is_header_row(cells: list[str], text_column: str | None = None, *, repeated: bool = False) -> bool:
    """A header names an opinion column and at least one other known column, each in its own cell.

    With ``text_column`` given, the row holding that heading is the header whatever else it holds. ``repeated``:
    the row comes after the table's header (a header printed again on a later page), so each heading must be
    mostly its keyword: a short opinion that merely contains 意見 beside a reply containing 対応 is a row of data.
    """
    if text_column and normalise_heading(text_column) in {normalise_heading(c) for c in cells}:
        return True
    matches = [(m, normalise_heading(c)) for c in cells if (m := match_role(c))]
    roles = {role for (role, length), heading in matches if not repeated or 2 * length >= len(heading)}
    return "opinion" in roles and len(roles) >= 2


def find_header_row(grid: list[list[str]], text_column: str | None = None, limit: int = HEADER_SEARCH_ROWS) -> int | None:
    for index, row in enumerate(grid[:limit]):
        if is_header_row(row, text_column):
            return index
    return None


def map_columns(headings: list[str], *, source: str, text_column: str | None = None,
                response_column: str | None = None) -> dict[str, int]:
    """role -> column index; the most specific heading wins a role, ties go to the leftmost column.

    ``text_column`` / ``response_column`` name a heading (as printed) that overrides the recognised one.
    """
    chosen: dict[str, tuple[int, int]] = {}
    for index, heading in enumerate(headings):
        match = match_role(heading)
        if match and (match[0] not in chosen or match[1] > chosen[match[0]][1]):
            chosen[match[0]] = (index, match[1])
    columns = {role: index for role, (index, _) in chosen.items()}
    for role, wanted in (("opinion", text_column), ("response", response_column)):
        if wanted:
            columns[role] = _named(headings, wanted, source, role)
    if "opinion" not in columns:
        raise InputError(f"{source}: no opinion column among headings {listing(headings)}; pass --text-column")
    if columns.get("response") == columns["opinion"]:
        del columns["response"]
    return columns


def _named(headings: list[str], wanted: str, source: str, role: str) -> int:
    target = normalise_heading(wanted)
    for index, heading in enumerate(headings):
        if normalise_heading(heading) == target:
            return index
    option = "--text-column" if role == "opinion" else "--response-column"
    raise InputError(f"{source}: {option} {wanted!r} is not among headings {listing(headings)}")


def listing(headings: list[str]) -> str:
    """Headings as an error message shows them: [a, b, c], blanks left out, line breaks as spaces."""
    return "[" + ", ".join(str(h).replace("\n", " ").strip() for h in headings if str(h).strip()) + "]"
