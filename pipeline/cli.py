"""The `pubcom` command: one sub-command per stage; each parses, calls one library function, prints.

A user's mistake (missing file, unreadable input, bad option value) prints one line and exits 2; `--verbose`
shows the traceback.
"""
from __future__ import annotations

import argparse

from ._version import __version__
from .commands import say as _say
from .errors import PubcomError

EXIT_USAGE = 2


def _builders():
    from .commands import documents, grouping, modelling, scoring

    order = ["ingest", "train", "evaluate", "score", "run", "report", "review-sheet", "compare", "models", "taxonomy",
             "redact", "group"]
    builders = documents.BUILDERS + modelling.BUILDERS + scoring.BUILDERS + grouping.BUILDERS
    # listed commands in this order, any other after them (a new command must not break the others)
    rank = {name: i for i, name in enumerate(order)}
    return sorted(builders, key=lambda b: rank.get(b.__name__[5:].replace("_", "-"), len(order)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pubcom",
        description="Classify Japanese public-consultation opinions (themes) and replies (response types), offline.",
    )
    parser.add_argument("--version", action="version", version=f"pubcom {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show details and tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for build in _builders():
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
