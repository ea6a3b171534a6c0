"""Atomic file writes: a crash never leaves half a file behind."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it over `path`, on error remove it. An OSError
    (permission denied, disk full, a folder in the way) names `path`, the file the user named, never the
    temporary file."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; name a file", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(path.parent, path.name)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileExistsError as exc:  # a file where a folder of the path should be
        raise NotADirectoryError(errno.ENOTDIR, f"is a file, not a folder: {path.name} cannot be written in it",
                                 exc.filename) from exc
    except OSError as exc:
        raise _naming(exc, path) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(_new_file_mode())  # mkstemp makes it private; the file is an output like any other
        os.replace(tmp_path, path)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        if exc.filename not in (None, tmp, str(tmp_path)):
            raise  # about another file (an input read inside the block): its own name is the right one
        raise _naming(exc, path) from exc
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """`exc` again, naming `path` (a write error such as a full disk names no file at all)."""
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


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


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)  # Windows device names
NAME_BYTES = 120  # room left for the suffixes (.records.csv) in a file system's 255 bytes


def safe_name(text: str, default: str = "consultation") -> str:
    """`text` made into one file name that stays in its folder on every system: no separators, no control or
    reserved characters (each run becomes a '-'), no leading dot or dash, not a device name, at most NAME_BYTES
    bytes of UTF-8; `default` when nothing is left."""
    name = _UNSAFE.sub("-", unicodedata.normalize("NFKC", str(text))).strip(".- ")
    name = name.encode("utf-8")[:NAME_BYTES].decode("utf-8", errors="ignore").rstrip(".- ")
    if _RESERVED.match(name):
        name = "_" + name
    return name or default


def inside(folder: Path | str, name: str) -> Path:
    """``folder / name``, refused (ValueError) unless it is a plain file name directly in `folder`."""
    if name in ("", ".", "..") or Path(name).name != name or "\\" in name:
        raise ValueError(f"{name!r} is not a plain file name")
    return Path(folder) / name


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
