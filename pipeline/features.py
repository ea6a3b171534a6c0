"""Features: tokens -> TF-IDF, and taxonomy keywords / reply phrases -> one match column per label."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .normalize import normalize


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
            for j, hits in enumerate(self._hits(text)):
                if hits:
                    rows.append(i)
                    cols.append(j)
                    vals.append(np.log1p(len(hits)))
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(X), len(self.keywords_)), dtype=np.float64)

    def _hits(self, text: str) -> list[list[str]]:
        return [[k for k in words if k in text] for words in self.keywords_]

    def matches(self, text: str, label) -> list[str]:
        """The keywords of `label` found in `text` (normalised), longest first."""
        check_is_fitted(self, "keywords_")
        index = list(self.labels_).index(label)
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


def char_vectorizer(*, ngram_range=(1, 3), min_df=2) -> TfidfVectorizer:
    """TF-IDF over character n-grams of the normalised text (no tokenizer: it also sees inside compounds)."""
    return TfidfVectorizer(analyzer="char", ngram_range=ngram_range, min_df=min_df, lowercase=False,
                           strip_accents=None, sublinear_tf=True, dtype=np.float64)
