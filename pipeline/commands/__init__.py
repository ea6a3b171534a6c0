"""The `pubcom` sub-commands, one module per area; each `_add_<name>` adds a parser, each `_cmd_<name>` parses,
calls one library function and prints. Heavy imports happen inside the `_cmd_` functions."""
from __future__ import annotations

import sys


def say(message: str) -> None:
    """A status line on stderr (stdout stays for data: `pubcom score - --out -`), in the reader's language."""
    from ..i18n import localize

    print(localize(message), file=sys.stderr)


def tell(message: str) -> None:
    """A result line on stdout, in the reader's language."""
    from ..i18n import localize

    print(localize(message))


# The options that say where a table's columns are, worded once for every command that reads tables.
_TABLE_OPTIONS = {
    "sheet": "XLSX sheet name (default: the first sheet with an opinion column)",
    "text-column": "opinion text column (default: found by heading)",
    "response-column": "reply column, when replies exist (default: found by heading)",
    "theme-column": "theme label column (default: theme)",
    "response-type-column": "response type label column (default: response_type)",
}


def add_table_options(parser, *names: str) -> None:
    """--sheet, --text-column, ... (see _TABLE_OPTIONS) on `parser`, in the order given."""
    for name in names:
        parser.add_argument(f"--{name}", default=None, help=_TABLE_OPTIONS[name])
