"""Atomic file writes: a crash never leaves half a file behind."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it over `path`, on error remove it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path.parent, path.name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(_new_file_mode())  # mkstemp makes it private; the file is an output like any other
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _new_file_mode() -> int:
    """What open() would give a new file: 0o666 less the process umask (read by setting it and putting it back)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


STALE_SECONDS = 3600


def clean_stale(folder: Path | str, name: str | None = None, *, max_age: float = STALE_SECONDS) -> list[Path]:
    """Remove the temporary ``.<name>.*`` files and folders (any ``.*.*`` when `name` is None) that a killed
    process left in `folder` more than `max_age` seconds ago; younger ones may belong to a write in progress."""
    folder = Path(folder)
    removed = []
    for entry in folder.glob(f".{name}.*" if name else ".*.*"):
        try:
            if time.time() - entry.lstat().st_mtime < max_age:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:  # another process cleaned it first
            continue
        removed.append(entry)
    return removed


def write_text(path: Path | str, text: str, *, encoding: str = "utf-8") -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_json(path: Path | str, data) -> Path:
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def write_csv(path: Path | str, frame) -> Path:
    """CSV as UTF-8 with BOM, so that Excel opens Japanese text correctly; text that a spreadsheet would evaluate
    as a formula is escaped (`pipeline.cells`)."""
    from .cells import csv_text

    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(csv_text(frame))
    return Path(path)


def file_sha256(path: Path | str) -> str:
    """SHA-256 of a file, read in blocks (model files and source documents can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
