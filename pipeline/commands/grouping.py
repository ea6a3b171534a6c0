"""`pubcom group` and `pubcom taxonomy discover`: opinions that say the same thing, and themes found without a
taxonomy."""
from __future__ import annotations

from pathlib import Path

from . import add_table_options
from . import say as _say


def _add_group(sub) -> None:
    from ..config import GROUP_THRESHOLD as THRESHOLD

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
    from ..group_table import group_file

    out = args.out or (config.REPORTS_DIR / f"{Path(args.input).stem if args.input != '-' else 'stdin'}.grouped.csv")
    summary = group_file(args.input, out, text_column=args.text_column, threshold=args.threshold, sheet=args.sheet)
    _say(describe(summary, out))
    return 0


def describe(summary: dict, out=None) -> str:
    """The one-line summary of a grouping (and where it was written), as a msgid: `say` puts it in the reader's
    language (Japanese by default)."""
    line = (f"{summary['rows']} rows in {summary['groups']} opinions ({summary['shared_groups']} groups of 2 or more: "
            f"{summary['shared_rows']} rows; the largest {summary['largest']} alike; similarity threshold "
            f"{summary['threshold']:g})")
    return line if out is None else f"{line} -> {out}"


def add_discover(actions) -> None:
    """`pubcom taxonomy discover`, added to the `taxonomy` command's actions."""
    p = actions.add_parser("discover", help="find themes in unlabelled opinions and write them as a draft taxonomy")
    p.add_argument("input", metavar="INPUT", help="CSV / XLSX / text (one opinion per line) / document")
    p.add_argument("--themes", default="auto", metavar="K|auto",
                   help="number of themes (default: auto, chosen by the largest eigengap between 5 and 30)")
    p.add_argument("--out", type=Path, required=True, help="the draft taxonomy TOML to write")
    p.add_argument("--assignments", default=None, metavar="FILE",
                   help="also write every input row with its theme (pred_theme), for `pubcom review-sheet`")
    p.add_argument("--seed", type=int, default=0, help="random seed (the same seed gives the same themes)")
    p.add_argument("--id", dest="taxonomy_id", default=None, help="taxonomy id (default: from the file name)")
    add_table_options(p, "sheet", "text-column")
    p.set_defaults(func=_cmd_discover)


def _cmd_discover(args) -> int:
    from .._io import write_text
    from ..discovery import assignments, discover, draft_toml
    from ..errors import PubcomError
    from ..ingest.tables import TEXT_COLUMNS, find_column
    from ..output import check_output
    from ..score import read_input, write_output
    from ..taxonomy_draft import sanitise_id

    themes = args.themes if args.themes == "auto" else _whole(args.themes)
    if args.assignments:
        check_output(args.assignments)
    if args.out.suffix.lower() != ".toml":
        raise PubcomError(f"{args.out}: the draft taxonomy is a TOML file; name it .toml")
    frame = read_input(args.input, sheet=args.sheet)
    column = find_column(frame, args.text_column, TEXT_COLUMNS, what="opinion text", source=str(args.input),
                         option="--text-column")
    texts = frame[column].tolist()
    found = discover(texts, themes=themes, seed=args.seed)
    stem = Path(args.input).name.split(".")[0] if args.input != "-" else "stdin"
    taxonomy_id = args.taxonomy_id or sanitise_id(stem, set(), prefix="taxonomy")
    write_text(args.out, draft_toml(found, texts, taxonomy_id=taxonomy_id, source=Path(args.input).name))
    written = f"{args.out}"
    if args.assignments:
        written += f", {write_output(assignments(frame, found), args.assignments)}"
    how = "given" if found.chosen_by == "given" else "chosen by the eigengap"
    _say(f"found {len(found.sizes)} themes ({how}; largest {found.sizes[0][1]}, smallest {found.sizes[-1][1]}) "
         f"-> {written}")
    return 0


def _whole(value: str) -> int:
    from ..errors import PubcomError

    try:
        return int(value)
    except ValueError:
        raise PubcomError(f"--themes must be a whole number or auto, got {value!r}") from None


BUILDERS = [_add_group]
