"""The `pubcom` command: one sub-command per stage; each parses, calls one library function, prints.

A user's mistake (missing file, unreadable input, bad option value) prints one line and exits 2; `--verbose`
shows the traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._version import __version__
from .errors import PubcomError

EXIT_USAGE = 2


def _say(message: str) -> None:
    print(message, file=sys.stderr)


# ---------------------------------------------------------------- ingest
def _add_ingest(sub) -> None:
    p = sub.add_parser("ingest", help="read published result documents into records CSV + meta JSON")
    p.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="document(s) to read")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: data/processed/)")
    p.add_argument("--id", dest="consultation_id", default=None, help="consultation id (default: from the file name)")
    p.add_argument("--format", default=None, help="force a reader (default: detected)")
    p.set_defaults(func=_cmd_ingest)


def _cmd_ingest(args) -> int:
    from . import config
    from .ingest import ingest

    if args.consultation_id and len(args.sources) > 1:
        raise PubcomError("--id names one consultation; give one SOURCE with it")
    out = args.out or config.PROCESSED_DIR
    for source in args.sources:
        document, records_path, meta_path = ingest(
            source, out, format=args.format, consultation_id=args.consultation_id
        )
        rec = document.meta.get("reconciliation", {})
        for mismatch in rec.get("mismatches", []):
            _say(f"warning: {source}: {mismatch['message']}")
        print(f"{source}: {rec.get('rows_found', len(document.records))} rows, "
              f"{rec.get('opinions_counted', '?')} opinions -> {records_path}, {meta_path}")
    return 0


# ---------------------------------------------------------------- train / evaluate
def _add_label_inputs(p) -> None:
    p.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                   help="labelled tables (CSV / XLSX) or documents with --labels (default: the embedded Otaru data)")
    p.add_argument("--labels", type=Path, default=None, help="labels file joined to ingested records on row_no")
    p.add_argument("--taxonomy", type=Path, default=None, help="taxonomy TOML (default: the packaged dx-ja)")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
    p.add_argument("--text-column", default=None, help="opinion text column (default: found by heading)")
    p.add_argument("--response-column", default=None, help="reply column (default: found by heading)")
    p.add_argument("--theme-column", default=None, help="theme label column (default: theme)")
    p.add_argument("--response-type-column", default=None, help="response type label column (default: response_type)")


def _labelled(args):
    from .train import read_labelled

    return read_labelled(args.inputs, labels=args.labels, text_column=args.text_column,
                         response_column=args.response_column, theme_column=args.theme_column,
                         response_type_column=args.response_type_column, sheet=args.sheet)


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train a model folder from labelled data plus the taxonomy")
    _add_label_inputs(p)
    p.add_argument("--out", type=Path, default=None, help="models folder (default: models/)")
    p.add_argument("--cv", default="5", help="cross-validation for the card's metrics: loo or K (default: 5)")
    p.set_defaults(func=_cmd_train)


def _cmd_train(args) -> int:
    from .evaluate import evaluate
    from .registry import save_model
    from .taxonomy import load_taxonomy
    from .train import train

    frame = _labelled(args)
    taxonomy = load_taxonomy(args.taxonomy)
    metrics = evaluate(frame, taxonomy=taxonomy, cv=args.cv, n_boot=200)
    model = train(frame, taxonomy=taxonomy, metrics=metrics)
    model_dir = save_model(model, args.out)
    theme = metrics.get("theme", {})
    print(f"trained on {len(frame)} rows (+{model.card['training_data']['authored_examples']} authored examples); "
          f"cross-validated theme macro-F1 {theme.get('macro_f1', float('nan')):.2f} -> {model_dir}")
    return 0


def _add_evaluate(sub) -> None:
    p = sub.add_parser("evaluate", help="cross-validate (or test a fitted model) with baselines and intervals")
    _add_label_inputs(p)
    p.add_argument("--cv", default="loo", help="loo or a number of folds (default: loo)")
    p.add_argument("--model", type=Path, default=None, help="test this fitted model instead of cross-validating")
    p.add_argument("--group-column", default=None, help="keep rows sharing this column's value in one fold")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON (also written to reports/metrics.json)")
    p.set_defaults(func=_cmd_evaluate)


def _cmd_evaluate(args) -> int:
    import json

    from . import config
    from ._io import write_json
    from .evaluate import evaluate
    from .registry import load_model

    model = load_model(args.model) if args.model else None
    metrics = evaluate(_labelled(args), taxonomy=args.taxonomy, cv=args.cv, model=model, group_column=args.group_column)
    write_json(config.REPORTS_DIR / "metrics.json", metrics)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False, indent=2))
        return 0
    from .run import _headline

    print(_headline(metrics))
    for key in ("theme", "response_type", "response_type_from_opinion"):
        if key in metrics:
            base = ", ".join(f"{k} {v['macro_f1']:.2f}" for k, v in metrics[key].get("baselines", {}).items())
            print(f"  {key}: baselines macro-F1: {base}" if base else f"  {key}")
    print(f"written: {config.REPORTS_DIR / 'metrics.json'}")
    return 0


# ---------------------------------------------------------------- score
def _add_score(sub) -> None:
    p = sub.add_parser("score", help="predict theme and response type for unseen comments",
                       description="CSV / TSV / text input and CSV / JSONL / stdout output are streamed in chunks of "
                                   "20,000 rows (memory stays bounded); XLSX and documents are read whole and XLSX "
                                   "output is written at the end.")
    p.add_argument("input", metavar="INPUT", help="CSV / XLSX / text (one comment per line) / document, or - for stdin")
    p.add_argument("--model", type=Path, default=None, help="model folder (default: models/latest)")
    p.add_argument("--out", default=None, help="output .csv / .xlsx / .jsonl or - (default: reports/<input>.scored.csv)")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
    p.add_argument("--text-column", default=None, help="opinion text column (default: found by heading)")
    p.add_argument("--response-column", default=None, help="reply column, when replies exist (default: found by heading)")
    p.add_argument("--id-column", default=None, help="a column to check as the row id (kept as is)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default: 1); the output is the same, in order")
    p.set_defaults(func=_cmd_score)


def _cmd_score(args) -> int:
    from . import config
    from .stream import check_output, resolve_model, score_file

    out = args.out or (config.REPORTS_DIR / f"{Path(args.input).stem if args.input != '-' else 'stdin'}.scored.csv")
    check_output(out)
    if args.jobs < 1:
        raise PubcomError(f"--jobs must be 1 or more, got {args.jobs}")
    model = resolve_model(args.model, args.jobs)
    counts = score_file(model, args.input, out, jobs=args.jobs, sheet=args.sheet, text_column=args.text_column,
                        response_column=args.response_column, id_column=args.id_column)
    _say(f"scored {counts['rows']} rows, {counts['flagged']} flagged for review -> {out}")
    return 0


# ---------------------------------------------------------------- run / models
def _add_run(sub) -> None:
    p = sub.add_parser("run", help="the whole job on the embedded default: ingest, train, evaluate, score, report")
    p.add_argument("--cv", default="loo", help="cross-validation: loo or K (default: loo)")
    p.set_defaults(func=_cmd_run)


def _cmd_run(args) -> int:
    from .run import run

    run(cv=args.cv)
    return 0


def _add_models(sub) -> None:
    p = sub.add_parser("models", help="list the model folders with their taxonomy, data size, metrics and date")
    p.set_defaults(func=_cmd_models)


def _cmd_models(args) -> int:
    from .registry import list_models

    rows = list_models()
    if not rows:
        print("no models yet (pubcom train)")
    for r in rows:
        f1 = "-" if r["theme_macro_f1"] is None else f"{r['theme_macro_f1']:.2f}"
        print(f"{'*' if r['latest'] else ' '} {r['name']:32} {r['taxonomy']:14} rows={r['rows']:<6} theme-F1={f1:5} {r['created']}")
    return 0


_BUILDERS = [_add_ingest, _add_train, _add_evaluate, _add_score, _add_run, _add_models]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pubcom",
        description="Classify Japanese public-consultation opinions (themes) and replies (response types), offline.",
    )
    parser.add_argument("--version", action="version", version=f"pubcom {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show details and tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for build in _BUILDERS:
        build(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args) or 0
    except PubcomError as exc:
        if args.verbose:
            raise
        _say(f"pubcom {args.command}: error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except BrokenPipeError:
        return 0
