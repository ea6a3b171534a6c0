"""Reply suggestions, measured: how often the suggested reply is the one actually given, and how fast.

    python benchmarks/suggest.py              # quality on ../shared/realdev/ (skipped when absent) and the timing
    python benchmarks/suggest.py --variants   # also the settings the method was chosen among

Quality: K-fold on a real consultation (`../shared/realdev/env-basic-plan-6.csv`, the ministry's replies). Each
fold's opinions get suggestions from the other folds' answered opinions, whose themes are their labels; the new
opinions' themes are predicted by a theme model trained on the other folds (what a user has: last round labelled,
this round scored). A suggestion is right when it is the reply actually given, equal after `reply_key` (NFKC,
whitespace removed). Top-1 / top-3, beside plain TF-IDF nearest neighbour (the reply of the most similar answered
opinion; top-3: of the three most similar with distinct replies) and the most common reply. The ceiling is the
share of opinions whose reply was given to some opinion of the other folds: no method that picks among given
replies can do better.

Speed: suggesting for 10,000 opinions from 10,000 answered ones, both resampled from the project's own data
(`benchmarks/corpus.py`), tokenising included. A benchmark, not a test: nothing here passes or fails.

`sections()` returns the rows (test, metric, model, baseline, note) for the quality benchmark to print.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

REALDEV = ROOT.parent / "shared" / "realdev"
SEED = 0
CHOSEN = {"neighbours": 10, "power": 2.0, "same_theme": 1.5}
CONFIDENT = 0.5  # a suggested_reply_score worth trusting more: how often it is right is measured
VARIANTS = {  # the settings the chosen one was picked among (--variants)
    "no theme": {**CHOSEN, "same_theme": 1.0},
    "5 neighbours": {**CHOSEN, "neighbours": 5},
    "20 neighbours": {**CHOSEN, "neighbours": 20},
    "similarity, not squared": {**CHOSEN, "power": 1.0},
    "similarity ** 4": {**CHOSEN, "power": 4.0},
    "same theme x 2": {**CHOSEN, "same_theme": 2.0},
}


def _realdev() -> pd.DataFrame | None:
    path = REALDEV / "env-basic-plan-6.csv"
    if not path.exists():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.assign(consultation_id=frame["source_id"])


class _Folds:
    """The K folds of one consultation, tokenised once, with each fold's theme predictions."""

    def __init__(self, frame: pd.DataFrame, k: int):
        from sklearn.model_selection import KFold

        from pipeline.normalize import normalize
        from pipeline.suggest import answered_frame, reply_key
        from pipeline.tokenizer import JapaneseTokenizer

        self.answered = answered_frame(frame, source="realdev", consultation_id="realdev")
        self.texts = [normalize(t) for t in self.answered["opinion"]]
        self.keys = np.array([reply_key(r) for r in self.answered["response"]], dtype=object)
        self.tokenizer = JapaneseTokenizer(normalized=True, cache_size=10_000)
        self.tokenizer.tokens_of(self.texts)  # each text tokenised once for every fold and variant
        self.splits = list(KFold(k, shuffle=True, random_state=SEED).split(self.texts))
        self.themes = [self._themes(train, test) for train, test in self.splits]
        self.top_scores: dict[int, float] = {}  # the last suggester's suggested_reply_score, per opinion

    def _themes(self, train, test) -> list[str]:
        from pipeline.taxonomy import load_taxonomy
        from pipeline.train import estimator_for

        taxonomy = load_taxonomy(REALDEV / "env-basic-plan.toml")
        model = estimator_for("theme", taxonomy, self.tokenizer)
        model.fit([self.texts[i] for i in train], self.answered["theme"].iloc[train].tolist())
        return model.predict([self.texts[i] for i in test]).tolist()

    def ranked(self, method) -> list[list[str]]:
        """Per opinion (in row order): the reply keys `method(train, test, fold)` ranks first, best first."""
        out: list[list[str]] = [[] for _ in self.texts]
        for fold, (train, test) in enumerate(self.splits):
            for i, keys in zip(test, method(train, test, fold)):
                out[i] = keys
        return out

    def suggester(self, settings: dict):
        from pipeline.suggest import ReplySuggester, reply_key

        def method(train, test, fold):
            suggester = ReplySuggester(tokenizer=self.tokenizer, **settings).fit(self.answered.iloc[train])
            found = suggester.suggest([self.texts[i] for i in test], themes=self.themes[fold])
            self.top_scores.update(zip(test.tolist(), found["suggested_reply_score"].fillna(0.0).tolist()))
            return [[reply_key(s["reply"]) for s in json.loads(cell)] if cell else [] for cell in found["suggested_replies"]]
        return method

    def nearest(self, train, test, fold):
        """Plain TF-IDF nearest neighbour: the replies of the most similar answered opinions, distinct, in order."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        lists = self.tokenizer.tokens_of(self.texts)
        vectorizer = TfidfVectorizer(analyzer=lambda text: lists[text], sublinear_tf=True)
        answered = vectorizer.fit_transform([self.texts[i] for i in train])
        similarity = (vectorizer.transform([self.texts[i] for i in test]) @ answered.T).toarray()
        ranked = []
        for row in similarity:
            order = np.argsort(-row, kind="stable")
            ranked.append(list(dict.fromkeys(self.keys[train][order]))[:3])
        return ranked

    def most_common(self, train, test, fold):
        counts = pd.Series(self.keys[train]).value_counts(sort=True)
        return [counts.index[:3].tolist()] * len(test)

    def hits(self, ranked) -> tuple[float, float]:
        top1 = np.mean([bool(r) and r[0] == key for r, key in zip(ranked, self.keys)])
        top3 = np.mean([key in r[:3] for r, key in zip(ranked, self.keys)])
        return float(top1), float(top3)

    def ceiling(self) -> float:
        found = [self.keys[i] in set(self.keys[train]) for train, test in self.splits for i in test]
        return float(np.mean(found))


def quality(k: int = 5, variants: bool = False) -> list[dict]:
    frame = _realdev()
    if frame is None:
        print(f"quality: skipped ({REALDEV} is absent)")
        return []
    folds = _Folds(frame, k)
    test = f"real consultation (env-basic-plan-6, {len(folds.texts)} opinions, {len(set(folds.keys))} distinct replies), {k}-fold"
    nearest, common = folds.hits(folds.ranked(folds.nearest)), folds.hits(folds.ranked(folds.most_common))
    chosen = folds.hits(folds.ranked(folds.suggester(CHOSEN)))
    confident = np.array([folds.top_scores[i] >= CONFIDENT for i in range(len(folds.texts))])
    right = np.array([bool(r) and r[0] == key for r, key in zip(folds.ranked(folds.suggester(CHOSEN)), folds.keys)])
    ceiling = folds.ceiling()
    note = (f"ceiling {ceiling:.2f} (reply given in another fold); most common reply {common[0]:.2f} / {common[1]:.2f}; "
            f"of the reachable: top-1 {chosen[0] / ceiling:.2f}, top-3 {chosen[1] / ceiling:.2f}")
    rows = [{"test": test, "metric": "suggested reply = actual, top-1", "model": chosen[0], "baseline": nearest[0],
             "note": "baseline: plain TF-IDF nearest neighbour; " + note},
            {"test": test, "metric": "suggested reply = actual, top-3", "model": chosen[1], "baseline": nearest[1],
             "note": "baseline: plain TF-IDF nearest neighbour (3 distinct replies)"}]
    rows.append({"test": test, "metric": f"top-1 right when suggested_reply_score >= {CONFIDENT}",
                 "model": float(right[confident].mean()) if confident.any() else None,
                 "baseline": float(right[~confident].mean()) if (~confident).any() else None,
                 "note": f"{int(confident.sum())} of {len(right)} opinions reach the score; baseline: the others"})
    for name, settings in VARIANTS.items() if variants else ():
        top1, top3 = folds.hits(folds.ranked(folds.suggester(settings)))
        rows.append({"test": test, "metric": f"variant '{name}', top-1 / top-3", "model": f"{top1:.3f} / {top3:.3f}",
                     "baseline": f"{chosen[0]:.3f} / {chosen[1]:.3f}", "note": "baseline: the chosen settings"})
    return rows


def speed(n: int = 10_000) -> list[dict]:
    from corpus import comments, labelled

    from pipeline.suggest import ReplySuggester, answered_frame
    from pipeline.tokenizer import JapaneseTokenizer

    answered = answered_frame(labelled(n, seed=SEED), source="corpus", consultation_id="corpus")
    new = comments(n, seed=SEED + 1)
    start = time.perf_counter()
    suggester = ReplySuggester(tokenizer=JapaneseTokenizer(normalized=True), **CHOSEN).fit(answered)
    fitted = time.perf_counter()
    found = suggester.suggest(new)
    done = time.perf_counter()
    note = (f"{len(answered)} answered ({len(suggester.replies_)} distinct replies) indexed in {fitted - start:.1f} s, "
            f"{len(new)} suggested in {done - fitted:.1f} s, tokenising included; "
            f"{int((found['suggested_reply'] != '').sum())} got a suggestion")
    return [{"test": f"resampled project data, {n:,} from {n:,}", "metric": "seconds to suggest (index + suggest)",
             "model": round(done - start, 1), "baseline": None, "note": note}]


def sections(k: int = 5, variants: bool = False, n: int = 10_000) -> list[dict]:
    """The benchmark's rows: test, metric, model, baseline, note."""
    return quality(k, variants) + speed(n)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="K of the K-fold (default 5)")
    parser.add_argument("--variants", action="store_true", help="also measure the settings the method was chosen among")
    parser.add_argument("--rows", type=int, default=10_000, help="opinions and answered opinions for the timing")
    args = parser.parse_args(argv)
    rows = sections(args.folds, args.variants, args.rows)
    print("| test | metric | model | baseline | note |\n|---|---|---|---|---|")
    for row in rows:
        cells = [f"{v:.3f}" if isinstance(v, float) else ("" if v is None else str(v)) for v in row.values()]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
