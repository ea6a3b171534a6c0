"""Excel workbooks (.xlsx): every sheet, or the one named by ``sheet=`` (CLI ``--sheet``).

Offices put a title and the declared totals above the table, merge the cells of section rows across the table and
merge a shared reply down over several rows. A merged range's text is repeated across its first row and left empty
below it, so a section row reads as one text spanning the row and a shared reply as empty reply cells.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import InputError
from ._common import Document, clean_cell
from ._tabular import Grid, read_grids
from .limits import check_archive

FORMAT = "xlsx"
OPTIONS = frozenset({"sheet", "text_column", "response_column"})  # the read() options this reader uses; any other given is an error


def sniff(path: Path, head: str) -> bool:
    return _zip_member_starts(path, "xl/")


def _zip_member_starts(path: Path, prefix: str) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.startswith(prefix) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def read(path: Path, *, consultation_id: str, sheet: str | None = None, **options) -> Document:
    workbook = _open(path)
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            raise InputError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(names)})")
        grids = [_grid(workbook[name]) for name in ([sheet] if sheet else names)]
    finally:
        workbook.close()
    document = read_grids(grids, source=str(path), consultation_id=consultation_id, **options)
    document.meta["sheets"] = [grid.where for grid in grids]
    return document


def _open(path: Path):
    from xml.etree.ElementTree import ParseError  # broken XML inside the zip

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(path, "XLSX workbook")  # before openpyxl unpacks anything
    # Not read_only: read-only worksheets do not expose merged ranges, and published tables rely on them.
    # Result tables are a few hundred rows, so the full model costs little.
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, ParseError) as exc:
        raise InputError(f"{path}: not a readable Excel workbook (damaged, truncated or another format): "
                         f"{type(exc).__name__}") from exc


def _grid(worksheet) -> Grid:
    rows = [[clean_cell(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
    for merged in worksheet.merged_cells.ranges:
        top, left, right = merged.min_row - 1, merged.min_col - 1, merged.max_col
        if top >= len(rows):
            continue
        row = rows[top]
        row.extend([""] * (right - len(row)))
        row[left:right] = [row[left]] * (right - left)
    return Grid(rows=rows, where=f"sheet {worksheet.title!r}")
