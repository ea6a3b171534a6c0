"""The progress bar: tqdm's bar with total, percentage and rate on a terminal only; a long `pubcom score` shows it."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline._progress import progress
from pipeline.stream import estimate_rows

ROOT = Path(__file__).resolve().parents[1]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_quiet_when_not_a_terminal():
    stream = io.StringIO()
    asked = []
    assert list(progress(range(3), desc="x", stream=stream, total=lambda: asked.append(1) or 3)) == [0, 1, 2]
    assert stream.getvalue() == "" and asked == []  # the total (a pass over the file) is not even counted


def test_bar_on_a_terminal():
    stream = _Terminal()
    assert list(progress([1, 2, 3], desc="scoring", stream=stream)) == [1, 2, 3]
    assert "scoring: 100%" in stream.getvalue() and "3/3" in stream.getvalue()


@pytest.mark.parametrize("total, shown", [(lambda: 5, "3/3"), (None, "3")])
def test_counts_units_of_each_item_and_ends_at_the_count(total, shown):
    stream = _Terminal()
    assert len(list(progress([[1, 2], [3]], desc="rows", size=len, total=total, stream=stream))) == 2
    last = stream.getvalue().rsplit("\r", 1)[-1]
    assert shown in last and ("100%" in last) == (total is not None)  # an overestimated total is corrected


@pytest.mark.parametrize("name, content, expected", [
    ("a.csv", "No,ご意見\n1,あ\n2,い\n", 2), ("b.csv", "No,ご意見\n1,あ\n2,い", 2), ("c.txt", "あ\nい\nう\n", 3),
    ("d.tsv", "No\tご意見\n", 0), ("e.xlsx", None, None)])
def test_estimate_rows(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content or "", encoding="utf-8")
    assert estimate_rows(path) == expected and estimate_rows("-") is None


def test_a_long_score_on_a_terminal_shows_a_bar_with_a_percentage(tmp_path):
    import fcntl
    import pty
    import struct
    import termios

    from pipeline.registry import save_model
    from pipeline.train import train

    save_model(train(), tmp_path / "models")
    rows = "\n".join(f"{i},窓口の手続をオンラインでできるようにしてほしい。その{i}" for i in range(2500))
    (tmp_path / "many.csv").write_text("No,ご意見\n" + rows + "\n", encoding="utf-8")
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    env = {**os.environ, "PUBCOM_HOME": str(tmp_path), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-m", "pipeline", "score", "many.csv", "--out", "many.scored.csv"],
                          cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=secondary, timeout=300)
    os.close(secondary)
    shown = b""
    while True:
        try:
            block = os.read(primary, 1 << 16)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not block:
            break
        shown += block
    os.close(primary)
    assert done.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "100%" in text and "2500/2500" in text and "rows/s" in text
