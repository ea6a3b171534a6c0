"""Web pages (beautifulsoup4, html.parser): result tables in ``<table>``, or the heading/paragraph style.

The heading/paragraph style is a run of blocks, each 「ご意見1」 (or 「【意見】」) followed by the opinion's paragraphs,
then 「市の考え方」 followed by the reply's; an optional 「対応区分：参考」 line gives the category, and a heading
carrying a category's words (「反映するもの」) labels the blocks under it. A page with a table whose header is
recognised is read as a table; otherwise as blocks.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ._common import Document, clean_cell
from ._tabular import Grid, declared_from_text, finish, read_grids
from .categories import map_category
from .columns import find_header_row
from .encoding import read_text
from .limits import MAX_HTML_BYTES, check_size

FORMAT = "html"
OPTIONS = frozenset({"text_column", "response_column"})  # the read() options this reader uses; any other given is an error
_MARKERS = ("<html", "<!doctype html", "<table", "<body")
_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "dt", "dd", "li"]
_BREAK = re.compile(r"<\s*br\s*/?\s*>|<\s*/\s*(p|div|li|dd|dt)\s*>", re.IGNORECASE)
_OPEN = r"^[【〔\[(（<＜]?\s*"
_CLOSE = r"\s*[】〕\])）>＞]?\s*(?:[:：]\s*(?P<rest>.*))?$"
_OPINION_LABEL = re.compile(_OPEN + r"(?:ご|御)?意見(?:等)?(?:の概要|の要旨)?\s*(?:No\.?|番号)?\s*(?P<no>[0-9０-９]+)?"
                            + _CLOSE, re.S)
_REPLY_LABEL = re.compile(_OPEN + r"(?:(?:市|町|村|県|区|都|道|府|国|府省)の考え方(?:等)?|(?:ご|御)?意見に対する考え方|回答)"
                          + _CLOSE, re.S)
_CATEGORY_LABEL = re.compile(_OPEN + r"(?:対応区分|反映状況|反映区分|区分)\s*[:：]\s*(?P<rest>.+)$", re.S)


def sniff(path: Path, head: str) -> bool:
    """A page starts with markup; a text or table that merely mentions <body> or <table> is not one."""
    lowered = head[:4096].lstrip("\ufeff \t\r\n").lower()
    return lowered.startswith("<") and any(marker in lowered for marker in _MARKERS)


def read(path: Path, *, consultation_id: str, **options) -> Document:
    from bs4 import BeautifulSoup

    check_size(path, MAX_HTML_BYTES, "web page")  # the parsed tree takes some 20 times the file's size
    soup = BeautifulSoup(read_text(path), "html.parser")
    for junk in soup(["script", "style", "noscript"]):
        junk.decompose()
    grids = [Grid(rows=_table_rows(table), where=f"table {n}") for n, table in enumerate(soup.find_all("table"), 1)]
    title = clean_cell(soup.title.get_text()) if soup.title else ""
    if grids and any(_has_header(grid) for grid in grids):
        for table in soup.find_all("table"):
            table.decompose()  # what is left is the text around the tables: title, totals
        document = read_grids(grids, source=str(path), consultation_id=consultation_id,
                              text=soup.get_text("\n"), **options)
        document.meta["title"] = document.meta["title"] or title
        document.meta["layout"] = "table"
        return document
    document = _read_blocks(soup, path, consultation_id)
    document.meta["title"] = document.meta["title"] or title
    return document


def _has_header(grid: Grid) -> bool:
    return find_header_row(grid.rows) is not None


def _cell_text(cell) -> str:
    from bs4 import BeautifulSoup

    html = re.sub(r"\s+", " ", cell.decode_contents())  # source line breaks are not the author's
    return clean_cell(BeautifulSoup(_BREAK.sub("\n", html), "html.parser").get_text())


def _table_rows(table) -> list[list[str]]:
    """Rows of one table; colspan repeats a cell's text across, rowspan leaves the rows below empty (shared)."""
    rows: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}  # (row, column) taken by a rowspan from above
    for r, tr in enumerate(tr for tr in table.find_all("tr") if tr.find_parent("table") is table):
        row: list[str] = []
        for td in tr.find_all(["td", "th"], recursive=False):
            while (r, len(row)) in pending:
                row.append(pending.pop((r, len(row))))
            text, span = _cell_text(td), _span(td, "colspan")
            for _ in range(span):
                for below in range(1, _span(td, "rowspan")):
                    pending[(r + below, len(row))] = ""
                row.append(text)
        while (r, len(row)) in pending:
            row.append(pending.pop((r, len(row))))
        rows.append(row)
    return rows


def _span(cell, name: str) -> int:
    value = str(cell.get(name, "1")).strip()
    return max(1, min(int(value), 50)) if value.isdigit() else 1


def _read_blocks(soup, path: Path, consultation_id: str) -> Document:
    records: list[dict] = []
    skipped: list[dict] = []
    before, title, section, field = [], "", "", None
    for n, element in enumerate(soup.find_all(_BLOCKS), start=1):
        if element.find_parent(_BLOCKS) is not None:
            continue  # its text is read with its block
        text = _cell_text(element)
        if not text:
            continue
        opinion, reply, category = (p.match(text) for p in (_OPINION_LABEL, _REPLY_LABEL, _CATEGORY_LABEL))
        if opinion:
            records.append({"source_no": opinion.group("no") or "", "opinion": opinion.group("rest") or "",
                            "response": "", "response_category_source": section, "section": ""})
            field = "opinion"
        elif reply and records:
            records[-1]["response"] = reply.group("rest") or ""
            field = "response"
        elif category and records:
            records[-1]["response_category_source"] = category.group("rest").strip()
        elif element.name[0] == "h" and (map_category(text) or not title):
            if not title:
                title = text
            else:
                section, field = text, None
                skipped.append({"where": f"block {n}", "reason": "section heading", "text": text[:80]})
        elif field and records:
            records[-1][field] = "\n".join(part for part in (records[-1][field], text) if part)
        elif not records:
            before.append(text)
        else:
            skipped.append({"where": f"block {n}", "reason": "text outside an opinion block", "text": text[:80]})
    if not records:
        raise InputError(f"{path}: no table with an opinion column and no 「ご意見」 / 「市の考え方」 blocks found")
    declared: dict = {}
    declared_from_text("\n".join(before), declared)
    document = finish(records, source=str(path), consultation_id=consultation_id, declared=declared,
                      skipped=skipped, title=title)
    document.meta["layout"] = "blocks"
    return document
