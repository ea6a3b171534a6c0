"""Grids of cells -> records, for every reader whose document is a table (xlsx, docx, pdf, html, csv).

A reader turns its document into grids (lists of rows of cleaned cell text; a merged cell's text repeated across
the columns it spans, left empty in the rows below it) plus any free text around them. This module finds the header
row, recognises the columns, and sorts every other row into a record, a section row, a repeated header, a blank
row or a note; only records become rows of the output, everything else is listed in meta with its reason.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import InputError
from ._common import Document, build_records, parse_declared, reconcile
from .columns import HEADER_SEARCH_ROWS, find_header_row, is_header_row, listing, map_columns, normalise_heading

_NOTE = re.compile(r"^\s*[*＊※]")
_ROW_NUMBER = re.compile(r"^\s*[(（]?[0-9０-９]+[)）.．]?\s*$")
_LABELLED_NUMBER = re.compile(r"(?P<label>[^0-9０-９\s:：、，,（）()]+)[\s:：]*(?P<num>[0-9０-９,，]+)\s*(?P<unit>件|人|名|団体)")
_PROSE_OPINIONS = re.compile(r"([0-9０-９,，]+)\s*件の(?:ご|御)?意見")
_PROSE_SUBMITTERS = re.compile(r"([0-9０-９,，]+)\s*(人|名)(?:の方)?から")


@dataclass
class Grid:
    """One table as the reader found it; ``where`` names it in messages (「sheet '回答'」, 「table 2」)."""

    rows: list[list[str]]
    where: str


@dataclass
class _State:
    records: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    declared: dict = field(default_factory=dict)
    title: str = ""
    headings: list[str] | None = None


def declared_from_text(text: str, declared: dict) -> None:
    """Totals a document declares in prose or a summary line: 「意見数 62件」「提出者数 15人」「15人から62件の御意見」."""
    for line in (text or "").splitlines():
        for match in _LABELLED_NUMBER.finditer(line):
            parsed = parse_declared(match.group("label"), match.group("num") + match.group("unit"))
            if parsed and parsed[0] not in declared:
                declared[parsed[0]] = parsed[1]
        prose = _PROSE_OPINIONS.search(line)
        if prose and "opinions" not in declared:
            declared["opinions"] = int(unicodedata.normalize("NFKC", prose.group(1)).replace(",", ""))
        people = _PROSE_SUBMITTERS.search(line)
        if people and "submitters" not in declared:
            declared["submitters"] = unicodedata.normalize("NFKC", people.group(1) + people.group(2))


def read_grids(grids: list[Grid], *, source: str, consultation_id: str, text: str = "",
               continue_unnumbered: bool = False, joiner=None, **options) -> Document:
    """All grids of one document -> one Document; ``text`` is free text around the tables (declared totals).

    ``continue_unnumbered``: a row with an empty number cell continues the row above (a PDF cell split by a page
    break); ``joiner(a, b)`` joins such pieces. Options: ``text_column``, ``response_column``.
    """
    state = _State()
    declared_from_text(text, state.declared)
    for grid in grids:
        _read_grid(grid, state, source, continue_unnumbered, joiner, options)
    if state.headings is None:
        # the fullest row near the top is the likeliest header, and the most useful to show
        first = max((row for grid in grids for row in grid.rows[:HEADER_SEARCH_ROWS]),
                    key=lambda row: sum(bool(c) for c in row), default=[])
        raise InputError(f"{source}: no opinion column among headings {listing(first)}; pass --text-column")
    return finish(state.records, source=source, consultation_id=consultation_id, declared=state.declared,
                  skipped=state.skipped, title=state.title, headings=state.headings)


def finish(records: list[dict], *, source: str, consultation_id: str, declared: dict, skipped: list[dict],
           title: str = "", headings: list[str] | None = None) -> Document:
    """Found rows (opinion, response, source_no, ...) -> a Document with its accounting in meta."""
    if not records:
        raise InputError(f"{source}: a header was found but no opinion rows under it")
    frame = build_records(_numbered(records), consultation_id)
    meta = {
        "title": title,
        "headings": headings or [],
        "declared": declared,
        "skipped_rows": skipped,
        "reconciliation": reconcile(frame, declared),
    }
    return Document(records=frame, meta=meta)


def _read_grid(grid: Grid, state: _State, source: str, continue_unnumbered: bool, joiner, options) -> None:
    text_column = options.get("text_column")
    header_at = find_header_row(grid.rows, text_column)
    if header_at is None:
        reason = f"no header row in its first {HEADER_SEARCH_ROWS} rows"
        state.skipped.append({"where": grid.where, "reason": reason, "rows": len(grid.rows)})
        return
    for row in grid.rows[:header_at]:  # the title / summary area above the header
        line = " ".join(cell for cell in dict.fromkeys(row) if cell)
        state.title = state.title or line
        declared_from_text(line, state.declared)
    headings = grid.rows[header_at]
    columns = map_columns(headings, source=f"{source} ({grid.where})", text_column=text_column,
                          response_column=options.get("response_column"))
    state.headings = state.headings or [h for h in headings if h]
    header_key = [normalise_heading(h) for h in headings]
    section = ""
    for offset, row in enumerate(grid.rows[header_at + 1:], start=header_at + 2):
        where = {"where": grid.where, "row": offset}
        kind = _classify(row, columns, header_key, text_column)
        if kind == "record" and continue_unnumbered and state.records and not _cell(row, columns.get("number")) \
                and "number" in columns and state.records[-1]["where"] == grid.where:
            _continue(state.records[-1], row, columns, joiner)
        elif kind == "record":
            state.records.append(_record(row, columns, section, grid.where))
        else:
            text = next((c for c in row if c), "")
            if kind == "section":
                section = text
            state.skipped.append({**where, "reason": kind, "text": text[:80]})


def _classify(row: list[str], columns: dict[str, int], header_key: list[str], text_column) -> str:
    filled = [(i, c) for i, c in enumerate(row) if c]
    if not filled:
        return "blank row"
    numbered = _ROW_NUMBER.match(_cell(row, columns.get("number")))  # a numbered row is an opinion, never a header
    if [normalise_heading(c) for c in row] == header_key or (
            not numbered and is_header_row(row, text_column, repeated=True)):
        return "repeated header"
    texts = {c for _, c in filled}
    if len(texts) == 1 and _NOTE.match(filled[0][1]):
        return "note"
    # a section row spans the table (merged: its text repeated in every cell, the number cell too) or sits
    # alone outside the opinion / reply cells without being a row number
    body = {columns["opinion"], columns.get("response")}
    alone = len(filled) == 1 and filled[0][0] not in body and not _ROW_NUMBER.match(filled[0][1])
    if len(texts) == 1 and (len(filled) > 1 or alone):
        return "section"
    return "record"


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def _record(row: list[str], columns: dict[str, int], section: str, where: str) -> dict:
    return {
        "source_no": _cell(row, columns.get("number")),
        "opinion": _cell(row, columns["opinion"]),
        "response": _cell(row, columns.get("response")),
        "response_category_source": _cell(row, columns.get("category")) or section,
        "section": _cell(row, columns.get("section")),
        "where": where,
    }


def _continue(record: dict, row: list[str], columns: dict[str, int], joiner) -> None:
    join = joiner or (lambda a, b: f"{a}\n{b}" if a and b else a or b)
    for key, role in (("opinion", "opinion"), ("response", "response"), ("section", "section")):
        record[key] = join(record[key], _cell(row, columns.get(role)))
    category = _cell(row, columns.get("category"))
    if category and category != record["response_category_source"]:
        record["response_category_source"] = join(record["response_category_source"], category)


def _numbered(records: list[dict]) -> list[dict]:
    """Keep the document's numbers as row_no when they are distinct integers; else number 1..n (tables restart)."""
    numbers = [unicodedata.normalize("NFKC", r.get("source_no", "")).strip().rstrip(".") for r in records]
    use_document = all(n.isdigit() for n in numbers) and len(set(numbers)) == len(numbers)
    keep_source = not use_document and any(numbers)
    out = []
    for position, (record, number) in enumerate(zip(records, numbers), start=1):
        row = {k: v for k, v in record.items() if k not in ("where", "source_no")}
        if keep_source:
            row["source_no"] = record.get("source_no", "")
        row["row_no"] = int(number) if use_document else position
        out.append(row)
    return out

