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
    from .ingest import formats  # a plain table: importing it loads no reader library

    p = sub.add_parser("ingest", help="read published result documents into records CSV + meta JSON")
    p.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="document(s) to read")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: data/processed/)")
    p.add_argument("--id", dest="consultation_id", default=None, help="consultation id (default: from the file name)")
    p.add_argument("--format", default=None, choices=formats(),
                   help=f"force a reader: {', '.join(formats())} (default: detected from content, then extension)")
    p.add_argument("--sheet", default=None, help="xlsx: read only this sheet (default: all sheets)")
    p.add_argument("--text-column", default=None, metavar="HEADING",
                   help="the heading of the opinion column, when it is not recognised")
    p.add_argument("--response-column", default=None, metavar="HEADING",
                   help="the heading of the reply column, when it is not recognised")
    p.add_argument("--categories", type=Path, default=None, metavar="FILE",
                   help="TOML with a [response_categories] table: \"category as written\" = \"adopted|future|kept\"")
    p.add_argument("--redact", action="store_true", help="mask personal data (names, phones, addresses...) before writing")
    p.set_defaults(func=_cmd_ingest)


def _cmd_ingest(args) -> int:
    from . import config
    from .ingest import read_document, write_document

    if args.consultation_id and len(args.sources) > 1:
        raise PubcomError("--id names one consultation; give one SOURCE with it")
    out = args.out or config.PROCESSED_DIR
    for source in args.sources:
        document = read_document(
            source, format=args.format, consultation_id=args.consultation_id, sheet=args.sheet,
            text_column=args.text_column, response_column=args.response_column, category_map=args.categories,
        )
        if args.redact:  # mask before anything is written: nothing unmasked reaches the output folder
            from .redact import redact_document

            document = redact_document(document)
        records_path, meta_path = write_document(document, out)
        rec = document.meta.get("reconciliation", {})
        for mismatch in rec.get("mismatches", []):
            _say(f"warning: {source}: {mismatch['message']}")
        for item in document.meta.get("unmapped_categories", []):
            _say(f"warning: {source}: category {item['category']!r} ({item['rows']} rows) has no response type; "
                 "map it with --categories FILE")
        skipped = len(document.meta.get("skipped_lines", [])) + len(document.meta.get("skipped_rows", []))
        print(f"{source}: {rec.get('rows_found', len(document.records))} rows, "
              f"{rec.get('opinions_counted', '?')} opinions -> {records_path}, {meta_path}"
              f"{f'; {skipped} lines outside the table listed in the meta' if skipped else ''}"
              f"{_masked_note(document.meta)}")
    return 0


def _masked_note(meta: dict) -> str:
    from .redact import describe

    return f"; masked: {describe(meta['redaction'])}" if "redaction" in meta else ""


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
    p.add_argument("--force", action="store_true", help="make the new model latest even if it scores below the current one")
    p.set_defaults(func=_cmd_train)


def _cmd_train(args) -> int:
    from .compare import promotion
    from .evaluate import evaluate
    from .registry import load_model, save_model
    from .taxonomy import load_taxonomy
    from .train import label_ids, train

    taxonomy = load_taxonomy(args.taxonomy)
    frame = label_ids(_labelled(args), taxonomy)
    metrics = evaluate(frame, taxonomy=taxonomy, cv=args.cv, n_boot=200)
    model = train(frame, taxonomy=taxonomy, metrics=metrics)
    decision = promotion(metrics, taxonomy, _current_latest(args.out, load_model), frame, force=args.force)
    model.card["promotion"] = decision
    model_dir = save_model(model, args.out, point_latest=decision["latest"])
    theme = metrics.get("theme", {})
    unlabelled = int(((frame["theme"] == "") & (frame["response_type"] == "")).sum())
    print(f"read {len(frame)} rows: trained on {len(frame) - unlabelled}"
          f"{f', {unlabelled} without a theme or response type (not used)' if unlabelled else ''} "
          f"(+{model.card['training_data']['authored_examples']} authored examples); "
          f"cross-validated theme macro-F1 {theme.get('macro_f1', float('nan')):.2f} -> {model_dir}")
    print(f"latest: {'now ' + model_dir.name if decision['latest'] else 'unchanged'} ({decision['reason']})")
    return 0


def _current_latest(models_dir, load_model):
    """The model `latest` points at in the models folder trained into, or None when there is none yet."""
    from . import config

    link = Path(models_dir or config.MODELS_DIR) / "latest"
    if not (link.exists() or link.is_symlink()):
        return None
    return load_model(link)


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
    if "leave_one_consultation_out" in metrics:
        print("  held-out rounds (leave one consultation out): " + _headline(metrics["leave_one_consultation_out"]))
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
    p.add_argument("--redact", action="store_true", help="mask personal data in every text column before scoring")
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
                        response_column=args.response_column, id_column=args.id_column, redact=args.redact)
    masked = ""
    if counts["masked"] is not None:
        from .redact import describe

        masked = f"; masked: {describe(counts['masked'])}"
    _say(f"scored {counts['rows']} of {counts['read']} rows, {counts['flagged']} flagged for review -> {out}{masked}")
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


# ---------------------------------------------------------------- redact
def _add_redact(sub) -> None:
    p = sub.add_parser("redact", help="mask personal data (names, phones, e-mail, addresses, My Numbers) in a table")
    p.add_argument("input", metavar="FILE", help="CSV / XLSX / text (one comment per line), or - for stdin")
    p.add_argument("--out", default=None, help="output .csv / .xlsx / .jsonl or - (default: data/processed/<name>.redacted.csv)")
    p.add_argument("--columns", nargs="+", default=None, metavar="C", help="columns to mask (default: every text column)")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
    p.set_defaults(func=_cmd_redact)


def _cmd_redact(args) -> int:
    from . import config
    from .redact import describe, redact_frame
    from .score import read_input, write_output

    frame = read_input(args.input, sheet=args.sheet)
    masked, counts = redact_frame(frame, args.columns)
    stem = Path(args.input).stem if args.input != "-" else "stdin"
    written = write_output(masked, args.out or config.PROCESSED_DIR / f"{stem}.redacted.csv")
    _say(f"redacted {len(masked)} of {len(frame)} rows, masked: {describe(counts)} -> {written}")
    return 0


# ---------------------------------------------------------------- report
def _add_report(sub) -> None:
    p = sub.add_parser("report", help="theme distribution, review queue and drift: summary page, workbook and charts")
    p.add_argument("inputs", nargs="+", type=Path, metavar="PRED", help="scored (or labelled) CSV / XLSX / JSONL file(s)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: reports/)")
    p.add_argument("--model", type=Path, default=None,
                   help="model whose card gives the training themes for drift (default: models/latest, if any)")
    p.set_defaults(func=_cmd_report)


def _cmd_report(args) -> int:
    from . import config
    from .registry import load_model
    from .report import build_report

    taxonomy = card = None
    # with no model at all the report simply has no drift section; a named or broken model is an error
    if args.model is not None or (config.MODELS_DIR / "latest").exists():
        model = load_model(args.model)
        taxonomy, card = model.taxonomy, model.card
    out = args.out or config.REPORTS_DIR
    written = build_report(args.inputs, out, taxonomy=taxonomy, training=card)
    charts = sum(1 for key in written if key.startswith(("theme_chart", "heatmap", "comparison")))
    drift = f", drift against {card.get('name', 'the model')}" if card else ""
    print(f"report on {len(args.inputs)} file(s){drift}: {written['summary_html']}, {written['summary']}, "
          f"{written['workbook']} and {charts} charts in {out}")
    return 0


# ---------------------------------------------------------------- taxonomy / review-sheet / compare
def _add_taxonomy(sub) -> None:
    p = sub.add_parser("taxonomy", help="draft a taxonomy from labels (init) or validate one (check)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="draft a taxonomy TOML from the labels of a labelled table")
    init.add_argument("--from-labels", type=Path, required=True, metavar="FILE", help="labelled CSV / XLSX")
    init.add_argument("--out", default="-", help="TOML file to write (default: - for stdout)")
    init.add_argument("--id", dest="taxonomy_id", default=None, help="taxonomy id (default: from the file name)")
    init.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
    init.add_argument("--text-column", default=None, help="opinion text column (default: found by heading)")
    init.add_argument("--theme-column", default=None, help="theme label column (default: theme)")
    init.set_defaults(func=_cmd_taxonomy_init)
    check = actions.add_parser("check", help="validate a taxonomy TOML and print a one-line summary")
    check.add_argument("file", type=Path, metavar="FILE")
    check.set_defaults(func=_cmd_taxonomy_check)


def _cmd_taxonomy_init(args) -> int:
    from ._io import write_text
    from .ingest.tables import read_table
    from .taxonomy_draft import draft_taxonomy, sanitise_id

    frame = read_table(args.from_labels, sheet=args.sheet)
    taxonomy_id = args.taxonomy_id or sanitise_id(args.from_labels.stem.split(".")[0], set(), prefix="taxonomy")
    draft = draft_taxonomy(frame, taxonomy_id=taxonomy_id, text_column=args.text_column,
                           theme_column=args.theme_column, source=str(args.from_labels))
    if args.out == "-":
        sys.stdout.write(draft.text)
    else:
        write_text(args.out, draft.text)
        _say(f"written: {args.out}")
    if draft.renamed:
        pairs = ", ".join(f"{label} -> {ident}" for label, ident in draft.renamed.items())
        _say(f"note: {len(draft.renamed)} label(s) are not valid ids and got new ids ({pairs}); label_ja keeps each "
             "label, and labels files may keep using it")
    return 0


def _cmd_taxonomy_check(args) -> int:
    from .taxonomy import load_taxonomy

    t = load_taxonomy(args.file)
    keywords = sum(len(theme.keywords) for theme in t.themes)
    phrases = sum(len(r.phrases) for r in t.response_types)
    print(f"{args.file}: ok: {t.id} v{t.version}, {len(t.themes)} themes ({', '.join(t.theme_ids)}), {keywords} keywords, "
          f"{len(t.response_types)} response types ({', '.join(t.response_type_ids)}), {phrases} phrases")
    return 0


def _add_review_sheet(sub) -> None:
    p = sub.add_parser("review-sheet", help="write scored rows as an Excel sheet for people to check and correct")
    p.add_argument("scored", type=Path, metavar="SCORED", help="output of `pubcom score` (CSV / XLSX)")
    p.add_argument("--out", type=Path, required=True, help="the .xlsx to write")
    p.add_argument("--taxonomy", type=Path, default=None,
                   help="taxonomy TOML for the drop-down lists (default: the latest model's, else the packaged dx-ja)")
    p.set_defaults(func=_cmd_review_sheet)


def _cmd_review_sheet(args) -> int:
    from .errors import ModelError
    from .ingest.tables import read_table
    from .registry import load_model
    from .review import write_review_sheet
    from .taxonomy import load_taxonomy

    if args.out.suffix.lower() != ".xlsx":
        raise PubcomError(f"{args.out}: the review sheet is an Excel workbook; name it .xlsx")
    if args.taxonomy:
        taxonomy = load_taxonomy(args.taxonomy)
    else:
        try:
            taxonomy = load_model().taxonomy
        except ModelError:
            taxonomy = load_taxonomy()
    scored = read_table(args.scored)
    stem = args.scored.name.split(".")[0]
    out = write_review_sheet(scored, args.out, taxonomy, consultation_id=stem, source=str(args.scored))
    flagged = scored["needs_review"].astype(str).str.lower().eq("true").sum() if "needs_review" in scored else 0
    print(f"{len(scored)} rows ({flagged} to review first) -> {out}; correct theme / response_type, save, then "
          f"`pubcom train {out}`")
    return 0


def _add_compare(sub) -> None:
    p = sub.add_parser("compare", help="test two models on the same labelled data; overall and per-class deltas")
    p.add_argument("model_a", type=Path, metavar="MODEL_A")
    p.add_argument("model_b", type=Path, metavar="MODEL_B")
    _add_label_inputs(p)
    p.set_defaults(func=_cmd_compare)


def _cmd_compare(args) -> int:
    from .compare import compare_metrics, format_comparison
    from .evaluate import evaluate
    from .registry import load_model

    if not args.inputs:
        raise PubcomError("give the labelled data to test both models on (INPUT...)")
    frame = _labelled(args)
    a, b = load_model(args.model_a), load_model(args.model_b)
    deltas = compare_metrics(evaluate(frame, model=a, n_boot=200), evaluate(frame, model=b, n_boot=200))
    print(f"both tested on the same {len(frame)} labelled rows (fitted models, no refitting); delta = B - A")
    for line in format_comparison(deltas, a.path.name, b.path.name):
        print(line)
    return 0


_BUILDERS = [_add_ingest, _add_train, _add_evaluate, _add_score, _add_run, _add_models, _add_redact, _add_report, _add_taxonomy, _add_review_sheet, _add_compare]


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
    except OSError as exc:  # permission denied, a folder where a file was expected, a full disk...
        if args.verbose:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"pubcom {args.command}: error: {where}{exc.strerror or exc}")
        return EXIT_USAGE
