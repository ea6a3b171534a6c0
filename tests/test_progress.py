"""The progress bar shows on a terminal only."""
from __future__ import annotations

import io

from pipeline._progress import progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_quiet_when_not_a_terminal():
    stream = io.StringIO()
    assert list(progress(range(3), desc="x", stream=stream)) == [0, 1, 2]
    assert stream.getvalue() == ""


def test_bar_on_a_terminal():
    stream = _Terminal()
    assert list(progress([1, 2, 3], desc="scoring", stream=stream)) == [1, 2, 3]
    assert "scoring 3/3 100%" in stream.getvalue() and stream.getvalue().endswith("\n")


def test_counts_units_of_each_item():
    stream = _Terminal()
    assert len(list(progress([[1, 2], [3]], desc="rows", size=len, stream=stream))) == 2
    assert "rows 3" in stream.getvalue()
