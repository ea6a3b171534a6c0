"""Every method tried for keyword-free retraining, on the two settings the method was chosen on (school-reorg and
dx-authored of benchmarks/keyword_free.py), seeds 0-4 x stratified 5-fold, the same folds for all: mean theme
macro-F1 and the paired difference from the plain TF-IDF + LR baseline. Kept so the choice can be re-checked; the
product's method is measured by benchmarks/keyword_free.py. Prints a table; never a pass/fail test.

    python benchmarks/keyword_free_candidates.py            # all candidates (a few minutes)
    python benchmarks/keyword_free_candidates.py nb ens     # only candidates whose name contains one of these
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see keyword_free.py
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keyword_free as kf  # noqa: E402  (puts the checkout's package on the path)
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.preprocessing import normalize as l2  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from pipeline.features import char_vectorizer, token_vectorizer  # noqa: E402
from pipeline.normalize import normalize  # noqa: E402

_NOT_KANJI_KANA = re.compile(r"[^\u4e00-\u9fff\u30a0-\u30ffー]+")


class Candidate:
    """Word TF-IDF (lemmas) and optional extra blocks -> a linear model. Options (all fitted on the training fold):
    char: char n-gram range; tokchar: char n-grams inside each token; kanji: char n-grams of kanji / katakana only;
    label_w: each theme label as a training text of this weight (label_split: also its parts split at ・);
    reply_w: each training row's reply as a training text of this weight; nb: NB-SVM log-count-ratio scaling,
    one-vs-rest (Wang & Manning 2012); ensemble: one LR per block, decision scores summed; centroid: add this
    times the cosine to each class centroid; inner_cv: C chosen by 3-fold CV inside the training fold."""

    def __init__(self, tokenizer, *, word=True, word_ngram=(1, 1), char=None, tokchar=None, kanji=None, C=10.0,
                 char_w=1.0, label_w=0.0, label_split=False, reply_w=0.0, nb=False, ensemble=False, centroid=0.0,
                 inner_cv=None, binary=False, svm=False):
        self.tokenizer, self.word, self.word_ngram, self.char, self.tokchar, self.kanji = (
            tokenizer, word, word_ngram, char, tokchar, kanji)
        self.C, self.char_w, self.label_w, self.label_split, self.reply_w = C, char_w, label_w, label_split, reply_w
        self.nb, self.ensemble, self.centroid, self.inner_cv, self.binary, self.svm = (
            nb, ensemble, centroid, inner_cv, binary, svm)

    def _vectorizers(self):
        blocks = []
        if self.word:
            vectorizer = token_vectorizer(self.tokenizer, ngram_range=self.word_ngram)
            blocks.append((vectorizer.set_params(binary=True) if self.binary else vectorizer, 1.0))
        if self.char:
            blocks.append((char_vectorizer(ngram_range=self.char), self.char_w))
        if self.tokchar:
            low, high = self.tokchar
            tokenizer = self.tokenizer

            def inside(text):
                return [t[i:i + n] for t in tokenizer(text) for n in range(low, high + 1) for i in range(len(t) - n + 1)]
            blocks.append((TfidfVectorizer(analyzer=inside, sublinear_tf=True, min_df=2), self.char_w))
        if self.kanji:
            blocks.append((TfidfVectorizer(analyzer="char", ngram_range=self.kanji, min_df=2, lowercase=False,
                                           preprocessor=lambda s: _NOT_KANJI_KANA.sub(" ", s), sublinear_tf=True),
                           self.char_w))
        return blocks

    def fit(self, rows, taxonomy):
        texts, labels = [normalize(t) for t in rows["opinion"]], list(rows["theme"])
        weights = [1.0] * len(texts)
        if self.label_w:
            for theme in taxonomy.themes:
                parts = re.split(r"[・、/]", theme.label_ja) if self.label_split else []
                texts.append(normalize(" ".join([theme.label_ja, *parts])))
                labels.append(theme.id)
                weights.append(self.label_w)
        if self.reply_w:
            replied = rows[rows["response"] != ""]
            texts += [normalize(t) for t in replied["response"]]
            labels += list(replied["theme"])
            weights += [self.reply_w] * len(replied)
        y, w = np.array(labels, dtype=object), np.array(weights)
        self.blocks_ = self._vectorizers()
        mats = [v.fit_transform(texts) * s for v, s in self.blocks_]
        self.classes_ = np.unique(y)
        if self.ensemble:
            self.models_ = [self._linear(self.C).fit(m, y, sample_weight=w) for m in mats]
            return self
        matrix = sp.hstack(mats, format="csr")
        if self.nb:
            self.ratios_ = self._nb_ratios(matrix, y)
            self.models_ = [self._linear(self.C).fit(matrix.multiply(r).tocsr(), (y == c).astype(int), sample_weight=w)
                            for c, r in zip(self.classes_, self.ratios_)]
            return self
        self.model_ = self._linear(self._choose_c(matrix, y, w) if self.inner_cv else self.C).fit(matrix, y, sample_weight=w)
        if self.centroid:
            self.centroids_ = l2(sp.vstack([sp.csr_matrix(matrix[y == c].multiply(w[y == c][:, None]).sum(0))
                                            for c in self.classes_]))
        return self

    def _linear(self, C):
        if self.svm:
            return LinearSVC(C=C, class_weight="balanced")
        return LogisticRegression(C=C, class_weight="balanced", max_iter=5000)

    def _choose_c(self, matrix, y, w):
        best = None
        for C in self.inner_cv:
            pred = np.empty(len(y), dtype=object)
            for train, test in StratifiedKFold(3, shuffle=True, random_state=0).split(matrix, y):
                pred[test] = self._linear(C).fit(matrix[train], y[train], sample_weight=w[train]).predict(matrix[test])
            score = f1_score(y, pred, average="macro")
            best = (score, C) if best is None or score > best[0] + 1e-9 else best
        return best[1]

    def _nb_ratios(self, matrix, y):
        present = (matrix > 0).astype(float)
        ratios = []
        for c in self.classes_:
            p = np.asarray(present[y == c].sum(0)).ravel() + 1.0
            q = np.asarray(present[y != c].sum(0)).ravel() + 1.0
            ratios.append(np.log((p / p.sum()) / (q / q.sum())))
        return ratios

    def predict(self, texts):
        mats = [v.transform([normalize(t) for t in texts]) * s for v, s in self.blocks_]
        if self.ensemble:
            scores = sum(m.decision_function(x) for m, x in zip(self.models_, mats))
        else:
            matrix = sp.hstack(mats, format="csr")
            if self.nb:
                scores = np.column_stack([m.decision_function(matrix.multiply(r).tocsr())
                                          for m, r in zip(self.models_, self.ratios_)])
            else:
                scores = self.model_.decision_function(matrix)
                if self.centroid:
                    scores = scores + self.centroid * (matrix @ self.centroids_.T).toarray()
        return self.classes_[np.argmax(scores, axis=1)]


CANDIDATES = {
    "plain (C=10)": {}, "C=1": {"C": 1.0}, "C=3": {"C": 3.0}, "C=30": {"C": 30.0}, "C=100": {"C": 100.0},
    "C by inner 3-fold CV": {"inner_cv": [1, 3, 10, 30, 100]}, "LinearSVC C=1": {"svm": True, "C": 1.0},
    "LinearSVC C=0.3": {"svm": True, "C": 0.3}, "binary tf": {"binary": True}, "lemma 1-2 grams": {"word_ngram": (1, 2)},
    "+ char 1-3": {"char": (1, 3)}, "+ char 1-3 x0.5": {"char": (1, 3), "char_w": 0.5},
    "+ char 1-3, C=30": {"char": (1, 3), "C": 30.0}, "+ char 2-4": {"char": (2, 4)}, "+ char 1-2": {"char": (1, 2)},
    "+ char 1-1": {"char": (1, 1)}, "char 1-3 alone, C=30": {"word": False, "char": (1, 3), "C": 30.0},
    "char 2-4 alone": {"word": False, "char": (2, 4)},
    "+ chars inside tokens 1-1": {"tokchar": (1, 1)}, "+ chars inside tokens 1-2": {"tokchar": (1, 2)},
    "+ kanji/katakana 1-1": {"kanji": (1, 1)}, "+ kanji/katakana 1-2": {"kanji": (1, 2)},
    "two LRs, word and char 1-3, logits summed": {"char": (1, 3), "ensemble": True},
    "NB-SVM word": {"nb": True}, "NB-SVM word + char 2-4": {"char": (2, 4), "nb": True},
    "+ labels x1": {"label_w": 1.0}, "+ labels split at ・ x1": {"label_w": 1.0, "label_split": True},
    "+ labels split at ・ x3": {"label_w": 3.0, "label_split": True},
    "+ replies x0.3": {"reply_w": 0.3}, "+ replies x1": {"reply_w": 1.0},
    "+ char 1-2 + labels x0.3": {"char": (1, 2), "label_w": 0.3},
    "+ char 1-2 + labels x1 (product, no replies)": {"char": (1, 2), "label_w": 1.0},
    "+ char 1-1 + labels x1": {"char": (1, 1), "label_w": 1.0},
    "+ char 1-3 + labels split x1": {"char": (1, 3), "label_w": 1.0, "label_split": True},
    "two LRs, word and char 1-2, logits summed, + labels x1": {"char": (1, 2), "label_w": 1.0, "ensemble": True},
    "+ char 1-2 + labels x1 + centroid x5": {"char": (1, 2), "label_w": 1.0, "centroid": 5.0},
    "+ char 1-2 + labels x1 + centroid x20": {"char": (1, 2), "label_w": 1.0, "centroid": 20.0},
    "+ char 1-2 + labels x1 + replies x0.3 (product)": {"char": (1, 2), "label_w": 1.0, "reply_w": 0.3},
    "+ char 1-2 + labels x1 + replies x1": {"char": (1, 2), "label_w": 1.0, "reply_w": 1.0},
    "+ char 1-2 + labels x2 + replies x0.3": {"char": (1, 2), "label_w": 2.0, "reply_w": 0.3},
    "two LRs, word and char 1-2, logits summed, + labels x1 + replies x0.3": {"char": (1, 2), "label_w": 1.0, "reply_w": 0.3,
                                                              "ensemble": True},
    "+ char 1-2 + labels x1 + replies x0.3 + centroid x10": {"char": (1, 2), "label_w": 1.0, "reply_w": 0.3,
                                                               "centroid": 10.0},
}
SETTINGS = dict(list(kf.SETTINGS.items())[:2])  # the two the method was chosen on


def main(argv=None) -> None:
    wanted = argv if argv is not None else sys.argv[1:]
    names = [n for n in CANDIDATES if n == "plain (C=10)" or not wanted or any(w in n for w in wanted)]
    tokenizer = kf.JapaneseTokenizer(normalized=True, cache_size=1_000_000)
    seeds = range(5)
    scores = {(s, n): [] for s in SETTINGS for n in names}
    for setting, load in SETTINGS.items():
        for seed in seeds:
            frame, taxonomy = load(seed)
            labels = frame["theme"].to_numpy(dtype=object)
            preds = {n: np.empty(len(frame), dtype=object) for n in names}
            for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(frame, labels):
                for n in names:
                    model = Candidate(tokenizer, **CANDIDATES[n]).fit(frame.iloc[train], taxonomy)
                    preds[n][test] = model.predict(frame["opinion"].iloc[test].tolist())
            for n in names:
                scores[(setting, n)].append(f1_score(labels, preds[n], average="macro"))
    short = [s.split(" (")[0] for s in SETTINGS]
    print("| candidate | " + " | ".join(f"{s} mean | {s} - plain (min)" for s in short) + " |")
    print("|---|" + "---|---|" * len(short))
    for n in names:
        cells = []
        for s in SETTINGS:
            values, plain = np.array(scores[(s, n)]), np.array(scores[(s, "plain (C=10)")])
            cells += [f"{values.mean():.3f}", f"{(values - plain).mean():+.3f} ({(values - plain).min():+.3f})"]
        print(f"| {n} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
