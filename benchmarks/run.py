"""Speed and memory benchmark of pubcom-pipeline (prints a table; never a pass/fail test).

Measures, on the same generated comments (benchmarks/corpus.py: the project's own opinions, sentences recombined
with a fixed seed): bare fugashi surface tokenization; `pubcom score` end to end as a whole process, from a CSV
file, with --jobs 1 and --jobs 2; peak RSS of scoring; `pipeline.train.train()` at several sizes; the cold start
of scoring one comment from the command line. Medians over --repeats. The table is printed and written
(atomically) to benchmarks/results.md.

    python benchmarks/run.py            # the full run (100k and 1M rows: several minutes)
    python benchmarks/run.py --quick    # smaller sizes, training at 100k skipped
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's package, installed or not
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402  (needs the path above)

FULL = {"score": [100_000], "memory": [100_000, 1_000_000], "train": [1_000, 10_000, 100_000]}
QUICK = {"score": [10_000], "memory": [10_000, 100_000], "train": [1_000, 10_000]}
ONE_COMMENT = "マイナンバーカードの手続をオンラインでできるようにしてほしい。窓口の待ち時間が長すぎます。"


def parse_sizes(text: str) -> dict:
    """'score=300,memory=300/600,train=100/200' -> {"score": [300], "memory": [300, 600], "train": [100, 200]}."""
    sizes = {}
    for part in filter(None, text.split(",")):
        key, _, values = part.partition("=")
        if key not in FULL or not values:
            raise SystemExit(f"--sizes: expected score=N, memory=N/N, train=N/N/N; got {part!r}")
        sizes[key] = [int(v) for v in values.split("/")]
    return sizes


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores, Python {platform.python_version()}, {platform.system()}"


def tokenizer_path() -> str:
    from pipeline.tokenizer import JapaneseTokenizer

    if JapaneseTokenizer().fast:
        return "MeCab's best path read by the compiled walker (pipeline._mecab)"
    return "MeCab's text output (pipeline._mecab is not built here: about twice as slow)"


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


# A child forked from this (large) process inherits its peak RSS on Linux, so each command is started by a small
# launcher process and measured there with wait4: the numbers are the command's own.
_LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:], stdin=sys.stdin, stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)  # its rusage includes the workers it waited for (--jobs)
result = {"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
          "rss_mib": usage.ru_maxrss / 1024, "code": os.waitstatus_to_exitcode(status)}
open(sys.argv[1], "w").write(json.dumps(result))
"""


def child(args: list[str], *, stdin: bytes | None = None, home: Path) -> dict:
    """Run a `python -m pipeline` command; its wall time, CPU time (user + system) and peak RSS."""
    import json

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PUBCOM_HOME": str(home)}
    result_file = home / "child.json"
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, str(result_file), sys.executable, "-m", "pipeline", *args],
                          env=env, input=stdin or b"", stderr=subprocess.PIPE)
    result = json.loads(result_file.read_text()) if result_file.exists() else {"code": done.returncode}
    result_file.unlink(missing_ok=True)
    if done.returncode or result["code"]:
        raise SystemExit(f"pipeline {' '.join(args)} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return result


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_bare(texts: list[str], repeats: int) -> dict:
    import fugashi
    import unidic_lite

    tagger = fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')  # the dictionary the pipeline uses, even beside full unidic
    runs = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            [word.surface for word in tagger(text)]
        runs.append({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu})
    return {"wall": median(runs, "wall"), "cpu": median(runs, "cpu")}


def write_csv(path: Path, texts: list[str]) -> None:
    import pandas as pd

    pd.DataFrame({"No": range(1, len(texts) + 1), "ご意見": texts}).to_csv(path, index=False, encoding="utf-8-sig")


def bench_score(csv: Path, model: Path, work: Path, *, jobs: tuple[int, ...], repeats: int) -> dict:
    """jobs -> medians of `pubcom score --jobs N`; the settings take turns within each repeat, so that a slow
    spell of a shared machine falls on all of them alike."""
    runs: dict[int, list] = {n: [] for n in jobs}
    for _ in range(repeats):
        for n in jobs:
            args = ["score", str(csv), "--model", str(model), "--out", str(work / f"scored-{n}.csv"), "--jobs", str(n)]
            runs[n].append(child(args, home=work))
    return {n: {"wall": median(r, "wall"), "cpu": median(r, "cpu"), "rss_mib": max(x["rss_mib"] for x in r)}
            for n, r in runs.items()}


def bench_train(n: int, repeats: int) -> dict:
    from pipeline.train import train

    frame = corpus.labelled(n)
    runs = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        train(frame)
        runs.append({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu})
    return {"wall": median(runs, "wall"), "cpu": median(runs, "cpu")}


def save_model(work: Path) -> Path:
    from pipeline.registry import save_model
    from pipeline.train import train

    return save_model(train(), work / "models")


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def score_rows(n: int, texts: list[str], model: Path, work: Path, repeats: int) -> tuple[list[list], dict]:
    chars = sum(map(len, texts))
    csv = work / f"comments-{n}.csv"
    write_csv(csv, texts)
    bare = bench_bare(texts, repeats)
    timed = bench_score(csv, model, work, jobs=(1, 2), repeats=repeats)
    one, two = timed[1], timed[2]
    ratio, ratio_cpu = bare["wall"] / one["wall"], bare["cpu"] / one["cpu"]
    speedup = one["wall"] / two["wall"]
    rows = [
        ["bare fugashi surface tokenization (in process)", n, bare["wall"], bare["cpu"],
         f"{chars / bare['wall']:,.0f} chars/s ({n / bare['wall']:,.0f} comments/s)", "reference"],
        ["`pubcom score` --jobs 1, whole process, CSV in/out", n, one["wall"], one["cpu"],
         f"{chars / one['wall']:,.0f} chars/s = {ratio:.2f} x bare (CPU time: {ratio_cpu:.2f} x)",
         f">= 0.5 x bare: {_verdict(ratio >= 0.5)}"],
        ["`pubcom score` --jobs 2, whole process (CPU: all processes)", n, two["wall"], two["cpu"],
         f"{chars / two['wall']:,.0f} chars/s = {speedup:.3f} x --jobs 1", f">= 1.6 x: {_verdict(speedup >= 1.6)}"],
    ]
    return rows, {n: one["rss_mib"]}


def memory_rows(sizes: list[int], known: dict, texts: list[str], model: Path, work: Path) -> list[list]:
    rows = []
    for n in sizes:
        runs = "max of the timed runs"
        if n not in known:
            csv = work / f"comments-{n}.csv"
            write_csv(csv, texts[:n])
            known[n] = child(["score", str(csv), "--model", str(model), "--out", str(work / "mem.csv")], home=work)["rss_mib"]
            csv.unlink()
            runs = "1 run"
        target = f"< 1024 MiB: {_verdict(known[n] < 1024)}" if n >= 1_000_000 else ""
        rows.append([f"peak RSS of `pubcom score` --jobs 1 ({runs})", n, None, None, f"{known[n]:,.0f} MiB", target])
    return rows


def train_rows(sizes: list[int], repeats: int, quick: bool) -> list[list]:
    rows = []
    for n in sizes:
        result = bench_train(n, repeats)
        target = f"< 30 s: {_verdict(result['wall'] < 30)}" if n == 10_000 else ""
        rows.append(["`pipeline.train.train()` (fit only, in process)", n, result["wall"], result["cpu"],
                     f"{n / result['wall']:,.0f} rows/s", target])
    if quick and 100_000 not in sizes:
        rows.append(["`pipeline.train.train()` (fit only, in process)", 100_000, None, None, "skipped (--quick)", ""])
    return rows


def cold_row(model: Path, work: Path, repeats: int) -> list:
    runs = [child(["score", "-", "--model", str(model), "--out", "-"], stdin=ONE_COMMENT.encode(), home=work)
            for _ in range(repeats)]
    wall = median(runs, "wall")
    return ["one comment, cold: `printf '...' \\| pubcom score - --out -`", 1, wall, median(runs, "cpu"),
            f"{max(r['rss_mib'] for r in runs):,.0f} MiB peak", f"< 2 s: {_verdict(wall < 2)}"]


_BUSY = "import time\nend = time.perf_counter() + 2\nwhile time.perf_counter() < end: pass\nprint(time.process_time())"


def capacity_row() -> list:
    """How much of a core each of two CPU-bound processes gets right now: 1.0 when two cores are free, 0.5 when
    other work leaves one. Without it the --jobs 2 row cannot be read on a shared machine."""
    procs = [subprocess.Popen([sys.executable, "-c", _BUSY], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    shares = [float(p.communicate()[0]) / 2 for p in procs]
    return ["two busy-loop processes at once (free parallelism now)", 2, 2.0, None,
            f"each got {min(shares):.2f} / {max(shares):.2f} of a core", "1.00 = two free cores"]


def table(rows: list[list], header: list[str]) -> str:
    def cell(value):
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.2f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def run(sizes: dict, repeats: int, quick: bool) -> str:
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="pubcom-bench-") as tmp:
        work = Path(tmp)
        model = save_model(work)
        texts = corpus.comments(max(sizes["score"] + sizes["memory"]))
        rows, rss = [], {}
        for n in sizes["score"]:
            rows.append(capacity_row())
            found, known = score_rows(n, texts[:n], model, work, repeats)
            rows += found
            rows.append(capacity_row())
            rss.update(known)
        rows += memory_rows(sizes["memory"], rss, texts, model, work)
        rows += train_rows(sizes["train"], repeats, quick)
        rows.append(cold_row(model, work, repeats))
        mean_chars = sum(map(len, texts)) / len(texts)
    head = [
        "# Benchmark results", "",
        f"Machine: {machine()}. Load average (1/5/15 min) before: {load_before}, after: {load()}.",
        f"Tokenizer: {tokenizer_path()}.",
        f"Run: `python benchmarks/run.py{' --quick' if quick else ''}`, {time.strftime('%Y-%m-%d %H:%M')}; "
        f"medians over {repeats} repeat(s); comments resampled from the project's data "
        f"(mean {mean_chars:.0f} characters). Wall time is what a user waits; CPU time (user + system of the "
        "process) is less sensitive to other load on a shared machine.", "",
    ]
    header = ["measure", "rows", "median wall s", "median CPU s", "result", "target"]
    return "\n".join(head) + "\n" + table(rows, header) + "\n"


def _other_sections(path: Path) -> str:
    """The '## ' sections other benchmarks wrote below this table (benchmarks/keyword_free.py), kept as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find("\n## ")
    return "\n" + text[start + 1:] if start >= 0 else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run (training at 100k skipped)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per timing; medians are reported (default: 3)")
    parser.add_argument("--sizes", default="", help="override sizes, e.g. score=300,memory=300/600,train=100/200")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results.md",
                        help="where to write the table (default: benchmarks/results.md)")
    args = parser.parse_args(argv)
    sizes = {**(QUICK if args.quick else FULL), **parse_sizes(args.sizes)}
    report = run(sizes, max(1, args.repeats), args.quick)
    from pipeline._io import write_text

    write_text(args.out, report + _other_sections(args.out))
    print(report)
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
