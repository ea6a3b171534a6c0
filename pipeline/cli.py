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
    p.set_defaults(func=_cmd_ingest)


def _cmd_ingest(args) -> int:
    from . import config
    from .ingest import ingest

    if args.consultation_id and len(args.sources) > 1:
        raise PubcomError("--id names one consultation; give one SOURCE with it")
    out = args.out or config.PROCESSED_DIR
    for source in args.sources:
        document, records_path, meta_path = ingest(
            source, out, format=args.format, consultation_id=args.consultation_id, sheet=args.sheet,
            text_column=args.text_column, response_column=args.response_column, category_map=args.categories,
        )
        rec = document.meta.get("reconciliation", {})
        for mismatch in rec.get("mismatches", []):
            _say(f"warning: {source}: {mismatch['message']}")
        for item in document.meta.get("unmapped_categories", []):
            _say(f"warning: {source}: category {item['category']!r} ({item['rows']} rows) has no response type; "
                 "map it with --categories FILE")
        print(f"{source}: {rec.get('rows_found', len(document.records))} rows, "
              f"{rec.get('opinions_counted', '?')} opinions -> {records_path}, {meta_path}")
    return 0


_BUILDERS = [_add_ingest]


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
