"""Writing scored rows: CSV (UTF-8 with BOM), JSONL, XLSX or stdout, one chunk at a time, into a temporary file
renamed into place when complete. Worker processes can hand over a chunk already written out as text
(`Rendered`), so that the process writing the file only appends it."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

from .cells import csv_text, true_flags, write_xlsx
from .errors import InputError

_OUT_SUFFIXES = (".csv", ".xlsx", ".jsonl")


def check_output(out: str | Path) -> None:
    """Refuse an unknown output format before any work is done."""
    if str(out) != "-" and Path(out).suffix.lower() not in _OUT_SUFFIXES:
        raise InputError(f"{out}: unknown output format {Path(out).suffix.lower()!r} (use .csv, .xlsx, .jsonl or -)")


@contextmanager
def open_output(out: str | Path, *, stdout=None):
    """A `write(piece)` function that appends one scored chunk (a DataFrame, or a `Rendered` one); the file appears,
    complete, when the block ends."""
    from ._io import atomic_path

    check_output(out)
    if str(out) == "-":
        yield _text_writer((stdout or sys.stdout).write, "csv")
        return
    out = Path(out)
    suffix = out.suffix.lower()
    with atomic_path(out) as tmp:
        if suffix == ".xlsx":
            frames: list = []
            yield frames.append
            _write_xlsx(frames, tmp)
            return
        # utf-8-sig writes its BOM once, at the start of the stream: the same bytes as one to_csv of everything
        with open(tmp, "w", encoding="utf-8-sig" if suffix == ".csv" else "utf-8", newline="") as handle:
            yield _text_writer(handle.write, text_format(out))


def text_format(out: str | Path) -> str | None:
    """"csv" or "jsonl": how `out` is written as text; None for XLSX (written from the frames at the end)."""
    return {".csv": "csv", ".jsonl": "jsonl"}.get(Path(out).suffix.lower()) if str(out) != "-" else "csv"


class Rendered:
    """A scored piece as output text, made where it was scored (a worker process, so that the parent only writes),
    with the counts the parent reports."""

    def __init__(self, frame, fmt: str):
        if fmt == "csv":  # spreadsheet programs open it: text that would be a formula is escaped (pipeline.cells)
            self.header = csv_text(frame.iloc[:0])
            self.body = csv_text(frame, header=False)
        else:
            self.header, self.body = "", frame.to_json(orient="records", lines=True, force_ascii=False)
        self.rows, self.flagged = len(frame), int(true_flags(frame["needs_review"]).sum()) if "needs_review" in frame else 0
        self.masked = frame.attrs.get("masked", {})

    def __len__(self) -> int:
        return self.rows


def _text_writer(emit, fmt: str):
    first = [True]

    def write(piece):
        piece = piece if isinstance(piece, Rendered) else Rendered(piece, fmt)
        if fmt == "csv":
            emit(piece.header + piece.body if first[0] else piece.body)
        elif piece.rows or first[0]:  # an empty table still gets the one empty line pandas writes for it
            emit(piece.body)
        first[0] = False

    return write


def _write_xlsx(frames: list, path: Path) -> None:
    import pandas as pd

    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    write_xlsx(frame, path)
