"""Ingest: published result documents -> records (one row per opinion) + meta (declared totals, reconciliation).

Each format is a module with ``FORMAT``, ``OPTIONS`` (the read options it uses), ``sniff(path, head) -> bool`` and
``read(path, *, consultation_id, **options) -> Document``. ``read_document`` picks one by ``format=``, by content,
then by extension; a new format slots in by adding its module name to ``_READERS``.
"""
from __future__ import annotations

from importlib import import_module

# format name -> module; order is the order of content sniffing: binary signatures first, then markup, and the
# generic text forms last so that a CSV or web page is never taken for the Otaru-style text form.
_READERS = {
    "pdf": "pipeline.ingest.pdf",
    "xlsx": "pipeline.ingest.xlsx",
    "docx": "pipeline.ingest.docx",
    "html": "pipeline.ingest.html",
    "text": "pipeline.ingest.text",  # before delimited: a .txt in the published tab form is this reader's
    "delimited": "pipeline.ingest.delimited",
}
_BINARY = {"pdf", "xlsx", "docx"}  # sniffed by signature, before every text form
# when no sniffer claims a file (a damaged one, say) its extension names the reader, whose error then says why
_EXTENSIONS = {
    ".txt": "text",
    ".tsv": "delimited",
    ".csv": "delimited",
    ".pdf": "pdf",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}


def formats() -> list[str]:
    return list(_READERS)


# The API lives in .dispatch and ._common (pandas and the readers); it is imported on first use, so that
# `pubcom --help`, which lists the formats above, loads neither.
_API = {
    "Document": "._common", "RECORD_COLUMNS": "._common", "resolve_responses": "._common",
    "read_document": ".dispatch", "read_records": ".dispatch", "write_document": ".dispatch", "ingest": ".dispatch",
    "detect_format": ".dispatch", "consultation_id_from": ".dispatch",
}
__all__ = ["formats", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
