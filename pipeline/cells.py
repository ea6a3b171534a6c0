"""Cells a person may open in a spreadsheet program hold text, never a formula: the one place every CSV and XLSX
writer of the pipeline goes through (scored output, records, the review sheet, report.xlsx).

CSV: the OWASP CSV-injection defence. A cell (or a heading) that starts with ``= + - @``, a tab or a carriage return
is written with a ``'`` in front, so that Excel or LibreOffice shows it as text instead of evaluating it; a cell
that already starts with ``'`` followed by one of those gets one more ``'``, so that reading strips exactly one
(`unescape_frame`, applied by the pipeline's CSV readers) and gives back the text as it was. JSONL output is never
escaped: programs that want the raw text read ``--out x.jsonl``.

XLSX: a string is always a string cell (openpyxl would make ``=...`` a formula); characters XML cannot hold
(control characters other than tab, line feed and carriage return) become U+FFFD, as Excel cannot store them.
"""
from __future__ import annotations

import math
import re
from contextlib import contextmanager

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT = "\ufffd"


def _needs_escape(text: str) -> bool:
    return text.startswith(TRIGGERS) or (text.startswith(_ESCAPE) and text.lstrip(_ESCAPE).startswith(TRIGGERS))


def csv_cell(value):
    """`value` as a CSV cell may safely hold it: text that a spreadsheet would evaluate gets a leading ``'``."""
    return _ESCAPE + value if isinstance(value, str) and _needs_escape(value) else value


def csv_uncell(value):
    """The inverse of `csv_cell`: one leading ``'`` removed where `csv_cell` would have added it."""
    if isinstance(value, str) and value.startswith(_ESCAPE) and value.lstrip(_ESCAPE).startswith(TRIGGERS):
        return value[1:]
    return value


_SEPARATOR = "\x00"


def _text_columns(frame) -> list:
    import pandas as pd

    return [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]


def _first_characters(values) -> set:
    """The first character of each string of a column: in almost every chunk none is one to escape, and the cell
    by cell pass is skipped."""
    try:
        return {v[:1] for v in values}
    except TypeError:  # NaN or numbers among the strings
        return {v[:1] for v in values if isinstance(v, str)}


def _joined(values) -> str:
    """A column's strings in one string: what is found in none of its cells is ruled out at C speed."""
    try:
        return _SEPARATOR.join(values)
    except TypeError:  # NaN or numbers among the strings
        return _SEPARATOR.join(v if isinstance(v, str) else "" for v in values)


def _map_text_columns(frame, function):
    starts = TRIGGERS + (_ESCAPE,)
    changed = {}
    for column in _text_columns(frame):
        values = frame[column]
        if _first_characters(values.tolist()).isdisjoint(starts):
            continue
        hit = values.map(lambda v: isinstance(v, str) and v.startswith(starts))
        if hit.any():
            changed[column] = values.where(~hit, values[hit].map(function))
    names = [function(c) for c in frame.columns]
    if not changed and names == list(frame.columns):
        return frame
    out = frame.assign(**changed) if changed else frame.copy()
    out.columns = names
    return out


def escape_frame(frame):
    """A frame whose text cells and headings are safe to write as CSV (the frame itself when nothing needs it)."""
    return _map_text_columns(frame, csv_cell)


def unescape_frame(frame):
    """A frame read from a CSV with the `escape_frame` marks removed (the frame itself when there are none)."""
    return _map_text_columns(frame, csv_uncell)


def csv_text(frame, *, header: bool = True) -> str:
    """`frame` as CSV text (UTF-8 text, "\\n" line ends): every CSV the pipeline writes is made here, escaped.

    Python's csv module quotes a field for the characters of its line terminator only, so a carriage return inside
    a cell would be written bare, and every reader ends the row there: rows holding one are written with every
    field quoted (a row's bytes never depend on its neighbours, so chunked output stays the same as whole)."""
    import csv

    frame = escape_frame(frame)
    options = dict(index=False, lineterminator="\n")
    carriage = _holds(frame, "\r")
    if not carriage.any():
        return frame.to_csv(header=header, **options)
    parts = [frame.iloc[:0].to_csv(**options)] if header else []
    start = 0
    for end in [*(i for i in range(1, len(frame)) if carriage.iat[i] != carriage.iat[i - 1]), len(frame)]:
        quoting = csv.QUOTE_ALL if carriage.iat[start] else csv.QUOTE_MINIMAL
        parts.append(frame.iloc[start:end].to_csv(header=False, quoting=quoting, **options))
        start = end
    return "".join(parts)


def _holds(frame, text: str):
    """Per row: does any text cell hold `text`."""
    import pandas as pd

    found = pd.Series(False, index=frame.index)
    for column in _text_columns(frame):
        if text in _joined(frame[column].tolist()):
            found |= frame[column].map(lambda v: isinstance(v, str) and text in v).astype(bool)
    return found.reset_index(drop=True).set_axis(frame.index)


def xlsx_value(value):
    """A value openpyxl can write: NaN / NA as an empty cell, numpy scalars as Python ones, text without the
    characters XML cannot hold."""
    if value is None:
        return None
    if isinstance(value, str):
        return _XML_ILLEGAL.sub(REPLACEMENT, value)
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return value


def text_cell(cell):
    """`cell` (just given a value) as text if its value is a string: openpyxl types ``=...`` as a formula."""
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def append_row(sheet, values) -> None:
    """Append `values` to an openpyxl worksheet as one row of plain values: strings stay text."""
    sheet.append([xlsx_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        text_cell(cell)


def write_xlsx(frame, path, *, title: str = "Sheet1") -> None:
    """`frame` as a one-sheet workbook (heading row, then the rows), streamed with openpyxl's write-only mode."""
    with workbook_errors(path):  # a write-only sheet writes its rows to a temporary file as they come
        _write_only(frame, path, title)


def _write_only(frame, path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)

    def row(values):
        return [text_cell(WriteOnlyCell(sheet, value=xlsx_value(v))) for v in values]

    sheet.append(row(map(str, frame.columns)))
    for values in frame.itertuples(index=False, name=None):
        sheet.append(row(values))
    book.save(path)


def save_workbook(book, path) -> None:
    """`book.save(path)`, its failures as `workbook_errors` reports them."""
    with workbook_errors(path):
        book.save(path)


@contextmanager
def workbook_errors(path):
    """A failed write of a workbook (a full disk...) inside the block is one OSError naming `path`, and nothing of
    the half-written streams openpyxl leaves behind is printed after it (they complain again as they are
    collected)."""
    import errno
    import gc
    import sys
    import traceback

    failed, hook = None, sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        yield
    except Exception as exc:  # OSError, or lxml's / zipfile's wrapping of one
        if not isinstance(exc, _write_errors()):
            raise
        failed = getattr(exc, "strerror", None) or str(exc)
        traceback.clear_frames(exc.__traceback__)
    finally:
        gc.collect()
        sys.unraisablehook = hook
    if failed:
        raise OSError(errno.EIO, f"cannot write the workbook ({failed})", str(path))


def _write_errors() -> tuple:
    import zipfile

    errors: tuple = (OSError, zipfile.BadZipFile, zipfile.LargeZipFile)
    try:
        from lxml.etree import SerialisationError

        errors += (SerialisationError,)
    except ImportError:  # openpyxl writes with the standard library without lxml
        pass
    return errors


TRUE_MARKS = frozenset({"true", "1", "1.0", "yes", "y", "t"})


def true_flags(values):
    """A true/false column as booleans, however a file wrote it (True, true, 1, yes; blank is false): the one
    reading that counts, groups and review sheets share."""
    import pandas as pd

    values = pd.Series(values)
    if values.dtype == bool:
        return values
    return values.astype(str).str.strip().str.lower().isin(TRUE_MARKS)
