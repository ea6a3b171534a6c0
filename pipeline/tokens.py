"""The tokens of a batch of texts as arrays, and TF-IDF from them, as scikit-learn's fitted vectorisers make it.

A `TokenBatch` holds, for every token of every text, the text's row and the token's id in a `TokenTable` (the
tokenizer's table of token strings). TF-IDF counts come straight from those arrays (`counts`), with no token
string made or looked up per token; `lists` gives the same tokens as lists of strings, in the tokenizer's order.
`tfidf` turns them (or lists of tokens) into the matrix a fitted `TfidfVectorizer` makes; `CharNgrams` does the
same for a character n-gram vectoriser.
"""
from __future__ import annotations

import re

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


def tfidf(tokens, vocabulary: dict, idf, *, ngram_range=(1, 1), sublinear_tf=True, norm="l2") -> sp.csr_matrix:
    """TF-IDF of tokenised texts (lists of tokens, or a `TokenBatch`) as scikit-learn's fitted `TfidfVectorizer`
    makes it: counts with sorted indices, sublinear tf, idf, l2 row norm."""
    if not isinstance(tokens, TokenBatch) or tuple(ngram_range) != (1, 1):
        lists = tokens.lists() if isinstance(tokens, TokenBatch) else tokens
        tokens = TokenBatch.from_lists([_ngrams(words, ngram_range) for words in lists])
    matrix = tokens.counts(vocabulary)  # the counts sklearn makes: repeats added up, columns sorted in each row
    if sublinear_tf:
        np.log(matrix.data, matrix.data)
        matrix.data += 1.0
    if idf is not None:
        matrix.data *= idf[matrix.indices]
    if norm == "l2":
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        norms = np.sqrt(np.bincount(rows, weights=matrix.data * matrix.data, minlength=matrix.shape[0]))
        matrix.data /= norms[rows]  # a row with any entry has a positive norm
    elif norm is not None:
        raise ValueError(f"norm must be 'l2' or None, got {norm!r}")
    return matrix


class CharNgrams:
    """A fitted character n-gram `TfidfVectorizer` (analyzer="char", no lower-casing or accent stripping) as
    arrays: `transform` makes the same matrix without scikit-learn."""

    _WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn folds runs of white space before cutting n-grams

    def __init__(self, *, vocabulary: dict, idf, ngram_range, sublinear_tf: bool, norm):
        self.vocabulary, self.idf, self.ngram_range = vocabulary, idf, tuple(ngram_range)
        self.sublinear_tf, self.norm = sublinear_tf, norm

    @classmethod
    def from_vectorizer(cls, vectorizer) -> CharNgrams:
        if vectorizer.analyzer != "char" or vectorizer.lowercase or vectorizer.strip_accents is not None:
            raise ValueError("only a character n-gram vectoriser without lower-casing or accent stripping converts")
        return cls(vocabulary=vectorizer.vocabulary_, idf=vectorizer.idf_ if vectorizer.use_idf else None,
                   ngram_range=vectorizer.ngram_range, sublinear_tf=vectorizer.sublinear_tf, norm=vectorizer.norm)

    def transform(self, texts) -> sp.csr_matrix:
        low, high = self.ngram_range
        grams = []
        for text in texts:
            text = self._WHITE_SPACES.sub(" ", text)
            grams.append([text[i:i + n] for n in range(low, min(high, len(text)) + 1)
                          for i in range(len(text) - n + 1)])
        return tfidf(grams, self.vocabulary, self.idf, sublinear_tf=self.sublinear_tf, norm=self.norm)


def _ngrams(tokens: list[str], ngram_range) -> list[str]:
    """Word n-grams exactly as scikit-learn's analyzer forms them (n-grams joined by a space)."""
    low, high = ngram_range
    if high == 1:
        return tokens
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams
