"""Benchmark of `pubcom taxonomy discover` (prints a table; never a pass/fail test).

Adjusted mutual information between the themes found and a person's themes, at the same number of themes, for:
the baselines (NMF on TF-IDF of the project's lemmas, each opinion in its strongest component; k-means on the same
unit-length vectors) and what `pipeline.discovery` does (copies grouped, spectral clustering of the nearest-neighbour
graph of lemma + character 1-2 gram TF-IDF); and what `--themes auto` chooses. Mean and standard deviation over
five seeds.

Data: the taxonomy's authored examples (pipeline/taxonomies/dx-ja.examples.csv, always there) and, when present,
../shared/realdev/ (the 6th Basic Environment Plan's opinions and the analyst's topics; never in the project).

    python benchmarks/discovery.py
"""
from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REALDEV = ROOT.parent / "shared" / "realdev" / "env-basic-plan-6.csv"
EXAMPLES = ROOT / "pipeline" / "taxonomies" / "dx-ja.examples.csv"
SEEDS = range(5)


def lemma_tfidf(texts: list[str]):
    from pipeline.features import token_vectorizer
    from pipeline.tokenizer import JapaneseTokenizer

    return token_vectorizer(JapaneseTokenizer(normalized=True), min_df=2).fit_transform(texts)


def nmf(texts, k, seed):
    from sklearn.decomposition import NMF

    return NMF(k, init="nndsvda", random_state=seed, max_iter=600).fit_transform(lemma_tfidf(texts)).argmax(axis=1)


def kmeans(texts, k, seed):
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import normalize as unit

    return KMeans(k, n_init=10, random_state=seed).fit_predict(unit(lemma_tfidf(texts)))


def discovered(texts, k, seed):
    from pipeline.discovery import discover

    return discover(texts, themes=k, seed=seed).labels


METHODS = [("NMF on lemma TF-IDF (baseline)", nmf), ("k-means on lemma TF-IDF (baseline)", kmeans),
           ("pipeline.discovery: spectral, lemma + char graph, copies grouped", discovered)]


def measure(name: str, texts: list[str], truth: list[str]) -> list[str]:
    from sklearn.metrics import adjusted_mutual_info_score as ami

    from pipeline.discovery import discover
    from pipeline.normalize import normalize

    texts = [normalize(t) for t in texts]
    k = len(set(truth))
    rows = []
    for what, method in METHODS:
        start = time.perf_counter()
        scores = [ami(truth, method(texts, k, seed)) for seed in SEEDS]
        took = (time.perf_counter() - start) / len(SEEDS)
        rows.append(f"| {name} | {what} | {k} | {np.mean(scores):.3f} ± {np.std(scores):.3f} | {took:.1f} |")
    auto = discover(texts, themes="auto", seed=0)
    rows.append(f"| {name} | `--themes auto` (eigengap) | {len(auto.sizes)} chosen | {ami(truth, auto.labels):.3f} | - |")
    return rows


def main() -> None:
    warnings.filterwarnings("ignore", category=FutureWarning)
    print(f"load average before: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| data | method | themes | AMI with the person's themes | s per run |\n|---|---|---|---|---|")
    examples = pd.read_csv(EXAMPLES, dtype=str, keep_default_na=False)
    examples = examples[(examples["opinion"] != "") & (examples["theme"] != "")]
    for line in measure(f"dx-ja authored examples ({len(examples)})", examples["opinion"].tolist(),
                        examples["theme"].tolist()):
        print(line, flush=True)
    if REALDEV.exists():
        real = pd.read_csv(REALDEV, dtype=str, keep_default_na=False)
        for line in measure(f"realdev 6th Basic Environment Plan ({len(real)})", real["opinion"].tolist(),
                            real["theme"].tolist()):
            print(line, flush=True)
    else:
        print("(../shared/realdev/ absent: real-data rows skipped)")
    print(f"load average after: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
