"""Real-text quality benchmark (`make bench-quality`): the project's metrics on real data beside plain baselines on
the same folds, and on the team's own messy test sets. Prints one table and writes it to
benchmarks/results-quality.md. Not a pass/fail test: targets are printed beside the figures.

Sections (each a function `ctx -> list[Row]`):
- Otaru, leave-one-out (the embedded real consultation): theme macro-F1 and reply response type, with the plain
  TF-IDF + logistic regression baseline refitted in the same folds.
- ../shared/realdev/ (a real national consultation; skipped with one line when absent): response type of its
  real replies with the DEFAULT model; a user's own taxonomy (env-basic-plan.toml, labels and descriptions only)
  5-fold theme macro-F1 against TF-IDF + logistic regression on the same folds, and its response type.
- benchmarks/messy/: replies in polite / plain / summary registers (replies.csv) and non-opinions beside short
  real-shaped opinions (non-opinions.csv), written by the team, never used to fit or tune anything.
- Non-opinions and evidence on real opinions: false positives of the non-opinion rule (should be 0) and the share
  of evidence words found verbatim in their opinion.

Extending: a module `benchmarks/quality_themes.py`, when present, defines `sections(ctx) -> list[Row]`; its rows
are appended to the table. `ctx` is a `Context` (below): the project root, the realdev folder or None, the messy
folder, `quick`, and `default_model()` / `otaru()` / `realdev()` (each computed once and shared). A `Row` is
(test, measure, ours, baseline, target): strings, "" where nothing applies (any 5-tuple of strings will do, so
the module need not import this one; `ctx.once(key, make)` shares its own expensive results), or a dict (test,
metric, model, baseline, note; numbers or None), as `quality_themes.py` writes them. A section that needs realdev
checks `ctx.realdev_dir is None` and returns [] (the table then says nothing of it). The themes' folds take minutes:
a --quick run leaves them out.

    python benchmarks/quality.py            # the whole table (a few minutes on 2 cores)
    python benchmarks/quality.py --quick    # smoke run: tiny folds, nothing written unless --out is given
"""
from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # many small fits: BLAS threads only wait (see keyword_free.py)
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's package, installed or not
sys.path.insert(0, str(ROOT / "benchmarks"))

import pandas as pd  # noqa: E402

REALDEV = ROOT.parent / "shared" / "realdev"
MESSY = ROOT / "benchmarks" / "messy"
RESULTS = ROOT / "benchmarks" / "results-quality.md"
REALDEV_SOURCE = ("Ministry of the Environment, 6th Basic Environment Plan consultation (第六次環境基本計画, 2024), "
                  "382 opinions and replies; labels by an analyst who saw no model output")


class Row(NamedTuple):
    test: str
    measure: str
    ours: str
    baseline: str = ""
    target: str = ""


@dataclass
class Context:
    """What every section may use; the expensive parts are computed once, on first use."""

    root: Path = ROOT
    realdev_dir: Path | None = None
    messy_dir: Path = MESSY
    quick: bool = False
    cache: dict = field(default_factory=dict)

    def once(self, key, make):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def default_model(self):
        """The default model, as `pubcom run` trains it: dx-ja, the Otaru rows and the authored examples."""
        from pipeline.train import train

        return self.once("model", lambda: train(self.otaru()))

    def otaru(self) -> pd.DataFrame:
        from pipeline.train import embedded_labelled

        return self.once("otaru", embedded_labelled)

    def realdev(self) -> pd.DataFrame | None:
        """The realdev opinions and replies as a labelled frame, or None when the folder is absent."""
        if self.realdev_dir is None:
            return None
        return self.once("realdev", lambda: read_realdev(self.realdev_dir))


def read_realdev(folder: Path) -> pd.DataFrame:
    from pipeline.train import _standard

    raw = pd.read_csv(folder / "env-basic-plan-6.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = raw.assign(consultation_id=raw["source_id"], source="real")
    return _standard(frame[["consultation_id", "row_no", "opinion", "response", "theme", "response_type", "source"]])


def fmt(value: float) -> str:
    return f"{value:.2f}"


def accuracy(truth, pred) -> float:
    truth, pred = list(truth), list(pred)
    return sum(t == p for t, p in zip(truth, pred)) / len(truth) if truth else float("nan")


def by_register(frame: pd.DataFrame, pred) -> str:
    parts = []
    for register, rows in frame.assign(pred=list(pred)).groupby("register", sort=False):
        parts.append(f"{register} {fmt(accuracy(rows['response_type'], rows['pred']))} ({len(rows)})")
    return ", ".join(parts)


# -- sections ---------------------------------------------------------------------------------------------------

def otaru_loo(ctx: Context) -> list[Row]:
    from pipeline.evaluate import evaluate

    cv = 5 if ctx.quick else "loo"
    m = evaluate(ctx.otaru(), cv=cv, n_boot=100)
    test = f"Otaru (real, {m['n']} rows), {'5-fold' if ctx.quick else 'leave-one-out'}"
    return _versus_plain(test, m, theme_target="≥ 0.85", reply_target="")


def _versus_plain(test: str, m: dict, *, theme_target: str, reply_target: str) -> list[Row]:
    """Theme macro-F1 and reply accuracy of an `evaluate` result beside its plain TF-IDF + LR baseline."""
    theme, reply = m["theme"], m["response_type"]
    return [Row(test, "theme macro-F1 (baseline: TF-IDF + LR, same folds)", fmt(theme["macro_f1"]),
                fmt(theme["baselines"]["no_taxonomy"]["macro_f1"]), theme_target),
            Row(test, "response type (reply) accuracy (baseline: TF-IDF + LR, same folds)", fmt(reply["accuracy"]),
                fmt(reply["baselines"]["no_taxonomy"]["accuracy"]), reply_target)]


def realdev_replies(ctx: Context) -> list[Row]:
    """The default model (never trained on realdev) on its real replies; baseline: TF-IDF + LR trained on realdev
    replies themselves, 5-fold."""
    frame = ctx.realdev()
    rows = frame[frame["response"] != ""]
    model = ctx.default_model()
    ours = accuracy(rows["response_type"], model.response_type.predict(rows["response"].tolist()))
    plain = _plain_cv(rows, "response", "response_type", ctx)
    # identical replies shared by several opinions do not always carry the same label: no model reading the reply
    # alone can do better than the majority label of each distinct reply
    ceiling = rows.groupby("response")["response_type"].agg(lambda s: s.value_counts().iloc[0]).sum() / len(rows)
    test = f"realdev replies (real, {len(rows)})"
    return [Row(test, "response type accuracy, DEFAULT model (baseline: TF-IDF + LR fitted on realdev, 5-fold)",
                fmt(ours), fmt(plain), "≥ 0.95"),
            Row(test, "  ceiling of any reply-only model (identical replies labelled differently)", fmt(ceiling))]


def _plain_cv(rows, text: str, label: str, ctx: Context) -> float:
    from sklearn.model_selection import StratifiedKFold

    from pipeline.evaluate import plain_estimator
    from pipeline.taxonomy import load_taxonomy
    from pipeline.tokenizer import JapaneseTokenizer

    rows = rows.reset_index(drop=True)
    tokenizer, taxonomy = JapaneseTokenizer(normalized=False, cache_size=10_000), load_taxonomy()
    pred = pd.Series([""] * len(rows), dtype=object)
    folds = StratifiedKFold(n_splits=2 if ctx.quick else 5, shuffle=True, random_state=0)
    for train, test in folds.split(rows, rows[label]):
        key = "theme" if label == "theme" else "response_type"
        fitted = plain_estimator(key, taxonomy, tokenizer).fit(rows[text].iloc[train].tolist(),
                                                               rows[label].iloc[train].tolist())
        pred.iloc[test] = fitted.predict(rows[text].iloc[test].tolist())
    return accuracy(rows[label], pred)


def realdev_own_taxonomy(ctx: Context) -> list[Row]:
    from pipeline.evaluate import evaluate

    frame = ctx.realdev()
    m = evaluate(frame, taxonomy=ctx.realdev_dir / "env-basic-plan.toml", cv=2 if ctx.quick else 5, n_boot=100)
    test = f"realdev, own taxonomy env-basic-plan.toml ({m['n']}), {'2' if ctx.quick else '5'}-fold"
    return _versus_plain(test, m, theme_target="baseline + 0.05", reply_target="≥ 0.95")


def messy_replies(ctx: Context) -> list[Row]:
    frame = pd.read_csv(ctx.messy_dir / "replies.csv", dtype=str, keep_default_na=False)
    pred = ctx.default_model().response_type.predict(frame["reply"].tolist())
    test = f"messy replies (authored test set, {len(frame)})"
    rows = [Row(test, "response type accuracy, DEFAULT model", fmt(accuracy(frame["response_type"], pred)), "",
                "≥ 0.95"),
            Row(test, "  by register", by_register(frame, pred))]
    if ctx.realdev() is not None:  # a user's own taxonomy keeps the reply knowledge of every consultation
        from pipeline.taxonomy import load_taxonomy
        from pipeline.train import train

        own = train(ctx.realdev(), taxonomy=load_taxonomy(ctx.realdev_dir / "env-basic-plan.toml"))
        pred = own.response_type.predict(frame["reply"].tolist())
        rows.append(Row(test, "response type accuracy, own taxonomy trained on realdev",
                        fmt(accuracy(frame["response_type"], pred)), "", "≥ 0.95"))
    return rows


def non_opinions(ctx: Context) -> list[Row]:
    from pipeline.non_opinion import is_non_opinion

    frame = pd.read_csv(ctx.messy_dir / "non-opinions.csv", dtype=str, keep_default_na=False)
    flagged = [is_non_opinion(t) for t in frame["text"]]
    none = frame["is_opinion"] == "0"
    recall = sum(f for f, n in zip(flagged, none) if n) / none.sum()
    messy_fp = sum(f for f, n in zip(flagged, none) if not n)
    rows = [Row(f"messy non-opinions (authored test set, {none.sum()})", "recall: rows given no theme", fmt(recall),
                "", "1.00"),
            Row(f"messy short opinions (authored, {(~none).sum()})", "false non-opinions", str(messy_fp), "", "0")]
    for name, opinions in _real_opinions(ctx):
        rows.append(Row(f"{name} opinions (real, {len(opinions)})", "false non-opinions",
                        str(sum(is_non_opinion(t) for t in opinions)), "", "0"))
    return rows


def _real_opinions(ctx: Context):
    yield "Otaru", [t for t in ctx.otaru()["opinion"] if t]
    if ctx.realdev() is not None:
        yield "realdev", [t for t in ctx.realdev()["opinion"] if t]


def evidence(ctx: Context) -> list[Row]:
    """Share of evidence words found verbatim (same characters) in the opinion as it was written."""
    rows = []
    for name, opinions in _real_opinions(ctx):
        scored = ctx.default_model().score(opinions)
        found = total = 0
        for text, words in zip(opinions, scored["evidence"]):
            words = [w for w in str(words).split("、") if w]
            total += len(words)
            found += sum(w in text for w in words)
        rows.append(Row(f"{name} opinions (real, {len(opinions)}), default model",
                        "evidence words found verbatim in their opinion", f"{found / max(total, 1):.1%}", "",
                        "≥ 95%"))
    return rows


SECTIONS = [otaru_loo, realdev_replies, realdev_own_taxonomy, messy_replies, non_opinions, evidence]
NEEDS_REALDEV = {realdev_replies, realdev_own_taxonomy}


def all_sections(ctx: Context):
    """This file's sections, then those of benchmarks/quality_themes.py when it exists."""
    yield from SECTIONS
    try:
        themes = importlib.import_module("quality_themes")
    except ModuleNotFoundError as exc:
        if exc.name != "quality_themes":
            raise
        return
    yield _theme_rows(themes)


def _theme_rows(themes):
    """quality_themes.sections as a section of this table: its rows may be dicts (test, metric, model, baseline,
    note: numbers or None), made Rows here. Skipped in a --quick run, whose folds it does not have (minutes)."""
    def theme_sections(ctx):
        if ctx is not None and ctx.quick:
            return []
        return [_as_row(row) for row in themes.sections(ctx)]

    return theme_sections


def _as_row(row) -> Row:
    if not isinstance(row, dict):
        return Row(*row)
    return Row(row["test"], row["metric"], _number(row["model"]), _number(row["baseline"]), row.get("note", ""))


def _number(value) -> str:
    return "" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def table(rows: list[Row]) -> str:
    lines = ["| test | measure | ours | baseline | target |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(cell.replace('|', '/') for cell in row)} |" for row in rows]
    return "\n".join(lines)


def run(ctx: Context, say=print) -> list[Row]:
    rows: list[Row] = []
    for section in all_sections(ctx):
        name = getattr(section, "__module__", "") + "." + section.__name__
        if section in NEEDS_REALDEV and ctx.realdev_dir is None:
            say(f"skipped {section.__name__}: ../shared/realdev/ not found (real data the team measures on)")
            continue
        start = time.perf_counter()
        rows += section(ctx)
        say(f"{name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small folds")
    parser.add_argument("--realdev", type=Path, default=REALDEV, help="the realdev folder (skipped when absent)")
    parser.add_argument("--messy", type=Path, default=MESSY, help="the messy test sets")
    parser.add_argument("--out", type=Path, default=None, help=f"write the table here (default: {RESULTS.name}, "
                        "not with --quick)")
    args = parser.parse_args(argv)
    realdev = args.realdev if (args.realdev / "env-basic-plan-6.csv").exists() else None
    ctx = Context(realdev_dir=realdev, messy_dir=args.messy, quick=args.quick)
    rows = run(ctx, say=lambda *a, **k: print(*a, **k))
    text = table(rows)
    source = f"\n\nrealdev: {REALDEV_SOURCE}." if realdev else "\n\nrealdev: absent, its rows skipped."
    print(text + source)
    out = args.out or (None if args.quick else RESULTS)
    if out is not None:
        from pipeline._io import write_text

        write_text(out, f"# Real-text quality (`make bench-quality`)\n\n{time.strftime('%Y-%m-%d')}\n\n"
                        f"{text}{source}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
