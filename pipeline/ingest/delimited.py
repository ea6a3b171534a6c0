"""CSV / TSV exports (named ``delimited`` so as not to shadow the standard library's ``csv``).

UTF-8 (with or without BOM), CP932 or EUC-JP, detected by ``encoding.decode``; comma or tab, whichever splits the
header row into more recognised columns. Title rows above the header and quoted multi-line cells are fine.
The tab-separated *text* form with a numbered summary block (Otaru's, a ``.txt``) is left to the ``text`` reader:
this one claims a ``.csv`` file, or a file whose header is its first line or names columns (category,
page) that the text form does not know.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import InputError
from ._common import Document, clean_cell
from ._tabular import Grid, read_grids
from .columns import HEADER_SEARCH_ROWS, find_header_row, match_role
from .encoding import decode, read_bytes

FORMAT = "delimited"
OPTIONS = frozenset({"text_column", "response_column", "delimiter"})  # the read() options this reader uses; any other given is an error
_DELIMITERS = (",", "\t", ";")


def sniff(path: Path, head: str) -> bool:
    if "\x00" in head[:4096]:
        return False
    if path.suffix.lower() in (".csv", ".tsv"):  # the text reader leaves both to this one
        return True
    lines = [line for line in head.splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    for delimiter in _DELIMITERS:
        grid = [next(csv.reader([line], delimiter=delimiter), []) for line in lines]
        at = find_header_row(grid)
        if at is not None and (at == 0 or {"category", "section"} & _roles(grid[at])):
            return True
    return False


def _roles(cells: list[str]) -> set[str]:
    return {match[0] for match in map(match_role, cells) if match}


def read(path: Path, *, consultation_id: str, delimiter: str | None = None, **options) -> Document:
    text, encoding = decode(read_bytes(path), source=str(path))
    delimiter = delimiter or _delimiter(text, options.get("text_column"))
    try:
        rows = [[clean_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError(f"{path}: not readable as {_name(delimiter)}-separated values: {exc}") from exc
    document = read_grids([Grid(rows=rows, where=f"{_name(delimiter)}-separated")], source=str(path),
                          consultation_id=consultation_id, **options)
    document.meta.update({"encoding": encoding, "delimiter": delimiter})
    return document


def _delimiter(text: str, text_column: str | None) -> str:
    """The delimiter under which a header row is recognised; a comma when none is (the error then lists cells)."""
    lines = text.splitlines()[:40]
    for delimiter in _DELIMITERS:
        grid = [next(csv.reader([line], delimiter=delimiter), []) for line in lines]
        if find_header_row(grid, text_column) is not None:
            return delimiter
    return "\t" if text.count("\t") > text.count(",") else ","


def _name(delimiter: str) -> str:
    return {",": "comma", "\t": "tab", ";": "semicolon"}[delimiter] if delimiter in _DELIMITERS else repr(delimiter)
