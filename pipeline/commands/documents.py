"""`pubcom ingest`, `redact` and `report`: documents in, tables and pages out."""
from __future__ import annotations

from pathlib import Path

from ..errors import PubcomError
from . import say as _say
from . import tell


# ---------------------------------------------------------------- ingest
def _add_ingest(sub) -> None:
    from ..ingest import formats  # a plain table: importing it loads no reader library

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
    from .. import config
    from ..ingest import consultation_id_from, read_document, write_document
    from ..ingest.categories import load_category_map

    if args.consultation_id and len(args.sources) > 1:
        raise PubcomError("--id names one consultation; give one SOURCE with it")
    seen: dict[str, Path] = {}
    for source in args.sources:  # before any work: two sources would write the same <id>.records.csv
        cid = args.consultation_id or consultation_id_from(source)
        if cid in seen:
            raise PubcomError(f"{seen[cid]} and {source} would both be written as {cid}.records.csv; "
                              "rename one, or ingest them one at a time with --id")
        seen[cid] = source
    out = args.out or config.PROCESSED_DIR
    categories = load_category_map(args.categories)  # once, and before any document is read
    for source in args.sources:
        document = read_document(
            source, format=args.format, consultation_id=args.consultation_id, sheet=args.sheet,
            text_column=args.text_column, response_column=args.response_column, category_map=categories,
        )
        if args.redact:  # mask before anything is written: nothing unmasked reaches the output folder
            from ..redact import redact_document

            document = redact_document(document)
        records_path, meta_path = write_document(document, out)
        rec = document.meta.get("reconciliation", {})
        for mismatch in rec.get("mismatches", []):
            _say(f"warning: {source}: {mismatch['message']}")
        for item in document.meta.get("unmapped_categories", []):
            _say(f"warning: {source}: category {item['category']!r} ({item['rows']} rows) has no response type; "
                 "map it with --categories FILE")
        skipped = len(document.meta.get("skipped_lines", [])) + len(document.meta.get("skipped_rows", []))
        tell(f"{source}: {rec.get('rows_found', len(document.records))} rows, "
              f"{rec.get('opinions_counted', '?')} opinions -> {records_path}, {meta_path}")
        # the optional tails on lines of their own: inside the line, the translation took them for file names
        if skipped:
            tell(f"{skipped} lines outside the table are listed in {meta_path}")
        if "redaction" in document.meta:
            from ..redact import describe

            tell(f"masked: {describe(document.meta['redaction'])}")
    return 0


# ---------------------------------------------------------------- redact
def _add_redact(sub) -> None:
    p = sub.add_parser("redact", help="mask personal data (names, phones, e-mail, addresses, My Numbers) in a table")
    p.add_argument("input", metavar="FILE", help="CSV / XLSX / text (one comment per line), or - for stdin")
    p.add_argument("--out", default=None, help="output .csv / .xlsx / .jsonl or - (default: data/processed/<name>.redacted.csv)")
    p.add_argument("--columns", nargs="+", default=None, metavar="C", help="columns to mask (default: every text column)")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first sheet with an opinion column)")
    p.set_defaults(func=_cmd_redact)


def _cmd_redact(args) -> int:
    from .. import config
    from ..redact import describe, redact_frame, redact_name
    from ..score import read_input, write_output

    frame = read_input(args.input, sheet=args.sheet)
    masked, counts = redact_frame(frame, args.columns)
    stem = redact_name(Path(args.input).stem) if args.input != "-" else "stdin"  # a file may be named after a resident
    written = write_output(masked, args.out or config.PROCESSED_DIR / f"{stem}.redacted.csv")
    _say(f"redacted {len(masked)} of {len(frame)} rows, masked: {describe(counts)} -> {written}")
    return 0


# ---------------------------------------------------------------- report
def _add_report(sub) -> None:
    p = sub.add_parser("report", help="theme distribution, review queue and drift: summary page, workbook and charts")
    p.add_argument("inputs", nargs="+", type=Path, metavar="PRED", help="scored (or labelled) CSV / XLSX / JSONL file(s)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: reports/<name>/, one folder per consultation or comparison)")
    p.add_argument("--replace", action="store_true", help="replace a report folder that holds another input's report")
    p.add_argument("--model", type=Path, default=None,
                   help="model whose card gives the training themes for drift (default: models/latest, if any)")
    p.set_defaults(func=_cmd_report)


def _cmd_report(args) -> int:
    from .. import config
    from ..registry import load_model
    from ..report import build_report

    taxonomy = card = None
    # with no model at all the report simply has no drift section; a named or broken model is an error
    if args.model is not None or (config.MODELS_DIR / "latest").exists():
        model = load_model(args.model)
        taxonomy, card = model.taxonomy, model.card
        if args.model is None:
            _refuse_another_taxonomy(args.inputs, taxonomy)
    from ..report import consultation_name
    from ..report_folder import default_folder, previous_sources

    out = args.out or default_folder(config.REPORTS_DIR, list(dict.fromkeys(map(consultation_name, args.inputs))))
    before = previous_sources(out)
    written = build_report(args.inputs, out, taxonomy=taxonomy, training=card, replace=args.replace)
    charts = sum(1 for key in written if key.startswith(("theme_chart", "heatmap", "comparison")))
    drift = f", drift against {card.get('name', 'the model')}" if card else ""
    tell(f"report on {len(args.inputs)} file(s){drift}: {written['summary_html']}, {written['summary']}, "
          f"{written['workbook']} and {charts} charts in {out}")
    if before:
        tell(f"the previous report in {out} was replaced")
    return 0


def _refuse_another_taxonomy(inputs, taxonomy) -> None:
    """models/latest was taken by default: predictions made with another taxonomy (the user's own) would be drawn
    with its theme list (every one of its themes at zero, the file's own as bare ids) and drift against the wrong
    training data. Named with --model, a model is the user's choice and the data's extra themes are listed."""
    from ..report import NO_OPINION, UNSCORED, load_consultations

    known = set(taxonomy.theme_ids) | {UNSCORED, NO_OPINION}  # the report's own rows (no theme, no opinion)
    for consultation in load_consultations(inputs):
        foreign = sorted(set(consultation.frame["theme"]) - known)
        if foreign:
            raise PubcomError(f"{consultation.source}: themes not in taxonomy {taxonomy.id} of models/latest: "
                              f"{', '.join(foreign)}; pass --model with the model that scored it")


BUILDERS = [_add_ingest, _add_redact, _add_report]
