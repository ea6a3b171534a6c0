"""Features: tokens -> TF-IDF, and taxonomy keywords / reply phrases -> one match column per label."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .normalize import normalize


_LOG1P = [np.log1p(n) for n in range(64)]  # the same scalar calls as before, looked up instead of repeated


class KeywordMatcher(TransformerMixin, BaseEstimator):
    """One column per label: log(1 + number of the label's keywords found as substrings of the normalised text).

    Parameters
    ----------
    groups : sequence of (label, keywords) pairs; keywords are normalised like the texts.
    """

    def __init__(self, *, groups=()):
        self.groups = groups

    def fit(self, X=None, y=None):
        labels, words = [], []
        for label, keywords in self.groups:
            labels.append(label)
            words.append(tuple(dict.fromkeys(k for k in (normalize(w) for w in keywords) if k)))
        self.labels_ = np.array(labels, dtype=object)
        self.keywords_ = tuple(words)
        return self

    def transform(self, X):
        check_is_fitted(self, "keywords_")
        rows, cols, vals = [], [], []
        for i, text in enumerate(X):
            for j, hits in sorted(self._hit_counts(text).items()):
                rows.append(i)
                cols.append(j)
                vals.append(_LOG1P[hits] if hits < len(_LOG1P) else np.log1p(hits))
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(X), len(self.keywords_)), dtype=np.float64)

    def _hit_counts(self, text: str) -> dict[int, int]:
        """label index -> number of its keywords found in `text` (each keyword counted once)."""
        index, singles = self._index()
        found: dict[int, int] = {}
        # Only keywords that start with a character pair the text contains can be in it: testing those few
        # instead of all ~800 keywords makes matching several times faster, with the same result.
        for pair in index.keys() & set(zip(text, text[1:])):
            for keyword, j in index[pair]:
                if keyword in text:
                    found[j] = found.get(j, 0) + 1
        for ch in singles.keys() & set(text) if singles else ():
            for _, j in singles[ch]:
                found[j] = found.get(j, 0) + 1
        return found

    def _index(self):
        """((first, second character) -> [(keyword, label index)], one-character keyword -> [...]), built once."""
        cached = self.__dict__.get("_index_cache")
        if cached is None or cached[0] is not self.keywords_:
            pairs: dict[str, list] = {}
            singles: dict[str, list] = {}
            for j, words in enumerate(self.keywords_):
                for keyword in words:
                    target = pairs.setdefault((keyword[0], keyword[1]), []) if len(keyword) > 1 else singles.setdefault(keyword, [])
                    target.append((keyword, j))
            cached = self._index_cache = (self.keywords_, pairs, singles)
        return cached[1], cached[2]

    def _positions(self) -> dict:
        cached = self.__dict__.get("_positions_cache")
        if cached is None or cached[0] is not self.labels_:
            cached = self._positions_cache = (self.labels_, {label: j for j, label in enumerate(self.labels_)})
        return cached[1]

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_index_cache", None)
        state.pop("_positions_cache", None)  # rebuilt on first use; keeps model files as they were
        return state

    def matches(self, text: str, label) -> list[str]:
        """The keywords of `label` found in `text` (normalised), longest first."""
        index = self._positions()[label]
        return sorted((k for k in self.keywords_[index] if k in text), key=len, reverse=True)

    def get_feature_names_out(self, input_features=None):
        return np.array([f"kw:{label}" for label in self.labels_], dtype=object)


def token_vectorizer(tokenizer, *, ngram_range=(1, 1), min_df=1) -> TfidfVectorizer:
    """TF-IDF over the Japanese tokenizer's output. Texts arrive normalised; no sklearn accent stripping or
    lower-casing (strip_accents would turn が into か)."""
    return TfidfVectorizer(
        tokenizer=tokenizer,
        token_pattern=None,
        lowercase=False,
        preprocessor=None,
        strip_accents=None,
        ngram_range=ngram_range,
        min_df=min_df,
        sublinear_tf=True,
        dtype=np.float64,
    )


def char_vectorizer(*, ngram_range=(1, 2), min_df=2) -> TfidfVectorizer:
    """TF-IDF over character n-grams of the normalised text (no tokenizer: it also sees inside compounds).
    1-2 grams: single kanji carry the meaning (費 in 会費 and 維持管理費); 3-grams only added noise on a few hundred
    opinions (benchmarks/keyword_free.py)."""
    return TfidfVectorizer(analyzer="char", ngram_range=ngram_range, min_df=min_df, lowercase=False,
                           strip_accents=None, sublinear_tf=True, dtype=np.float64)


def _ngrams(tokens: list[str], ngram_range) -> list[str]:
    """Word n-grams exactly as scikit-learn's analyzer forms them (n-grams joined by a space)."""
    low, high = ngram_range
    if high == 1:
        return tokens
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


def tfidf_from_tokens(vectorizer: TfidfVectorizer, token_lists) -> sp.csr_matrix:
    """What a fitted `vectorizer.transform(texts)` returns, from the texts' tokens already computed, so that several
    estimators sharing a tokenizer tokenize each text once. Same steps, same order, same floats as scikit-learn:
    counts with sorted indices, sublinear tf, idf, l2 norm."""
    from sklearn.preprocessing import normalize as row_normalize

    check_is_fitted(vectorizer, "vocabulary_")
    vocabulary, ngram_range = vectorizer.vocabulary_, vectorizer.ngram_range
    docs = [_ngrams(tokens, ngram_range) for tokens in token_lists]
    lookup = vocabulary.get
    ids = np.fromiter((lookup(token, -1) for doc in docs for token in doc), dtype=np.int64)
    rows = np.repeat(np.arange(len(docs)), [len(doc) for doc in docs])
    known = ids >= 0
    # COO -> CSR adds up repeated (row, column) pairs and sorts each row's columns: the counts sklearn makes
    matrix = sp.csr_matrix((np.ones(int(known.sum()), dtype=vectorizer.dtype), (rows[known], ids[known])),
                           shape=(len(docs), len(vocabulary)))
    matrix.sum_duplicates()
    if vectorizer.sublinear_tf:
        np.log(matrix.data, matrix.data)
        matrix.data += 1.0
    if vectorizer.use_idf:
        matrix.data *= vectorizer.idf_[matrix.indices]
    if vectorizer.norm is not None:
        matrix = row_normalize(matrix, norm=vectorizer.norm, copy=False)
    return matrix
