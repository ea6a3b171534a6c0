"""`pubcom group` and `pubcom taxonomy discover`: opinions that say the same thing, and themes found without a
taxonomy."""
from __future__ import annotations

from pathlib import Path

from . import add_table_options
from . import say as _say


def _add_group(sub) -> None:
    from ..grouping import THRESHOLD

    p = sub.add_parser("group", help="group opinions that say the same thing (campaigns, copies, small edits)",
                       description="Adds group_id, group_size and group_representative (the most complete text of "
                                   "each group) to every row. Exact copies after normalisation first, then near "
                                   "copies by MinHash LSH over character 3-grams. CSV / TSV / text input is read "
                                   "twice in chunks (memory holds the groups, not the rows).")
    p.add_argument("input", metavar="INPUT", help="CSV / XLSX / text (one opinion per line) / document, or - for stdin")
    p.add_argument("--out", default=None, help="output .csv / .xlsx / .jsonl or - (default: reports/<input>.grouped.csv)")
    add_table_options(p, "sheet", "text-column")
    p.add_argument("--threshold", type=float, default=THRESHOLD,
                   help=f"estimated Jaccard similarity of character 3-grams from which two texts are one opinion "
                        f"(default: {THRESHOLD})")
    p.set_defaults(func=_cmd_group)


def _cmd_group(args) -> int:
    from .. import config
    from ..grouping import group_file

    out = args.out or (config.REPORTS_DIR / f"{Path(args.input).stem if args.input != '-' else 'stdin'}.grouped.csv")
    summary = group_file(args.input, out, text_column=args.text_column, threshold=args.threshold, sheet=args.sheet)
    _say(describe(summary) + f" -> {out}")
    return 0


def describe(summary: dict) -> str:
    """The one-line summary of a grouping, in Japanese (staff read it)."""
    return (f"{summary['rows']}行を{summary['groups']}件の意見にまとめました（2行以上のグループ {summary['shared_groups']}件・"
            f"{summary['shared_rows']}行、最大 同趣旨 {summary['largest']}件、類似度のしきい値 {summary['threshold']:g}）")


BUILDERS = [_add_group]
