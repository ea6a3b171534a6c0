"""Features for fitting: TF-IDF vectorisers over tokens and characters, and the keyword-match columns as a
scikit-learn transformer. At prediction time the same matrices come from `pipeline.linear` (no scikit-learn)."""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .linear import KeywordIndex


class KeywordMatcher(TransformerMixin, BaseEstimator):
    """One column per label: log(1 + number of the label's keywords found as substrings of the normalised text).
    The matching itself is `pipeline.linear.KeywordIndex`; this is its scikit-learn face.

    Parameters
    ----------
    groups : sequence of (label, keywords) pairs; keywords are normalised like the texts.
    """

    def __init__(self, *, groups=()):
        self.groups = groups

    def fit(self, X=None, y=None):
        index = KeywordIndex.from_groups(self.groups)
        self.labels_, self.keywords_ = index.labels, index.keywords
        return self

    def index(self) -> KeywordIndex:
        """The fitted keywords as a `KeywordIndex` (made once: its automaton is built on first use)."""
        check_is_fitted(self, "keywords_")
        cached = self.__dict__.get("_index_cache")
        if cached is None or cached[0] is not self.keywords_:
            cached = self._index_cache = (self.keywords_, KeywordIndex(self.labels_, self.keywords_))
        return cached[1]

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_index_cache", None)  # derived; keeps model files as they were
        return state

    def transform(self, X):
        return self.index().counts(X)

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
