"""`pubcom score` and `review-sheet`: predictions for unseen comments and their review in Excel."""
from __future__ import annotations

from pathlib import Path

from ..errors import PubcomError
from . import add_table_options
from . import say as _say
from . import tell


# ---------------------------------------------------------------- score
def _add_score(sub) -> None:
    p = sub.add_parser("score", help="predict theme and response type for unseen comments",
                       description="CSV / TSV / text input and CSV / JSONL / stdout output are streamed in chunks of "
                                   "20,000 rows (memory stays bounded); XLSX and documents are read whole and XLSX "
                                   "output is written at the end.")
    p.add_argument("input", metavar="INPUT", help="CSV / XLSX / text (one comment per line) / document, or - for stdin")
    p.add_argument("--model", type=Path, default=None, help="model folder (default: models/latest)")
    p.add_argument("--out", default=None, help="output .csv / .xlsx / .jsonl or - (default: reports/<input>.scored.csv)")
    add_table_options(p, "sheet", "text-column", "response-column")
    p.add_argument("--id-column", default=None, help="a column to check as the row id (kept as is)")
    p.add_argument("--redact", action="store_true", help="mask personal data in every text column before scoring")
    p.add_argument("--suggest-from", nargs="+", type=Path, default=None, metavar="ANSWERED",
                   help="answered opinions (tables, review sheets, records: opinion and reply) to draft replies from")
    p.add_argument("--group", action="store_true",
                   help="also group opinions that say the same thing (group_id, group_size: see `pubcom group`)")
    p.add_argument("--jobs", type=int, default=1,
                   help="processes to score with: this one and N-1 workers (default: 1); the output is the same, in order")
    p.set_defaults(func=_cmd_score)


def _cmd_score(args) -> int:
    from .. import config
    from ..registry import load_scorer
    from ..stream import check_output, score_file

    stem = Path(args.input).stem if args.input != "-" else "stdin"
    if args.redact:  # the default output is named after the input file, which may name a resident
        from ..redact import redact_name

        stem = redact_name(stem)
    out = args.out or (config.REPORTS_DIR / f"{stem}.scored.csv")
    check_output(out)
    if args.group and str(out) == "-":
        raise PubcomError("--group reads the scored rows again: give --out a file (.csv / .xlsx / .jsonl)")
    if args.jobs < 1:
        raise PubcomError(f"--jobs must be 1 or more, got {args.jobs}")
    model = load_scorer(args.model)
    suggester = _suggester(model, args.suggest_from) if args.suggest_from else None
    counts = score_file(model, args.input, out, jobs=args.jobs, sheet=args.sheet, text_column=args.text_column,
                        response_column=args.response_column, id_column=args.id_column, redact=args.redact,
                        suggest_from=suggester, group=args.group)
    _say(f"scored {counts['rows']} of {counts['read']} rows, {counts['flagged']} flagged for review -> {out}")
    if counts["masked"] is not None:
        from ..redact import describe

        _say(f"masked: {describe(counts['masked'])}")
    if args.group:
        from ..group_table import group_file
        from .grouping import describe

        _say(describe(group_file(out, out, text_column=counts["text_column"])))
    return 0


def _suggester(model, paths):
    from ..suggest import build_suggester, read_answered

    answered = read_answered(paths)
    suggester = build_suggester(model, answered)
    skipped = answered.attrs.get("unanswered", 0)
    _say(f"suggesting replies from {len(answered)} answered opinions ({len(suggester.replies_)} distinct replies) "
         f"in {len(paths)} file(s)" + (f"; {skipped} rows without a reply not used" if skipped else ""))
    return suggester


def _add_review_sheet(sub) -> None:
    p = sub.add_parser("review-sheet", help="write scored rows as an Excel sheet for people to check and correct")
    p.add_argument("scored", type=Path, metavar="SCORED", help="output of `pubcom score` (CSV / XLSX)")
    p.add_argument("--out", type=Path, required=True, help="the .xlsx to write")
    p.add_argument("--taxonomy", type=Path, default=None,
                   help="taxonomy TOML for the drop-down lists (default: the latest model's, else the packaged dx-ja)")
    p.set_defaults(func=_cmd_review_sheet)


def _cmd_review_sheet(args) -> int:
    from ..errors import ModelError
    from ..ingest.tables import read_table
    from ..registry import load_model
    from ..review import flagged, review_frame, write_review_sheet
    from ..taxonomy import load_taxonomy

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
    # the labels are the taxonomy's: training on the sheet without it would refuse every label of an own taxonomy
    again = f"{out} --taxonomy {args.taxonomy}" if args.taxonomy else out
    tell(f"{len(scored)} rows ({int(flagged(scored).sum())} to review first) -> {out}; correct テーマ / 対応区分, mark "
          f"the rows you checked 済 in 確認済み, save, then `pubcom train {again}` (only those rows are learnt)")
    if "group_representative" in scored:
        tell(f"one row per group: {len(review_frame(scored, taxonomy))} rows")
    return 0


BUILDERS = [_add_score, _add_review_sheet]
