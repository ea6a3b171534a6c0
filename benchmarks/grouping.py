"""Benchmark of `pubcom group` (prints a table; never a pass/fail test).

1. Quality on a generated consultation with known truth (benchmarks/campaign.py: five campaign templates copied
   and edited, 96% of the rows, among the project's own opinions recombined): B-cubed precision / recall / F1 of
   exact-duplicate-only grouping (the baseline) and of MinHash LSH at several thresholds and shingle sizes.
2. Speed and memory of `pubcom group FILE.csv --out OUT.csv` as a whole process: wall time and peak RSS.
3. With ../shared/realdev/ present (never in the project): groups found on the real consultation and whether any
   group mixes the analyst's themes.

    python benchmarks/grouping.py                 # quality at 25,000 rows; whole process at 25,000 and 200,000
    python benchmarks/grouping.py --rows 1000000  # also 1,000,000 rows (bounded memory)
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import campaign  # noqa: E402

REALDEV = ROOT.parent / "shared" / "realdev" / "env-basic-plan-6.csv"
SETTINGS = [(3, 0.5), (3, 0.6), (3, 0.7), (2, 0.6), (4, 0.6)]
_MEASURE = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)")


def quality(n: int) -> list[str]:
    from pipeline.grouping import THRESHOLD, Grouper, grouping_key

    texts, truth = campaign.consultation(n)
    exact: dict[str, int] = {}
    rows = [_row("exact duplicates only (normalised key)", campaign.bcubed(
        [exact.setdefault(grouping_key(t), len(exact)) for t in texts], truth), len(exact), n)]
    for shingle, threshold in SETTINGS:
        start = time.perf_counter()
        grouper = Grouper(threshold=threshold, shingle=shingle)
        grouper.add(texts)
        labels = grouper.labels()
        chosen = " (default)" if (shingle, threshold) == (3, THRESHOLD) else ""
        rows.append(_row(f"MinHash LSH, char {shingle}-grams, threshold {threshold}{chosen}",
                         campaign.bcubed(labels, truth), int(labels.max()), n, time.perf_counter() - start))
    return rows


def _row(what: str, scores, groups: int, n: int, seconds: float | None = None) -> str:
    p, r, f = scores
    took = f"{seconds:.1f}" if seconds is not None else "-"
    return f"| {what} | {n:,} | {groups:,} | {p:.4f} | {r:.4f} | {f:.4f} | {took} |"


def whole_process(n: int) -> str:
    """`pubcom group` on a CSV of `n` generated rows, in a fresh process: wall seconds and peak RSS."""
    import pandas as pd

    texts, _ = campaign.consultation(n, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "campaign.csv", Path(folder) / "grouped.csv"
        pd.DataFrame({"id": range(1, n + 1), "opinion": texts}).to_csv(source, index=False)
        del texts
        pubcom = Path(sys.executable).with_name("pubcom")
        command = [str(pubcom), "group", str(source), "--out", str(out)]
        start = time.perf_counter()
        # a fresh parent per run, so that the peak of children is this run's alone
        done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode:
            raise SystemExit(done.stderr)
        peak = int(done.stdout.split()[-1])
        groups = pd.read_csv(out, usecols=["group_id"])["group_id"].nunique()
    rss = f"{peak / 1024:.0f} MiB"
    target = {25_000: "< 30 s", 200_000: "< 60 s"}.get(n, "bounded memory")
    return f"| `pubcom group` whole process, CSV in/out | {n:,} | {groups:,} | {wall:.1f} | {rss} | {target}; < 1.5 GiB |"


def realdev() -> list[str]:
    if not REALDEV.exists():
        return ["(../shared/realdev/ absent: real-data part skipped)"]
    import pandas as pd

    from pipeline.grouping import THRESHOLD, Grouper, grouping_key, signatures

    frame = pd.read_csv(REALDEV, dtype=str, keep_default_na=False)
    lines = []
    for threshold in (0.5, THRESHOLD, 0.7):
        grouper = Grouper(threshold=threshold)
        grouper.add(frame["opinion"].tolist())
        frame["group"] = grouper.labels()
        sizes = frame.groupby("group").agg(n=("theme", "size"), themes=("theme", "nunique"))
        shared = sizes[sizes["n"] > 1]
        lines.append(f"- threshold {threshold}: {len(sizes)} groups for {len(frame)} opinions; {len(shared)} groups of "
                     f"2+ rows ({int(shared['n'].sum())} rows, largest {int(sizes['n'].max())}); groups mixing the "
                     f"analyst's themes: {int((shared['themes'] > 1).sum())}")
    campaign_rows = frame[frame["opinion"].str.contains("香害|マイクロカプセル")]
    sigs = signatures([grouping_key(t) for t in campaign_rows["opinion"]])
    import numpy as np

    similarity = (sigs[:, None, :] == sigs[None, :, :]).mean(axis=2)[np.triu_indices(len(sigs), 1)]
    lines.append(f"- the {len(campaign_rows)} opinions naming the campaign's subject: estimated Jaccard between pairs "
                 f"median {np.median(similarity):.3f}, 99th percentile {np.percentile(similarity, 99):.3f} (each "
                 "in the writer's own words: not copies; theme discovery, not grouping, gathers them)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality-rows", type=int, default=25_000)
    parser.add_argument("--rows", type=int, nargs="+", default=[25_000, 200_000])
    args = parser.parse_args()
    print(f"load average before: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| grouping | rows | groups | B-cubed P | B-cubed R | B-cubed F1 | in-process s |\n|---|---|---|---|---|---|---|")
    for line in quality(args.quality_rows):
        print(line, flush=True)
    print("\n| measure | rows | groups | wall s | peak RSS | target |\n|---|---|---|---|---|---|")
    for n in args.rows:
        print(whole_process(n), flush=True)
    print("\nreal data (../shared/realdev/, the 6th Basic Environment Plan):")
    for line in realdev():
        print(line)
    print(f"load average after: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
