"""The tokens of a batch of texts as arrays: what the tokenizer hands to TF-IDF when it scores many texts at once.

A `TokenBatch` holds, for every token of every text, the text's row and the token's id in a `TokenTable` (the
tokenizer's table of token strings). TF-IDF counts come straight from those arrays (`counts`), with no token
string made or looked up per token; `lists` gives the same tokens as lists of strings, in the tokenizer's order.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class TokenTable:
    """Token strings and their ids (`id`), and each vocabulary's column of every id, extended as ids are added."""

    def __init__(self):
        self.names: list[str] = []
        self.ids: dict[str, int] = {}
        self._columns: dict[int, tuple] = {}

    def id(self, token: str) -> int:
        found = self.ids.get(token)
        if found is None:
            found = self.ids[token] = len(self.names)
            self.names.append(token)
        return found

    def columns(self, vocabulary: dict) -> np.ndarray:
        """vocabulary[name] for every id so far, -1 where the vocabulary lacks it (kept, and extended next time)."""
        known, array = self._columns.get(id(vocabulary), (None, None))
        if known is not vocabulary:
            array = np.empty(0, dtype=np.int64)
        if len(array) < len(self.names):
            lookup = vocabulary.get
            more = np.fromiter((lookup(name, -1) for name in self.names[len(array):]), dtype=np.int64)
            array = np.concatenate([array, more])
            self._columns[id(vocabulary)] = (vocabulary, array)
        return array


class TokenBatch:
    """Tokens of `n` texts: parallel arrays `row` (the text, non-decreasing) and `token` (ids in `table`), each
    text's tokens in order."""

    def __init__(self, row: np.ndarray, token: np.ndarray, table: TokenTable, n: int):
        self.row, self.token, self.table, self.n = row, token, table, n

    @classmethod
    def from_lists(cls, token_lists, table: TokenTable | None = None) -> TokenBatch:
        table = table or TokenTable()
        lengths = [len(tokens) for tokens in token_lists]
        token = np.fromiter((table.id(t) for tokens in token_lists for t in tokens), dtype=np.int64, count=sum(lengths))
        return cls(np.repeat(np.arange(len(lengths)), lengths), token, table, len(lengths))

    def __len__(self) -> int:
        return self.n

    def lists(self) -> list[list[str]]:
        words = list(map(self.table.names.__getitem__, self.token.tolist()))
        bounds = np.searchsorted(self.row, np.arange(self.n + 1)).tolist()
        return [words[bounds[i]:bounds[i + 1]] for i in range(self.n)]

    def take(self, rows) -> TokenBatch:
        """The tokens of the texts at `rows` (distinct positions), as a batch of len(rows) texts in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        where = np.full(self.n, -1, dtype=np.int64)
        where[rows] = np.arange(len(rows))
        new = where[self.row]
        keep = np.flatnonzero(new >= 0)
        order = keep[np.argsort(new[keep], kind="stable")]
        return TokenBatch(new[order], self.token[order], self.table, len(rows))

    def counts(self, vocabulary: dict) -> sp.csr_matrix:
        """Token counts (n texts x len(vocabulary)), columns sorted within rows: what scikit-learn's
        CountVectorizer makes of the same tokens; tokens outside the vocabulary are not counted."""
        columns = self.table.columns(vocabulary)[self.token]
        known = columns >= 0
        # COO -> CSR adds up repeated (row, column) pairs and sorts each row's columns
        matrix = sp.csr_matrix((np.ones(int(known.sum())), (self.row[known], columns[known])),
                               shape=(self.n, len(vocabulary)))
        matrix.sum_duplicates()
        return matrix
