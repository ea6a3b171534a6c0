"""The compiled keyword matcher (pipeline._keywords) finds exactly what pyahocorasick finds, and KeywordIndex gives
the same counts and matches with either."""
from __future__ import annotations

import random
import sys

import ahocorasick
import numpy as np
import pytest

from pipeline.linear import KeywordIndex

_keywords = pytest.importorskip("pipeline._keywords", reason="pipeline._keywords is not built here")


def _reference(words: list[str], text: str) -> list[tuple[int, int]]:
    automaton = ahocorasick.Automaton()
    for i, word in enumerate(words):
        automaton.add_word(word, i)
    automaton.make_automaton()
    return sorted(automaton.iter(text)) if words else []


def _ours(words: list[str], text: str) -> list[tuple[int, int]]:
    flat = np.frombuffer(_keywords.Keywords(words).scan(text), dtype=np.int64)
    return sorted(zip(flat[0::2].tolist(), flat[1::2].tolist()))


@pytest.mark.parametrize("alphabet", ["ab", "あいう", "xyz漢字かな", "aあ😀\x00"])  # str kinds 1, 2 and 4
def test_every_match_of_random_keywords_in_random_text(alphabet):
    rng = random.Random(alphabet)
    for _ in range(300):
        words = list(dict.fromkeys("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5)))
                                   for _ in range(rng.randint(0, 12))))
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        assert _ours(words, text) == _reference(words, text), (words, text)


def test_overlapping_and_nested_keywords():
    words = ["マイナンバー", "マイナンバーカード", "ナンバー", "カード", "ド"]
    text = "マイナンバーカードのカード"
    assert _ours(words, text) == _reference(words, text)
    assert {words[i] for _, i in _ours(words, text)} == set(words)


def test_bad_keywords_are_refused():
    with pytest.raises(ValueError, match="non-empty str"):
        _keywords.Keywords(["窓口", ""])
    with pytest.raises(TypeError, match="takes a str"):
        _keywords.Keywords(["窓口"]).scan(b"bytes")


def test_keyword_index_is_the_same_with_pyahocorasick(monkeypatch):
    groups = [("a", ["マイナンバー", "マイナンバーカード"]), ("b", ["窓口", "マイナンバー"]), ("c", ["市", "市役所"])]
    texts = ["マイナンバーカードを市役所の窓口で", "", "関係のない文", "市市市", "窓口\x00マイナンバー"]
    ours = KeywordIndex.from_groups(groups)
    ours.automaton()  # built now, with the extension
    monkeypatch.setitem(sys.modules, "pipeline._keywords", None)  # as on a machine where it was not built
    theirs = KeywordIndex.from_groups(groups)
    assert type(theirs.automaton()).__module__ != type(ours.automaton()).__module__
    assert (ours.counts(texts) != theirs.counts(texts)).nnz == 0
    assert ours.matches_many(texts) == theirs.matches_many(texts)



def test_an_uninitialised_matcher_refuses_to_scan():
    with pytest.raises(RuntimeError, match="not initialised"):
        _keywords.Keywords.__new__(_keywords.Keywords).scan("窓口")
