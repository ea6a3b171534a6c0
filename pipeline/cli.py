"""The `pubcom` command: one sub-command per stage; each parses, calls one library function, prints.

A user's mistake (missing file, unreadable input, bad option value) prints one line and exits 2; `--verbose`
shows the traceback.
"""
from __future__ import annotations

import argparse
import logging

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


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The `pubcom` parser, its help in `lang` (default: i18n.choose, Japanese unless told otherwise)."""
    from .i18n import LANGUAGES, activate, choose, translate_parser

    activate(choose(lang))
    parser = argparse.ArgumentParser(
        prog="pubcom",
        description="Classify Japanese public-consultation opinions (themes) and replies (response types), offline.",
    )
    parser.add_argument("--version", action="version", version=f"pubcom {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show details and tracebacks")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="language of messages and help: ja or en (default: ja, or English when LANG names an "
                             "English locale)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for build in _builders():
        build(sub)
    translate_parser(parser)
    return parser


def _take_lang(argv: list[str]) -> tuple[str | None, list[str]]:
    """--lang X wherever it is given (before or after the sub-command): the help is built in that language."""
    lang, rest, skip = None, [], False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg == "--lang" and i + 1 < len(argv):
            lang, skip = argv[i + 1], True
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return lang, rest


class _Once(logging.Filter):
    """A note is said once per run, however many chunks (or worker processes, forked after the first) meet it."""

    def __init__(self):
        super().__init__()
        self.said: set[str] = set()

    def filter(self, record) -> bool:
        key = getattr(record, "once", None) or record.getMessage()  # `once`: what makes two notes the same
        if key in self.said:
            return False
        self.said.add(key)
        return True


class _Localized(logging.Formatter):
    def format(self, record) -> str:
        from .i18n import localize

        return localize(super().format(record))


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a note is said (main() may run many times in one process)."""

    @property
    def stream(self):
        import sys

        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _notes_on_stderr() -> None:
    """The library's notes (logging, logger `pipeline`: a sheet or a heading chosen for the user) as lines on stderr,
    each once per run."""
    logger = logging.getLogger("pipeline")
    for handler in logger.handlers:
        if isinstance(handler, _Stderr):
            handler.filters[0].said.clear()  # a new run says its notes again
            break
    else:
        handler = _Stderr()
        handler.setFormatter(_Localized("note: %(message)s"))
        handler.addFilter(_Once())
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    import sys

    from .i18n import LANGUAGES, argparse_speaks

    lang, argv = _take_lang(list(sys.argv[1:] if argv is None else argv))
    if lang is not None and lang not in LANGUAGES:
        lang, argv = None, ["--lang", lang, *argv]  # argparse then says which values --lang takes
    parser = build_parser(lang)
    with argparse_speaks():
        args = parser.parse_args(argv)
        _notes_on_stderr()
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        import warnings

        with warnings.catch_warnings():  # puts showwarning back: main() may run many times in one process
            warnings.showwarning = _one_line_warnings(warnings.showwarning)
            return _run(args)


def _one_line_warnings(shown):
    """The library's own warnings (a model trained with another scikit-learn) as one line in the reader's language;
    any other (a library's subclass of UserWarning, a deprecation) as `shown`, Python's way."""
    def show(message, category, *where, **more) -> None:
        if category is UserWarning:
            _say(f"warning: {message}")
        else:
            shown(message, category, *where, **more)

    return show


def _run(args) -> int:
    try:
        return args.func(args) or 0
    except PubcomError as exc:
        if args.verbose:
            raise
        _say(f"pubcom {args.command}: error: {exc}")  # say() puts it in the reader's language
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
