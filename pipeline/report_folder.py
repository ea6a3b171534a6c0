"""Where a report is written: each consultation's report in a folder of its own (``reports/<name>/``), replaced as a
whole so that no chart of an earlier run stays behind, and never replacing another consultation's report silently.

A report folder holds ``report.json`` (what it reports on). Writing into a folder that has one:

* the same inputs (the same files, or the same names for in-memory frames): the folder is replaced, whole;
* other inputs: refused, unless `replace` is given (``pubcom report --replace``).

A folder with other files and no ``report.json`` (``reports/`` itself, or the caller's own folder) is not a report
folder: the report's files are written into it beside what is there, and nothing is removed.
"""
from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

MANIFEST = "report.json"


def default_folder(reports_dir: Path, names: list[str]) -> Path:
    """``reports/<name>/`` for one consultation, ``reports/<a>+<b>/`` for a comparison of several."""
    from .charts import slug

    return Path(reports_dir) / slug("+".join(names))[:80]


def previous_sources(folder: Path) -> list[str] | None:
    """The inputs of the report already in `folder`, or None when it holds no report."""
    manifest = Path(folder) / MANIFEST
    if not manifest.is_file():
        return None
    try:
        return list(json.loads(manifest.read_text(encoding="utf-8"))["sources"])
    except (ValueError, KeyError, TypeError):
        return None  # a damaged manifest: the folder is still a report folder, of unknown inputs


def _mode(folder: Path, sources: list[str], replace: bool) -> str:
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return "new"
    if not folder.is_dir():
        raise InputError(f"{folder}: is a file; the report is a folder, pass another --out")
    if not (folder / MANIFEST).exists():
        return "into"
    before = previous_sources(folder)
    if before != sources and not replace:
        what = ", ".join(before) if before else "another input"
        raise InputError(f"{folder} already holds the report of {what}; pass --replace to replace it, "
                         "or --out for another folder")
    return "replace"


@contextmanager
def staged(folder: Path | str, sources: list[str], *, replace: bool = False):
    """Yield the folder to write the report's files into; on success the report is in `folder`, whole.

    A new or replaced report is written under a temporary name beside `folder` and renamed into place, so a
    crash leaves the previous report as it was and no half-written one."""
    folder = Path(folder)
    mode = _mode(folder, sources, replace)
    if mode == "into":
        yield folder
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        yield stage
        (stage / MANIFEST).write_text(json.dumps({"sources": sources}, ensure_ascii=False, indent=1), encoding="utf-8")
        old = folder.parent / f".{folder.name}.old-{os.getpid()}"
        if folder.exists():
            folder.rename(old)
        try:
            stage.rename(folder)
        except BaseException:
            if old.exists() and not folder.exists():  # the previous report goes back where it was
                old.rename(folder)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
