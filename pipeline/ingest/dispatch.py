"""Reading and writing documents: pick a reader (by --format, by content, then by extension), read, reconcile,
write records CSV + meta JSON. The table of readers is in the package's __init__ (`_READERS`)."""
from __future__ import annotations

import importlib
import re
import unicodedata
from pathlib import Path

import pandas as pd

from .._io import file_sha256, inside, safe_name, write_csv, write_json
from ..errors import InputError
from . import _BINARY, _EXTENSIONS, _READERS
from ._common import Document
from .categories import apply_categories, load_category_map
from .encoding import bom_encoding


def _reader(name: str):
    if name not in _READERS:
        raise InputError(f"unknown format {name!r} (known: {', '.join(_READERS)})")
    return importlib.import_module(_READERS[name])


def consultation_id_from(path: Path) -> str:
    """A default id from the file name: NFKC, lower case, spaces to dashes (`safe_name`)."""
    stem = unicodedata.normalize("NFKC", path.stem).strip().lower()
    stem = re.sub(r"\.(records|scored)$", "", stem)
    return safe_name(stem)


def detect_format(path: Path) -> str:
    with open(path, "rb") as handle:  # the head is enough to sniff; the reader reads the file itself
        raw = handle.read(65536)
    head = raw.decode(bom_encoding(raw) or "utf-8", errors="ignore")  # a UTF-16 page sniffs as the page it is
    by_ext = _EXTENSIONS.get(path.suffix.lower())
    for name in _READERS:
        # a file named .pdf / .xlsx / .docx that no binary sniffer claims is a damaged or mislabelled document:
        # its own reader says so, rather than a text reader making records of whatever text it holds
        if name not in _BINARY and by_ext in _BINARY:
            return by_ext
        if _reader(name).sniff(path, head):
            return name
    if by_ext:
        return by_ext
    raise InputError(f"{path}: cannot tell the document format (known: {', '.join(_READERS)}); pass --format")


def read_document(path: Path | str, *, format: str | None = None, consultation_id: str | None = None,
                  category_map: Path | str | dict | None = None, **options) -> Document:
    """Read one published document into records and meta; raises InputError with a one-line reason.

    Options (``None`` means unset): ``sheet`` (xlsx), ``text_column`` / ``response_column`` (a heading that
    overrides the recognised opinion / reply column), ``category_map`` (a TOML file, or a map already loaded by
    `categories.load_category_map`, extending the mapping of the
    document's own categories to response types, see ``pipeline.ingest.categories``).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; name a document")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    # a bad categories file is reported before a long read, not after
    user_map = category_map if isinstance(category_map, dict) else load_category_map(category_map)
    name = format or detect_format(path)
    # the id names the output files: one safe file name, whatever --id said (../../x is x, a/b is a-b)
    cid = safe_name(consultation_id) if consultation_id else consultation_id_from(path)
    options = {key: value for key, value in options.items() if value is not None}
    reader = _reader(name)
    ignored = sorted(set(options) - reader.OPTIONS)
    if ignored:  # said rather than silently dropped: the user expects it to change what is read
        raise InputError(f"{path}: --{ignored[0].replace('_', '-')} does not apply to the {name} format")
    document = reader.read(path, consultation_id=cid, **options)
    records, unmapped = apply_categories(document.records, user_map)
    document.records = records
    document.meta["unmapped_categories"] = unmapped
    document.meta = {
        "consultation_id": cid,
        "source_file": path.name,
        "source_sha256": file_sha256(path),
        "format": name,
        **document.meta,
    }
    return document


def write_document(document: Document, out_dir: Path | str) -> tuple[Path, Path]:
    """Write ``<id>.records.csv`` (UTF-8 with BOM) and ``<id>.meta.json`` atomically."""
    out_dir = Path(out_dir)
    cid = safe_name(document.consultation_id)  # a Document built by hand may carry any id
    records_path = write_csv(inside(out_dir, f"{cid}.records.csv"), document.records)
    meta_path = write_json(inside(out_dir, f"{cid}.meta.json"), document.meta)
    return records_path, meta_path


def ingest(path: Path | str, out_dir: Path | str, **options) -> tuple[Document, Path, Path]:
    document = read_document(path, **options)
    records_path, meta_path = write_document(document, out_dir)
    return document, records_path, meta_path


def read_records(path: Path | str) -> pd.DataFrame:
    """Read a ``*.records.csv`` written by ``write_document`` back, with its column types."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    from ..cells import unescape_frame

    frame = unescape_frame(pd.read_csv(path, encoding="utf-8-sig", dtype={"opinion": str, "response": str},
                                       keep_default_na=False))
    missing = [c for c in ("consultation_id", "row_no", "opinion") if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: not a records file (missing columns: {', '.join(missing)})")
    if "response_shared_with" in frame.columns:
        frame["response_shared_with"] = pd.to_numeric(frame["response_shared_with"], errors="coerce").astype("Int64")
    return frame
