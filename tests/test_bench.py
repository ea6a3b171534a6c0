"""Smoke run of the benchmark script: it runs end to end at tiny sizes and its table has every row (the numbers
themselves are never checked: timings belong in the benchmark, not in pass/fail tests)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_writes_a_table_with_every_row(tmp_path):
    out = tmp_path / "results.md"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--repeats", "1",
                           "--sizes", "score=60,memory=60/90,train=80", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    table = out.read_text(encoding="utf-8")
    assert table in done.stdout
    assert "cores" in table and "| measure | rows |" in table
    for row in ("| two busy-loop processes at once (free parallelism now) | 2 |",
                "| bare fugashi surface tokenization (in process) | 60 |",
                "| `pubcom score` --jobs 1, whole process, CSV in/out | 60 |",
                "| `pubcom score` --jobs 2, whole process (CPU: all processes) | 60 |",
                "| peak RSS of `pubcom score` --jobs 1 (max of the timed runs) | 60 |",
                "| peak RSS of `pubcom score` --jobs 1 (1 run) | 90 |",
                "| `pipeline.train.train()` (fit only, in process) | 80 |",
                "| `pipeline.train.train()` (fit only, in process) | 100,000 | - | - | skipped (--quick) |",
                "| one comment, cold: `printf '...' \\| pubcom score - --out -` | 1 |"):
        assert row in table, row


def test_sizes_option_is_checked():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "scores=5"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "--sizes: expected score=N" in done.stderr
