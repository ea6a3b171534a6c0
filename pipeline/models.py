"""Estimators: a classifier that learns from labelled examples *and* the taxonomy, so that a label with few or
no examples can still be predicted. The same class serves themes (opinion text, keywords) and response types
(reply text, reply phrases); `use_taxonomy=False` gives the plain TF-IDF baseline.
"""
from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .errors import InputError
from .features import KeywordMatcher, char_vectorizer, token_vectorizer
from .linear import LinearScorer, softmax
from .normalize import normalize
from .reply_tokenizer import phrase_forms, scanned_texts
from .tokenizer import JapaneseTokenizer
from .tokens import CharNgrams


def _knowledge(taxonomy, target: str):
    """(label, description text, keywords or phrases) triples of the taxonomy for a target."""
    return [(e.id, f"{e.label_ja} {e.description}", e.words) for e in taxonomy.entries(target)]


_LABEL_PARTS = re.compile(r"[・、/／]")


def label_words(label_ja: str) -> tuple[str, ...]:
    """The parts of a Japanese label that a resident may write (保護者負担・費用 -> 保護者負担, 費用):
    split at ・、/ and kept when two characters or longer."""
    return tuple(dict.fromkeys(p.strip() for p in _LABEL_PARTS.split(label_ja) if len(p.strip()) >= 2))


def _token_lists(tokenizer, texts) -> list[list[str]]:
    """The tokens of each text: ours in one batch, any other tokenizer one call per text."""
    batch = getattr(tokenizer, "batch", None)
    return batch(texts).lists() if batch is not None else [tokenizer(text) for text in texts]


def has_keywords(taxonomy, target: str) -> bool:
    """True when the taxonomy gives any keyword (themes) or phrase (response types) for `target`; False for a
    taxonomy drafted from labels alone."""
    return taxonomy is not None and any(words for _, _, words in _knowledge(taxonomy, target))


class TaxonomyClassifier(ClassifierMixin, BaseEstimator):
    """TF-IDF over lemmas + keyword-match columns -> logistic regression, with the taxonomy as extra training
    documents (its descriptions and each keyword, down-weighted).

    Parameters
    ----------
    taxonomy : a `Taxonomy`; its labels are the closed label set. None: labels come from `y` alone.
    target : "theme" or "response_type": which part of the taxonomy is knowledge and label set.
    tokenizer : a picklable callable text -> tokens (default: `JapaneseTokenizer`).
    use_taxonomy : learn from descriptions, keywords / phrases too (False: plain TF-IDF + linear model).
    C : inverse regularisation strength of the logistic regression.
    keyword_weight : scale of the keyword-match columns against the TF-IDF columns.
    taxonomy_weight : sample weight of each taxonomy pseudo-document (an example weighs 1).
    ngram_range : token n-grams for TF-IDF.
    label_keywords : a theme with no keywords of its own takes the parts of its label as keywords (`label_words`),
        matched and learnt like keywords: what a taxonomy drafted from labels alone knows of its themes' words.
    classifier : "logistic" (logistic regression) or "svm" (a linear support vector machine, squared hinge): both
        give one weight row per class, scored the same way; the softmax temperature calibrates either.
    temperature : divides the decision scores before the softmax; chosen on out-of-fold predictions by
        `pipeline.evaluate.fit_temperature` so that the probabilities are calibrated (1.0: as fitted).
    char_ngrams : also character 1-2-gram TF-IDF columns. "auto": only when the taxonomy is used and has no
        keywords / phrases for this target (a user's own taxonomy drafted from labels): the characters then
        stand in for the keyword matching (部活 inside 部活動, 通学 inside 通学路) that such a taxonomy cannot do.
        A taxonomy with keywords (the packaged dx-ja) is unaffected.
    phrase_form : where keywords / phrases are looked for. "surface": in the normalised text, as written. "tokens":
        also in the text's tokens (`reply_tokenizer.scanned_text`), the phrases tokenized alike: with the
        reply tokenizer, 修正します then also finds 修正した and 修正する (the reply model, any register).
    """

    def __init__(self, *, taxonomy=None, target="theme", tokenizer=None, use_taxonomy=True, C=10.0,
                 keyword_weight=1.0, taxonomy_weight=0.3, ngram_range=(1, 1), char_ngrams="auto", temperature=1.0,
                 phrase_form="surface", random_state=0, classifier="logistic", label_keywords=False):
        self.taxonomy = taxonomy
        self.target = target
        self.tokenizer = tokenizer
        self.use_taxonomy = use_taxonomy
        self.C = C
        self.keyword_weight = keyword_weight
        self.taxonomy_weight = taxonomy_weight
        self.ngram_range = ngram_range
        self.char_ngrams = char_ngrams
        self.temperature = temperature
        self.phrase_form = phrase_form
        self.random_state = random_state
        self.classifier = classifier
        self.label_keywords = label_keywords

    def _docs(self, X, y, sample_weight):
        texts = [normalize(x) for x in X]
        labels = list(y)
        weights = list(np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, dtype=float))
        if self.use_taxonomy and self.taxonomy is not None:
            for label, description, keywords in self._knowledge():
                for doc in [description, *keywords]:
                    texts.append(normalize(doc))
                    labels.append(label)
                    weights.append(self.taxonomy_weight)
        return texts, np.array(labels, dtype=object), np.array(weights)

    def fit(self, X, y, sample_weight=None):
        if self.target not in ("theme", "response_type"):
            raise ValueError(f"target must be 'theme' or 'response_type', got {self.target!r}")
        if self.classifier not in ("logistic", "svm"):
            raise ValueError(f"classifier must be 'logistic' or 'svm', got {self.classifier!r}")
        if self.phrase_form not in ("surface", "tokens"):
            raise ValueError(f"phrase_form must be 'surface' or 'tokens', got {self.phrase_form!r}")
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} texts but y has {len(y)} labels")
        if self.taxonomy is not None:
            self.taxonomy.check_labels(list(y), kind=self.target)
        texts, labels, weights = self._docs(X, y, sample_weight)
        if len(set(labels)) < 2:
            raise ValueError(f"need at least two {self.target} labels to train, got {sorted(set(labels))}")
        tokenizer = self.tokenizer or JapaneseTokenizer(normalized=True, cache_size=50_000)
        self.vectorizer_ = token_vectorizer(tokenizer, ngram_range=self.ngram_range)
        groups = [(lab, self._phrases(tokenizer, kws)) for lab, _, kws in self._knowledge()] \
            if self._keywords_on() else []
        self.matcher_ = KeywordMatcher(groups=groups).fit()
        # a fragment must occur twice to count; but a handful of texts (the labels-only baseline fits on the labels
        # alone) may share none, and an empty vocabulary cannot be fitted
        self.chars_ = char_vectorizer(min_df=2 if len(texts) >= 20 else 1) if self._chars_on() else None
        matrix = self._fit_matrix(texts)
        if self.classifier == "svm":
            self.classifier_ = LinearSVC(C=self.C, class_weight="balanced", max_iter=20000, random_state=self.random_state)
        else:
            self.classifier_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000,
                                                  random_state=self.random_state)
        # One BLAS thread: L-BFGS works on small dense vectors, where OpenBLAS threads only spin and wait (training
        # on 1,000 rows took 0.95 s with them and 0.4 s without, and much longer on a busy machine).
        with threadpool_limits(limits=1, user_api="blas"):
            self.classifier_.fit(matrix, labels, sample_weight=weights)
        self.classes_ = self.classifier_.classes_
        return self

    def _knowledge(self):
        """The taxonomy's (label, description text, words) for the target; with `label_keywords`, a label without
        words of its own gets its label's parts."""
        knowledge = _knowledge(self.taxonomy, self.target)
        if not self.label_keywords:
            return knowledge
        labels = {e.id: e.label_ja for e in self.taxonomy.entries(self.target)}
        return [(label, text, words or label_words(labels[label])) for label, text, words in knowledge]

    def _phrases(self, tokenizer, words):
        """The taxonomy's keywords / phrases as `phrase_form` looks for them."""
        if self._phrase_form() == "surface":
            return words
        normal = [normalize(w) for w in words]
        lists = _token_lists(tokenizer, normal)
        return [form for word, tokens in zip(normal, lists) for form in phrase_forms(tokens, word)]

    def _phrase_form(self) -> str:
        return getattr(self, "phrase_form", "surface")  # getattr: models pickled before phrase_form existed

    def _keywords_on(self) -> bool:
        return bool(self.use_taxonomy and self.taxonomy is not None)

    def _chars_on(self) -> bool:
        if self.char_ngrams != "auto":
            return bool(self.char_ngrams)
        return self._keywords_on() and not has_keywords(self.taxonomy, self.target)

    def _fit_matrix(self, texts):
        blocks = [self._fit_tokens(texts)]
        if self.chars_ is not None:
            blocks.append(self.chars_.fit_transform(texts))
        if self._keywords_on():
            scanned = texts if self._phrase_form() == "surface" else \
                scanned_texts(texts, _token_lists(self.vectorizer_.tokenizer, texts))
            blocks.append(self.matcher_.transform(scanned) * self.keyword_weight)
        return blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")

    def _fit_tokens(self, texts):
        """The vectoriser fitted on `texts`. It would call the tokenizer once per text; ours tokenizes them all in
        one batch first (`tokens_of`), and the vectoriser reads those tokens. It keeps the tokenizer itself."""
        tokenizer = self.vectorizer_.tokenizer
        tokens_of = getattr(tokenizer, "tokens_of", None)
        if tokens_of is not None:
            self.vectorizer_.set_params(tokenizer=tokens_of(texts).__getitem__)
        try:
            return self.vectorizer_.fit_transform(texts)
        except ValueError as exc:
            if "empty vocabulary" not in str(exc):
                raise
            raise InputError(f"no word to learn {self.target} from: the texts labelled with one hold only words that "
                             "say nothing on their own (such as 検討 or 対応); label more rows, or rows with longer "
                             "texts") from exc
        finally:
            self.vectorizer_.set_params(tokenizer=tokenizer)

    def decision_function(self, X):
        """Class scores (n_samples, n_classes) before the softmax."""
        scorer = self.scorer()
        return scorer.decision(scorer.features([normalize(x) for x in X]))

    def scorer(self) -> LinearScorer:
        """This fitted estimator's predictions as arrays (`pipeline.linear`): every prediction below goes through
        it, and model folders store it for scoring without scikit-learn. Made once per fit, again when
        `temperature` or `keyword_weight` is set (both are read at prediction time)."""
        check_is_fitted(self, "classifier_")
        cached = self.__dict__.get("_scorer_cache")
        scorer = cached[1] if cached is not None and cached[0] is self.classifier_ else None
        if scorer is None or (scorer.temperature, scorer.keyword_weight) != (self.temperature, self.keyword_weight):
            vectorizer = self.vectorizer_
            scorer = LinearScorer(
                tokenizer=vectorizer.tokenizer, vocabulary=vectorizer.vocabulary_,
                idf=vectorizer.idf_ if vectorizer.use_idf else None, ngram_range=vectorizer.ngram_range,
                sublinear_tf=vectorizer.sublinear_tf, norm=vectorizer.norm, coef=self.classifier_.coef_,
                intercept=self.classifier_.intercept_, classes=self.classes_, names=self.feature_names_(),
                chars=self._char_ngrams(),
                keywords=self.matcher_.index() if self._keywords_on() else None, keyword_weight=self.keyword_weight,
                temperature=self.temperature, phrase_form=self._phrase_form())
            cached = self._scorer_cache = (self.classifier_, scorer)
        return cached[1]

    def _char_ngrams(self) -> CharNgrams | None:
        chars = getattr(self, "chars_", None)  # getattr: models pickled before char_ngrams existed
        return None if chars is None else CharNgrams.from_vectorizer(chars)

    def tokens(self, texts):
        """The tokens of normalised texts, as this estimator's vectoriser sees them (`LinearScorer.tokens`)."""
        return self.scorer().tokens(texts)

    def shares_tokenizer(self, other) -> bool:
        """True when `other` tokenizes exactly like this estimator (so one set of tokens serves both)."""
        return self.scorer().shares_tokenizer(other.scorer() if isinstance(other, TaxonomyClassifier) else other)

    def features(self, texts, tokens=None):
        """The feature matrix of normalised texts, in batch; `tokens`: their tokens, when already computed."""
        return self.scorer().features(texts, tokens)

    def predict_proba(self, X):
        return softmax(self.decision_function(X), self.temperature)

    def predict_proba_features(self, matrix):
        """Class probabilities from a matrix made by `features` (no second tokenization)."""
        return self.scorer().predict_proba_features(matrix)

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def evidence(self, text: str, label, k: int = 5) -> list[str]:
        """The words that pushed `text` towards `label` most (matched keywords first), in Japanese."""
        normal = normalize(text)
        return self.evidence_many(self.features([normal]), [normal], [label], k=k)[0]

    def evidence_many(self, matrix, texts, labels, k: int = 5) -> list[list[str]]:
        """`evidence` for every row of a feature matrix (from `features(texts)`) at once."""
        return self.scorer().evidence_many(matrix, texts, labels, k=k)

    def top_terms(self, k: int = 10) -> dict[str, list[str]]:
        """Per label, the `k` words with the largest positive weights: what the model has learnt each label means.

        Keyword-match columns (``kw:<label>``) are left out: they are the taxonomy's own keywords, not learnt words;
        so are character fragments (``ch:``), which are no words.
        """
        scorer = self.scorer()
        names = np.array(scorer.names, dtype=object)
        # the features evidence may show (no character fragment, no <num>), less the keyword columns
        words = scorer.readable() & ~np.char.startswith(names.astype(str), "kw:")
        terms = {}
        for label, weights in zip(self.classes_, scorer.signed_coef()):
            order = [j for j in np.argsort(-weights, kind="stable") if words[j] and weights[j] > 0]
            terms[str(label)] = [str(names[j]) for j in order[:k]]
        return terms

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_scorer_cache", None)  # derived; rebuilt on first use
        return state

    def __setstate__(self, state):
        # models pickled before these options existed were fitted by logistic regression, without label words
        super().__setstate__({"classifier": "logistic", "label_keywords": False, **state})

    def feature_names_(self):
        names = list(self.vectorizer_.get_feature_names_out())
        if getattr(self, "chars_", None) is not None:
            names += [f"ch:{name}" for name in self.chars_.get_feature_names_out()]
        if self._keywords_on():
            names += list(self.matcher_.get_feature_names_out())
        return names
