"""Smoke run of the real-text quality benchmark: it runs end to end on tiny messy sets, skips the real data it is
not given with one line, and its table has every section (the numbers are never checked here)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quality_benchmark_runs_and_skips_absent_realdev(tmp_path):
    messy = tmp_path / "messy"
    messy.mkdir()
    (messy / "replies.csv").write_text("reply,response_type,register\n修正する。,adopted,plain\n"
                                       "今後の参考とします。,future,polite\n原案どおり。,kept,summary\n", encoding="utf-8")
    (messy / "non-opinions.csv").write_text("text,is_opinion\n特になし,0\n窓口を残してほしい,1\n", encoding="utf-8")
    out = tmp_path / "results.md"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "quality.py"), "--quick", "--realdev",
                           str(tmp_path / "absent"), "--messy", str(messy), "--out", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "skipped realdev_replies: ../shared/realdev/ not found" in done.stdout
    table = out.read_text(encoding="utf-8")
    for test in ("| Otaru (real, 40 rows), 5-fold |", "| messy replies (authored test set, 3) |",
                 "| messy non-opinions (authored test set, 1) |", "| Otaru opinions (real, 40), default model |"):
        assert test in table, test
    assert "realdev replies" not in table and "realdev: absent" in table


def test_a_themes_module_adds_its_sections_last(monkeypatch):
    import importlib.util
    import types

    spec = importlib.util.spec_from_file_location("quality_under_test", ROOT / "benchmarks" / "quality.py")
    quality = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "quality_under_test", quality)  # dataclasses look their module up there
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts the checkout first: undone afterwards
    spec.loader.exec_module(quality)
    rows = [("themes", "macro-F1", "0.70", "0.65", "")]
    monkeypatch.setitem(sys.modules, "quality_themes", types.SimpleNamespace(sections=lambda ctx: rows))
    sections = list(quality.all_sections(quality.Context()))
    assert sections[:-1] == quality.SECTIONS and sections[-1](None) == rows
    assert "| themes | macro-F1 | 0.70 | 0.65 |  |" in quality.table(rows)
