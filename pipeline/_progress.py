"""A progress bar on stderr for long work, shown only when stderr is a terminal (quiet in pipes, CI and tests)."""
from __future__ import annotations

import sys
import time
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "", stream=None) -> Iterator[T]:
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        yield from items
        return
    total = total if total is not None else (len(items) if hasattr(items, "__len__") else None)
    start, last = time.monotonic(), 0.0
    done = 0
    for item in items:
        yield item
        done += 1
        now = time.monotonic()
        if now - last > 0.2 or done == total:
            last = now
            bar = f"{done}/{total} {100 * done // total:3d}%" if total else f"{done}"
            stream.write(f"\r{desc} {bar} {now - start:5.1f}s")
            stream.flush()
    stream.write("\n")
    stream.flush()
