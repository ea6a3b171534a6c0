"""How large a published document may be, checked before any parser reads it: a zip member (XLSX, DOCX) by its
uncompressed size and compression ratio, a web page by its size. A result table is a few hundred rows, a few MB at
most; a file far beyond these bounds is a bomb (a small file that unpacks to gigabytes) or not a result table, and
is refused in one line instead of filling the memory.

Python's zipfile never unpacks a member beyond the size its header declares (a lying header ends in a CRC error),
so checking the declared sizes bounds what the parsers can be handed.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import InputError

MiB = 1 << 20
# One zip member unpacked (a worksheet, document.xml, shared strings), and all members together. The document
# readers load a workbook whole (merged cells need it): a 100 MB worksheet of small cells took 1.6 GiB, so 64 MB
# stays near 1 GiB. Plain tables are read streaming (pandas, openpyxl read-only: 100 MB took 0.8 GiB), and hold
# scored output, which is larger per row: they may have twice as much.
MAX_MEMBER_BYTES = 64 * MiB
MAX_ARCHIVE_BYTES = 96 * MiB
STREAMED = 2  # the factor for tables read streaming
MAX_RATIO = 100  # unpacked / packed, for members over RATIO_FLOOR (tiny members compress far better)
RATIO_FLOOR = 1 * MiB
MAX_HTML_BYTES = 20 * MiB


def check_archive(path: Path | str, what: str, *, streamed: bool = False) -> None:
    """Refuse a zip-based document (`what`: 'XLSX workbook', 'Word document') whose members unpack beyond the
    bounds above (`streamed`: read as a plain table, with STREAMED times the room); a file that is not a zip is
    left to the reader, which says so."""
    factor = STREAMED if streamed else 1
    member_limit, archive_limit = MAX_MEMBER_BYTES * factor, MAX_ARCHIVE_BYTES * factor
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > member_limit or (member.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise InputError(f"{path}: refused: {member.filename} in this {what} unpacks to "
                             f"{member.file_size / MiB:,.0f} MB ({ratio:,.0f}× its packed size); the limits are "
                             f"{member_limit // MiB} MB and {MAX_RATIO}× (pipeline/ingest/limits.py)")
    if total > archive_limit:
        raise InputError(f"{path}: refused: this {what} unpacks to {total / MiB:,.0f} MB in all; the limit is "
                         f"{archive_limit // MiB} MB (pipeline/ingest/limits.py)")


def check_size(path: Path | str, limit: int, what: str) -> None:
    """Refuse a file larger than `limit` bytes before it is read."""
    size = Path(path).stat().st_size
    if size > limit:
        raise InputError(f"{path}: refused: {size / MiB:,.0f} MB is beyond the {limit // MiB} MB a {what} may have "
                         "(pipeline/ingest/limits.py)")
