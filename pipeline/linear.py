"""Inference without scikit-learn: a fitted `TaxonomyClassifier` as plain arrays.

Scoring is tokens -> TF-IDF (+ keyword-match columns) -> one matrix product -> softmax -> evidence. Every step is
here, in numpy / scipy.sparse, and the fitted estimator computes its own predictions through the same code
(`TaxonomyClassifier.scorer()`), so there is one implementation. A model folder also stores its estimators in
this form (``scorer.joblib``), which `pubcom score` loads without importing scikit-learn (about 0.6 s of every
run); the character n-grams of models whose taxonomy has no keywords included (`pipeline.tokens.CharNgrams`).
"""
from __future__ import annotations

from itertools import chain

import numpy as np
import scipy.sparse as sp

from .evidence_words import whole_word
from .normalize import normalize
from .reply_tokenizer import scanned_texts
from .tokens import TokenBatch, tfidf

REVIEW_MARGIN = 0.1  # a top-two gap below this flags a row for review (a close call)
_LOG1P = np.array([np.log1p(n) for n in range(64)])  # scalar log1p, as ever (a vectorised one may differ in a bit)
_SEPARATOR = "\x00"  # between texts scanned at once: normalisation removes it, so no keyword spans two texts


class KeywordIndex:
    """The taxonomy's keywords per label, found as substrings of normalised texts (Aho-Corasick, all overlapping
    matches: マイナンバー and マイナンバーカード both count).

    `counts(texts)`: one column per label, log(1 + number of the label's distinct keywords found in the text).
    """

    def __init__(self, labels, keywords):
        self.labels = np.array(labels, dtype=object)
        self.keywords = tuple(tuple(words) for words in keywords)  # per label, normalised, without repeats
        self._automaton = self._last = self._words = self._tables = None

    @classmethod
    def from_groups(cls, groups) -> KeywordIndex:
        """From (label, keywords) pairs; keywords are normalised like the texts, empty and repeated ones dropped."""
        labels, words = [], []
        for label, keywords in groups:
            labels.append(label)
            words.append(tuple(dict.fromkeys(k for k in (normalize(w) for w in keywords) if k)))
        return cls(labels, words)

    def __getstate__(self):
        return {"labels": self.labels, "keywords": self.keywords}  # the automaton and tables are rebuilt on first use

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._automaton = self._last = self._words = self._tables = None

    def automaton(self):
        """The Aho-Corasick automaton of every distinct keyword (value: its id), built once, with the tables that
        map a keyword id to its (label index, position in that label's list) entries: `pipeline._keywords` when
        it is built (7x faster), else pyahocorasick's (the same matches)."""
        if self._automaton is None:
            ids: dict[str, int] = {}
            entries = []  # (keyword id, label index, position), sorted by keyword id below
            for j, words in enumerate(self.keywords):
                for position, word in enumerate(words):
                    entries.append((ids.setdefault(word, len(ids)), j, position))
            entries.sort()
            automaton = _automaton(list(ids))
            table = np.array(entries, dtype=np.int64).reshape(-1, 3)
            per_keyword = np.bincount(table[:, 0], minlength=len(ids))
            self._words = list(ids)
            self._tables = {"label": table[:, 1], "position": table[:, 2], "count": per_keyword,
                            "first": np.cumsum(per_keyword) - per_keyword,
                            "length": np.array([len(w) for w in ids], dtype=np.int64)}
            self._automaton = automaton
        return self._automaton

    def _scan(self, texts: list[str]) -> dict:
        """Every (row, label index, keyword id, position in the label's list) found, each once, as arrays.
        The last result is remembered: scoring asks for the counts, then the evidence, of the same texts."""
        key = tuple(texts)  # cheap: strings keep their hash; equal tuples compare by identity first
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        automaton = self.automaton()  # and the tables below
        # One scan of all texts joined: the automaton is C; the rest is numpy.
        flat = _matches(automaton, _SEPARATOR.join(texts)) if texts and any(self.keywords) \
            else np.empty(0, dtype=np.int64)
        ends, keyword = flat[0::2], flat[1::2]
        rows = np.searchsorted(np.cumsum([len(t) + 1 for t in texts]), ends, side="right")
        pairs = np.unique(rows * len(self._words) + keyword)  # a keyword found twice in a text counts once
        rows, keyword = pairs // len(self._words), pairs % len(self._words)
        t = self._tables
        n = t["count"][keyword]  # a keyword of several labels counts for each
        entry = np.repeat(t["first"][keyword], n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        found = {"row": np.repeat(rows, n), "label": t["label"][entry], "keyword": np.repeat(keyword, n),
                 "position": t["position"][entry]}
        self._last = (key, found)
        return found

    def counts(self, texts) -> sp.csr_matrix:
        texts = list(texts)
        found = self._scan(texts)
        cells, hits = np.unique(found["row"] * len(self.keywords) + found["label"], return_counts=True)
        values = _LOG1P[np.minimum(hits, len(_LOG1P) - 1)]
        if hits.max(initial=0) >= len(_LOG1P):  # 64 keywords of one label in one text: rare
            values = np.where(hits < len(_LOG1P), values, [np.log1p(h) for h in hits.tolist()])
        return sp.csr_matrix((values, (cells // len(self.keywords), cells % len(self.keywords))),
                             shape=(len(texts), len(self.keywords)), dtype=np.float64)

    def matches_many(self, texts) -> dict[tuple[int, int], list[str]]:
        """(row, label index) -> the label's keywords found in that text, longest first (ties in the taxonomy's
        order); pairs with none are absent."""
        found = self._scan(list(texts))
        cells = found["row"] * len(self.keywords) + found["label"]
        if not len(cells):
            return {}
        order = np.lexsort((found["position"], -self._tables["length"][found["keyword"]], cells))
        cells, words = cells[order], [self._words[i] for i in found["keyword"][order].tolist()]
        starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
        rows, labels = np.divmod(cells[starts], len(self.keywords))
        starts = starts.tolist()
        spans = zip(zip(rows.tolist(), labels.tolist()), starts, [*starts[1:], len(words)])
        return {cell: words[s:e] for cell, s, e in spans}


def _automaton(words: list[str]):
    """An automaton finding `words` (value: the word's index): ours, or pyahocorasick's without the extension."""
    try:
        from ._keywords import Keywords
    except ImportError:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for i, word in enumerate(words):
            automaton.add_word(word, i)
        automaton.make_automaton()
        return automaton
    return Keywords(words)


def _matches(automaton, text: str) -> np.ndarray:
    """(index of a match's last character, word index) pairs, flat, as int64: every match in `text`."""
    scan = getattr(automaton, "scan", None)
    if scan is not None:
        return np.frombuffer(scan(text), dtype=np.int64)
    return np.fromiter(chain.from_iterable(automaton.iter(text)), dtype=np.int64)


def softmax(scores, temperature: float = 1.0):
    z = np.asarray(scores, dtype=float) / max(float(temperature), 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class LinearScorer:
    """A fitted `TaxonomyClassifier`'s predictions from arrays: `features`, `predict_proba_features`,
    `evidence_many`, `tokens`, `classes_`. Built by `TaxonomyClassifier.scorer()`; holds no scikit-learn object
    (`chars`: a `CharNgrams`, or in folders saved before it, scikit-learn's vectoriser)."""

    def __init__(self, *, tokenizer, vocabulary: dict, idf, ngram_range, sublinear_tf: bool, norm, coef, intercept,
                 classes, names, chars=None, keywords: KeywordIndex | None = None, keyword_weight: float = 1.0,
                 temperature: float = 1.0, phrase_form: str = "surface"):
        self.tokenizer = tokenizer
        self.vocabulary, self.idf, self.ngram_range = vocabulary, idf, tuple(ngram_range)
        self.sublinear_tf, self.norm = sublinear_tf, norm
        self.coef, self.intercept = np.asarray(coef), np.asarray(intercept)
        self.classes_ = np.asarray(classes, dtype=object)
        self.names = list(names)
        self.chars, self.keywords, self.keyword_weight = chars, keywords, keyword_weight
        self.temperature = temperature
        self.phrase_form = phrase_form  # "tokens": phrases are looked for in the tokens (TaxonomyClassifier)

    def tokens(self, texts) -> TokenBatch:
        """The tokens of normalised texts, as this model's TF-IDF sees them (any tokenizer: ours makes the batch
        itself, another's lists are turned into one)."""
        batch = getattr(self.tokenizer, "batch", None)
        return batch(texts) if batch else TokenBatch.from_lists([self.tokenizer(text) for text in texts])

    def shares_tokenizer(self, other) -> bool:
        """True when `other` tokenizes exactly like this model (so one set of tokens serves both)."""
        mine, theirs = self.tokenizer, other.tokenizer
        if mine is theirs:
            return True
        state = getattr(mine, "__getstate__", None)
        return type(mine) is type(theirs) and state is not None and state() == theirs.__getstate__()

    def features(self, texts, tokens=None) -> sp.csr_matrix:
        """The feature matrix of normalised texts; `tokens`: their tokens, when already computed."""
        tokens = self.tokens(texts) if tokens is None else tokens
        blocks = [tfidf(tokens, self.vocabulary, self.idf, ngram_range=self.ngram_range,
                        sublinear_tf=self.sublinear_tf, norm=self.norm)]
        if self.chars is not None:
            blocks.append(self.chars.transform(texts))
        if self.keywords is not None:
            # phrase_form "tokens": also in the tokens' construction strings (getattr: scorers saved before it)
            scanned = texts if getattr(self, "phrase_form", "surface") == "surface" else scanned_texts(texts, tokens)
            blocks.append(self.keywords.counts(scanned) * self.keyword_weight)
        return blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")

    def decision(self, matrix) -> np.ndarray:
        """Class scores (n_samples, n_classes) before the softmax."""
        scores = np.asarray(matrix @ self.coef.T) + self.intercept
        # a binary model has one score; split it so that the softmax of the pair is the logistic of it
        return np.column_stack([-scores[:, 0], scores[:, 0]]) / 2 if self.coef.shape[0] == 1 else scores

    def predict_proba_features(self, matrix) -> np.ndarray:
        return softmax(self.decision(matrix), self.temperature)

    def signed_coef(self) -> np.ndarray:
        """One coefficient row per class (a binary model stores one row: the other class is its negative)."""
        return np.vstack([-self.coef[0], self.coef[0]]) if self.coef.shape[0] == 1 else self.coef

    def evidence_many(self, matrix, texts, labels, k: int = 5) -> list[list[str]]:
        """Per row, the words that pushed it towards its label most (matched keywords first), in Japanese: each
        feature's weight towards the row's label is value x coefficient, computed for the whole matrix at once."""
        matrix = sp.csr_matrix(matrix)
        position = {label: i for i, label in enumerate(self.classes_)}
        classes = np.array([position[label] for label in labels], dtype=np.intp)
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        weights = matrix.data * self.signed_coef()[classes[rows], matrix.indices]
        keep = (weights > 0) & self.readable()[matrix.indices]
        rows, cols, weights = rows[keep], matrix.indices[keep], weights[keep]
        rank = self._rank()
        # per row: heaviest first, ties by feature name descending (as sorting (weight, name) pairs would)
        order = np.lexsort((-rank[cols], -weights, rows))
        rows, cols = rows[order], cols[order]
        bounds = np.searchsorted(rows, np.arange(matrix.shape[0] + 1)).tolist()
        cols = cols.tolist()
        found = self.keywords.matches_many(texts) if self.keywords is not None else {}
        return self._words(found, cols, bounds, k, texts)

    def _words(self, found: dict, ranked: list[int], bounds: list[int], k: int, texts) -> list[list[str]]:
        """Per row, the first `k` words of its ranked features (ranked[bounds[row]:bounds[row + 1]]); a keyword
        column stands for the row's keywords `found`. Each word is shown as it is written in the row's text
        (`evidence_words.visible_word`): a lemma the text does not hold (行く for 行っ) is passed over, a katakana fragment
        (オン of オンライン) becomes the whole word. One loop for all rows: this runs for every scored row."""
        names, first_keyword = self.names, len(self.names) - (len(self.keywords.keywords) if self.keywords else 0)
        whole = self._whole_words()
        evidence = []
        for row in range(len(bounds) - 1):
            words: list[str] = []
            chosen = ""  # the words so far, each after a separator: `w in chosen` = w is inside one of them
            text = texts[row]
            for j in ranked[bounds[row]:bounds[row + 1]]:
                if j >= first_keyword:
                    candidates = found.get((row, j - first_keyword), ())
                elif names[j] not in text:  # a lemma the text does not write as such
                    continue
                else:
                    pattern = whole[j]  # a katakana piece grows to its whole word (オン -> オンライン)
                    candidates = (names[j] if pattern is None else pattern.search(text).group(),)
                for word in candidates:
                    # a word inside one already chosen (ナンバー in マイナンバーカード) adds nothing for a reader
                    if word not in chosen:
                        words.append(word)
                        chosen += _SEPARATOR + word
                if len(words) >= k:
                    break
            evidence.append(words[:k])
        return evidence

    def readable(self) -> np.ndarray:
        """False for the features that are never evidence: character n-grams (a fragment is not a word a reader
        can check) and <num>."""
        if getattr(self, "_readable_cache", None) is None:
            self._readable_cache = np.array([not name.startswith("ch:") and name != "<num>" for name in self.names],
                                            dtype=bool)
        return self._readable_cache

    def _whole_words(self) -> list:
        """Per feature: the pattern of the whole katakana word around its name (`evidence_words.whole_word`), or
        None; made once."""
        if getattr(self, "_katakana_cache", None) is None:
            self._katakana_cache = [whole_word(name) for name in self.names]
        return self._katakana_cache

    def _rank(self) -> np.ndarray:
        """Each feature's position in name order (the tie-break of `evidence_many`), computed once."""
        if getattr(self, "_rank_cache", None) is None:
            rank = np.empty(len(self.names), dtype=np.intp)
            rank[sorted(range(len(self.names)), key=self.names.__getitem__)] = np.arange(len(self.names))
            self._rank_cache = rank
        return self._rank_cache

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_rank_cache", None)  # derived; rebuilt on first use
        state.pop("_readable_cache", None)
        state.pop("_katakana_cache", None)
        return state


class Scoring:
    """What scoring reads of a trained model besides its estimators: the review rule in its card, and `score`."""

    card: dict

    @property
    def review_threshold(self) -> float:
        return float(self.card.get("needs_review", {}).get("threshold", 0.5))

    @property
    def review_margin(self) -> float:
        return float(self.card.get("needs_review", {}).get("margin", REVIEW_MARGIN))

    def score(self, data, **options):
        """Score texts or a DataFrame; see `pipeline.score.score_frame` for the output contract."""
        from .score import score_frame

        return score_frame(self, data, **options)

    def suggest(self, data, answered, **options):
        """Draft replies for texts or a DataFrame from `answered` opinions (files or a DataFrame with opinion and
        reply): the input with the suggested_* columns; see `pipeline.suggest`."""
        from .suggest import suggest_frame

        return suggest_frame(self, data, answered, **options)


class ScoringModel(Scoring):
    """A trained model as `pubcom score` loads it (``scorer.joblib``): the three estimators as `LinearScorer`s (or
    None), the card and the folder."""

    def __init__(self, theme, response_type, response_type_from_opinion, card=None, path=None):
        self.theme, self.response_type = theme, response_type
        self.response_type_from_opinion = response_type_from_opinion
        self.card, self.path = card or {}, path

    def __getstate__(self):
        return {**self.__dict__, "card": {}, "path": None}  # the card is its own file next to this one
