"""Long unbroken runs (issue #13) are cut before MeCab, whose cost grows with a run's length: what the cutting
does, not how fast it is (benchmarks measure that)."""
from __future__ import annotations

import re

import pytest

from pipeline.pieces import _MAX_CHUNK, _MAX_RUN, _split_long
from pipeline.tokenizer import JapaneseTokenizer

_RUN = re.compile(r"[^\s、。，．,.!?！？・「」『』（）()【】\[\]]+")


@pytest.mark.parametrize("text", [
    "a" * 5000, "ア" * (_MAX_RUN * 3 + 7), "漢字" * 400, "あいう" * 300 + "。" + "x" * 1000,
    ("ひらがな" * 40 + "カタカナ" * 40) * 5, "1" * (_MAX_CHUNK + 5), "短い文です。" * 5000,
])
def test_pieces_rebuild_the_text_and_hold_no_long_run(text):
    pieces = _split_long(text)
    assert "".join(pieces) == text
    assert all(len(piece) <= _MAX_CHUNK for piece in pieces)
    assert max(len(run) for piece in pieces for run in _RUN.findall(piece) or [""]) <= _MAX_RUN


def test_a_run_is_cut_where_the_character_class_changes():
    text = "あ" * (_MAX_RUN - 10) + "カ" * (_MAX_RUN - 10)
    assert _split_long(text) == ["あ" * (_MAX_RUN - 10), "カ" * (_MAX_RUN - 10)]


@pytest.mark.parametrize("text", ["マイナンバーカードの手続をオンラインでできるようにしてほしい。" * 50,
                                  "窓口" * (_MAX_RUN // 2), "。".join(["デジタル化" * 30] * 20)])
def test_text_without_a_long_run_is_one_piece_or_cut_only_at_sentences(text):
    pieces = _split_long(text)
    assert pieces == [text] or all(piece.endswith("。") for piece in pieces[:-1])


def test_a_long_run_tokenizes_as_its_pieces_do():
    tokenizer = JapaneseTokenizer(cache_size=0)
    text = "ア" * (_MAX_RUN * 2 + 30) + "の申請"
    assert tokenizer(text) == [token for piece in _split_long(text) for token in tokenizer(piece)]
    assert len(_split_long(text)) == 3


def test_the_hostile_benchmark_runs_and_every_bomb_is_refused(model_dir):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "hostile.py"
    done = subprocess.run([sys.executable, str(script), "--chars", "3000", "--bomb-mb", "2", "--page-mb", "21",
                           "--model", str(model_dir)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split(" | ") for line in done.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    codes = {row[0].lstrip("| "): row[1] for row in rows[:8]}
    assert [code for name, code in codes.items() if name.startswith("score one line")] == ["0"] * 4
    assert [code for name, code in codes.items() if not name.startswith("score one line")] == ["2"] * 4
