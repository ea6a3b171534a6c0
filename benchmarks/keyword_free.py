"""Keyword-free retraining benchmark: does our model beat a plain TF-IDF + linear model when the user's taxonomy
has labels only (no descriptions, no keywords)? Prints a table; never a pass/fail test.

Three settings, so that a method is not tuned to one small set (the method was chosen on the first two; the third
was looked at once, afterwards):
- school-reorg: data/raw/examples/school-reorg-sample.csv (200 labelled opinions, 9 themes) with its drafted
  taxonomy data/raw/examples/school-reorg.toml (labels only, as `pubcom taxonomy init` writes it);
- dx-authored: the packaged dx-ja authored examples (600 rows, 12 themes, 50 each), 20 per theme drawn afresh
  for every seed (240 rows), with a copy of the dx-ja taxonomy emptied to its labels (no descriptions, keywords,
  reply phrases);
- dx-heldout: data/raw/dx-heldout-authored.csv (144 rows, 12 themes, an independent author's), same taxonomy.

For every seed: one stratified 5-fold split, the same folds for every method; theme macro-F1 over the out-of-fold
predictions. Methods: `plain` is exactly the `no_taxonomy` baseline `pubcom evaluate` reports (TF-IDF over our
tokenizer's lemmas + LogisticRegression C=10, balanced classes; C=10 was the best of 1 / 3 / 10 / 30 / 100 and an
inner-CV choice on both settings); `model` is `pipeline.train.estimator_for("theme", ...)` fitted on
`training_data` (the opinions, plus their replies at REPLY_WEIGHT), what `pubcom train` / `pubcom evaluate` fit;
`model, opinions only` the same for labelled rows without replies. All see only the training fold.

    python benchmarks/keyword_free.py              # 5 seeds x 5 folds, the three settings (a few minutes)
    python benchmarks/keyword_free.py --seeds 2    # quicker
    python benchmarks/keyword_free.py --write      # and replace its section of benchmarks/results.md
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

# hundreds of small fits: a multi-threaded BLAS spends more time waking threads than computing (10x slower on a
# shared 2-core machine); set before numpy loads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's package, installed or not

from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from pipeline.evaluate import plain_estimator  # noqa: E402
from pipeline.taxonomy import load_taxonomy  # noqa: E402
from pipeline.tokenizer import JapaneseTokenizer  # noqa: E402
from pipeline.train import estimator_for, label_ids, load_examples, read_labelled, training_data  # noqa: E402

EXAMPLES = ROOT / "data" / "raw" / "examples"


def _plain(rows, taxonomy, tokenizer):
    return plain_estimator("theme", taxonomy, tokenizer).fit(rows["opinion"].tolist(), rows["theme"].tolist())


def _model_opinions(rows, taxonomy, tokenizer):
    return _model(rows.assign(response=""), taxonomy, tokenizer)


def _model(rows, taxonomy, tokenizer):
    texts, labels, weights = training_data("theme", rows, taxonomy)
    return estimator_for("theme", taxonomy, tokenizer).fit(texts, labels, sample_weight=weights)


# name -> fit(training rows, taxonomy, tokenizer); "model" is what `pubcom train` / `pubcom evaluate` fit,
# "model, opinions only" the same for a user whose labelled rows carry no replies
METHODS = {"plain": _plain, "model, opinions only": _model_opinions, "model": _model}


def labels_only(taxonomy):
    """The taxonomy with its descriptions, keywords and reply phrases emptied: what a user drafting from labels has."""
    themes = tuple(dataclasses.replace(t, description="", keywords=()) for t in taxonomy.themes)
    replies = tuple(dataclasses.replace(r, description="", phrases=()) for r in taxonomy.response_types)
    return dataclasses.replace(taxonomy, themes=themes, response_types=replies, description="")


def school_reorg(seed: int):
    taxonomy = load_taxonomy(EXAMPLES / "school-reorg.toml")
    return label_ids(read_labelled([EXAMPLES / "school-reorg-sample.csv"]), taxonomy), taxonomy


def dx_authored(seed: int, per_theme: int = 20):
    frame = load_examples()
    themes = frame["theme"].to_numpy(dtype=object)
    rng = np.random.default_rng(seed)
    picked = np.sort(np.concatenate([rng.choice(np.flatnonzero(themes == t), per_theme, replace=False)
                                     for t in sorted(set(themes))]))
    return frame.iloc[picked].reset_index(drop=True), labels_only(load_taxonomy())


def dx_heldout(seed: int):
    frame = read_labelled([ROOT / "data" / "raw" / "dx-heldout-authored.csv"])
    return frame, labels_only(load_taxonomy())


SETTINGS = {"school-reorg (200 rows, 9 themes)": school_reorg, "dx-authored (240 of 600 rows, 12 themes)": dx_authored,
            "dx-heldout (144 rows, 12 themes; checked once, after the method was chosen)": dx_heldout}


def macro_f1_per_seed(load, seeds, folds: int, tokenizer) -> dict[str, list[float]]:
    scores = {name: [] for name in METHODS}
    for seed in seeds:
        frame, taxonomy = load(seed)
        labels = frame["theme"].to_numpy(dtype=object)
        preds = {name: np.empty(len(frame), dtype=object) for name in METHODS}
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(frame, labels):
            test_texts = frame["opinion"].iloc[test].tolist()
            for name, fit in METHODS.items():
                preds[name][test] = fit(frame.iloc[train], taxonomy, tokenizer).predict(test_texts)
        for name in METHODS:
            scores[name].append(float(f1_score(labels, preds[name], average="macro")))
    return scores


def table(setting: str, scores: dict[str, list[float]], seeds) -> list[str]:
    plain = np.array(scores["plain"])
    sd = (lambda v: f"{np.std(v, ddof=1):.3f}") if len(seeds) > 1 else (lambda v: "-")
    others = [name for name in scores if name != "plain"]
    lines = [f"**{setting}**", "", "| seed | plain TF-IDF + LR | " + " | ".join(
        f"{name} | {name} - plain" for name in others) + " |", "|---|---|" + "---|---|" * len(others)]
    for i, seed in enumerate(seeds):
        lines.append(f"| {seed} | {plain[i]:.3f} | " + " | ".join(
            f"{scores[name][i]:.3f} | {scores[name][i] - plain[i]:+.3f}" for name in others) + " |")
    summary = [f"{plain.mean():.3f} ({sd(plain)})"]
    for name in others:
        values = np.array(scores[name])
        diff = values - plain
        summary += [f"{values.mean():.3f} ({sd(values)})",
                    f"{diff.mean():+.3f} (min {diff.min():+.3f}, {int((diff > 0).sum())}/{len(diff)} above)"]
    return lines + ["| mean (sd) | " + " | ".join(summary) + " |", ""]


SECTION = "## Keyword-free retraining"
METHOD = """\
A user's taxonomy drafted from labels (`pubcom taxonomy init`: label_ja only, no descriptions, no keywords). What
`pubcom train` / `pubcom evaluate` fit for it (`pipeline.train.estimator_for` + `training_data`): one linear SVM
(C=1, balanced; logistic regression C=10 until 2026-12) over TF-IDF of our tokenizer's lemmas + TF-IDF of character
1-2 grams + one keyword column per theme matching the parts of its label (weight 0.3); each theme's label as a
training text weighing like one example (KEYWORD_FREE_PARAMS); and, when the
labelled rows carry the city's replies, each reply as a training text for its row's theme at weight 0.3
(REPLY_WEIGHT; scoring reads the opinion alone); when they carry a second theme (`theme_secondary`), each opinion
for it at weight 0.3 (SECONDARY_WEIGHT; only dx-heldout has one). The plain baseline is TF-IDF over the same lemmas + logistic regression (C=10, balanced; C=10 was
the best of 1 / 3 / 10 / 30 / 100 and of an inner-CV choice), nothing else. A taxonomy with keywords (dx-ja) is
unaffected: Otaru leave-one-out theme macro-F1 0.9033 before and after."""


def write_section(path: Path, body: str) -> None:
    """Replace this benchmark's section of results.md (or append it), leaving the rest of the file as it is."""
    from pipeline._io import write_text

    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    write_text(path, text.rstrip("\n") + "\n\n" + body)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="number of shuffle seeds (default 5)")
    parser.add_argument("--folds", type=int, default=5, help="folds per seed (default 5)")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds start here (fresh seeds: e.g. 10)")
    parser.add_argument("--write", action="store_true", help=f"also write the tables to benchmarks/results.md "
                                                              f"('{SECTION}', the rest of the file kept)")
    args = parser.parse_args(argv)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    tokenizer = JapaneseTokenizer(normalized=True, cache_size=1_000_000)  # fitting reads its cache (tokens_of)
    started = time.perf_counter()
    lines = [SECTION, "", METHOD, "",
             f"Run: `python benchmarks/keyword_free.py{' '.join([''] + (argv or sys.argv[1:]))}`, "
             f"{time.strftime('%Y-%m-%d %H:%M')}. Theme macro-F1 of the out-of-fold predictions, seeds "
             f"{seeds[0]}-{seeds[-1]} x stratified {args.folds}-fold, the same folds for every method; "
             "differences are paired (same seed, same folds).", ""]
    for setting, load in SETTINGS.items():
        lines += table(setting, macro_f1_per_seed(load, seeds, args.folds, tokenizer), seeds)
        print("\n".join(lines[-(len(seeds) + 6):]), flush=True)  # one setting at a time
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.write:
        write_section(Path(__file__).resolve().parent / "results.md", "\n".join(lines))
        print("written: benchmarks/results.md")


if __name__ == "__main__":
    main()
