"""A progress bar on stderr for long work, shown only when stderr is a terminal (quiet in pipes, CI and tests)."""
from __future__ import annotations

import sys
import time
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "", size=None, stream=None) -> Iterator[T]:
    """Yield `items`, drawing `desc done/total pct elapsed` on a terminal; `size(item)` counts an item as that many
    units (rows of a chunk), default 1."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        yield from items
        return
    total = total if total is not None else (len(items) if hasattr(items, "__len__") else None)
    start, last, done = time.monotonic(), 0.0, 0

    def draw() -> None:
        bar = f"{done}/{total} {100 * done // total:3d}%" if total else f"{done}"
        stream.write(f"\r{desc} {bar} {time.monotonic() - start:5.1f}s")
        stream.flush()

    for item in items:
        yield item
        done += size(item) if size else 1
        if time.monotonic() - last > 0.2:  # redraw at most five times a second
            last = time.monotonic()
            draw()
    draw()  # the final count, always
    stream.write("\n")
    stream.flush()
