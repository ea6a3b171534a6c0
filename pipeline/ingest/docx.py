"""Word documents (.docx): every table in the body, in order, and the paragraphs around them (declared totals).

Section rows are one cell merged across the row (「Ⅰ．当該意見を踏まえて内容を修正するもの」); a shared reply is a
cell merged down. Cells are read from the XML rather than ``row.cells``, which repeats a merged-down cell's text in
every row it covers and would hide that the reply is shared.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import InputError
from ._common import Document, clean_cell
from ._tabular import Grid, read_grids
from .limits import check_archive
from .xlsx import _zip_member_starts

FORMAT = "docx"
OPTIONS = frozenset({"text_column", "response_column"})  # the read() options this reader uses; any other given is an error


def sniff(path: Path, head: str) -> bool:
    return _zip_member_starts(path, "word/")


def read(path: Path, *, consultation_id: str, **options) -> Document:
    from docx.table import Table

    body = _open(path)
    grids, paragraphs = [], []
    for block in body.iter_inner_content():
        if isinstance(block, Table):
            grids.append(Grid(rows=_rows(block), where=f"table {len(grids) + 1}"))
        elif block.text.strip():
            paragraphs.append(block.text)
    if not grids:
        raise InputError(f"{path}: the Word document holds no table (expected a table of opinions and replies)")
    document = read_grids(grids, source=str(path), consultation_id=consultation_id, text="\n".join(paragraphs),
                          **options)
    document.meta["tables"] = len(grids)
    if paragraphs and not document.meta["title"]:
        document.meta["title"] = paragraphs[0].strip()
    return document


def _open(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    check_archive(path, "Word document")  # before python-docx unpacks anything
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as exc:  # broken XML inside
        raise InputError(f"{path}: not a readable Word document (.docx; damaged or another format): "
                         f"{type(exc).__name__}") from exc


def _rows(table) -> list[list[str]]:
    from docx.table import _Cell

    rows = []
    for tr in table._tbl.tr_lst:
        row = []
        for tc in tr.tc_lst:
            # a cell merged down from the row above is empty here: the reply is shared, not repeated
            text = "" if tc.vMerge == "continue" else clean_cell(_Cell(tc, table).text)
            row.extend([text] * tc.grid_span)
        rows.append(row)
    return rows
