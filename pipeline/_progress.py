"""A progress bar on stderr for long work (tqdm: done / total, percentage, rate, time left), shown only when stderr
is a terminal: quiet in pipes, CI and tests, where a bar would only fill logs with carriage returns."""
from __future__ import annotations

import sys
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], *, total: int | Callable[[], int | None] | None = None, desc: str = "",
             size=None, unit: str = "", stream=None) -> Iterator[T]:
    """Yield `items`, drawing a bar on a terminal. `size(item)` counts an item as that many units (rows of a
    chunk), default 1. `total` may be a function, called only on a terminal (counting rows costs a pass over the
    file); a total that was an estimate is corrected to the count done when the work ends."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        yield from items
        return
    from tqdm import tqdm

    from .i18n import localize  # the bar's words in the reader's language, like every line on stderr

    total = total() if callable(total) else total
    if total is None and hasattr(items, "__len__") and size is None:
        total = len(items)
    bar = tqdm(total=total, desc=localize(desc), unit=localize(unit) or "it", file=stream, mininterval=0.2,
               dynamic_ncols=True, leave=True)
    try:
        for item in items:
            yield item
            bar.update(size(item) if size else 1)
        if bar.total is not None and bar.n != bar.total:
            bar.total = bar.n  # an estimate (a CSV cell may hold a line break): the bar ends at 100%
            bar.refresh()
    finally:
        bar.close()
