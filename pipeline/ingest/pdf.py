"""PDF (pdfplumber): a ruled table running over many pages, its header repeated on each.

The tables of all pages are read as one: each page's repeated header is skipped, a row whose number cell is empty
continues the row above (a cell split by a page break), and lines wrapped inside a cell are joined without a space
between Japanese characters. Running headers and page numbers sit outside the table and are never read as rows;
the text above the first table is the title / summary area (declared totals). Scans (no text layer) are refused:
OCR is out of scope.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ._common import Document, _is_wide, clean_cell
from ._tabular import Grid, read_grids

FORMAT = "pdf"
OPTIONS = frozenset({"text_column", "response_column"})  # the read() options this reader uses; any other given is an error


def sniff(path: Path, head: str) -> bool:
    return head.startswith("%PDF-")


def join_wrapped(first: str, second: str) -> str:
    """Join two pieces of one wrapped line (or of a cell split by a page break, which falls mid-sentence too):
    no space next to a Japanese character, one space between Latin words."""
    first, second = first.rstrip(), second.lstrip()
    if not first or not second:
        return first or second
    glue = "" if _is_wide(first[-1]) or _is_wide(second[0]) else " "
    return first + glue + second


def _unwrap(text: str | None) -> str:
    out = ""
    for line in (text or "").splitlines():
        out = join_wrapped(out, line)
    return clean_cell(out)


def read(path: Path, *, consultation_id: str, **options) -> Document:
    with open(path, "rb") as handle:
        if handle.read(5) != b"%PDF-":
            raise InputError(f"{path}: not a PDF (no %PDF- header; a text or other file named .pdf?)")
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            rows, above, pages_with_text = _read_pages(pdf.pages)
            page_count = len(pdf.pages)
    except PdfminerException as exc:
        raise InputError(f"{path}: not a readable PDF (damaged or encrypted): {exc}") from exc
    if not pages_with_text:
        raise InputError(f"{path}: the PDF has no text layer (a scanned image?); OCR is out of scope, "
                         "ask the office for a text PDF, Word or Excel file")
    if not rows:
        raise InputError(f"{path}: no ruled table found on {page_count} pages (expected a table of opinions and replies)")
    document = read_grids([Grid(rows=rows, where="pages")], source=str(path), consultation_id=consultation_id,
                          text=above, continue_unnumbered=True, joiner=join_wrapped, **options)
    document.meta["pages"] = page_count
    return document


def _read_pages(pages) -> tuple[list[list[str]], str, int]:
    rows: list[list[str]] = []
    above, pages_with_text = "", 0
    for page in pages:
        if not page.chars:
            continue
        pages_with_text += 1
        tables = sorted(page.find_tables(), key=lambda table: table.bbox[1])
        if tables and not rows:
            top = tables[0].bbox[1]
            above = page.crop((0, 0, page.width, top)).extract_text() if top > 0 else ""
        for table in tables:
            rows.extend([_unwrap(cell) for cell in row] for row in table.extract())
    return rows, above, pages_with_text
