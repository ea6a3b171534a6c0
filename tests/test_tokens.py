"""TokenBatch: token arrays -> the counts scikit-learn makes, row subsets, and back to lists."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from pipeline.tokens import TokenBatch, TokenTable

LISTS = [["窓口", "残す", "窓口"], [], ["スマホ", "教室", "スマホ教室", "未知語"], ["残す"]]


def test_lists_round_trip():
    assert TokenBatch.from_lists(LISTS).lists() == LISTS


def test_counts_are_count_vectorizers():
    vectorizer = CountVectorizer(analyzer=lambda tokens: tokens).fit(LISTS[:1] + LISTS[3:] + [["スマホ", "教室"]])
    ours = TokenBatch.from_lists(LISTS).counts(vectorizer.vocabulary_)
    theirs = vectorizer.transform(LISTS)
    assert ours.has_sorted_indices
    np.testing.assert_array_equal(ours.toarray(), theirs.toarray())


def test_columns_grow_with_the_table():
    table = TokenTable()
    vocabulary = {"b": 0, "a": 1}
    first = TokenBatch.from_lists([["a", "x"]], table)
    assert first.counts(vocabulary).toarray().tolist() == [[0.0, 1.0]]
    second = TokenBatch.from_lists([["b", "b", "y"]], table)  # new ids after the vocabulary's columns were made
    assert second.counts(vocabulary).toarray().tolist() == [[2.0, 0.0]]
    assert table.columns(vocabulary).tolist() == [1, -1, 0, -1]


@pytest.mark.parametrize("rows", [[0, 1, 2, 3], [2, 0], [3], []])
def test_take_is_the_lists_at_rows(rows):
    assert TokenBatch.from_lists(LISTS).take(rows).lists() == [LISTS[i] for i in rows]
