"""The `pubcom` sub-commands, one module per area; each `_add_<name>` adds a parser, each `_cmd_<name>` parses,
calls one library function and prints. Heavy imports happen inside the `_cmd_` functions."""
from __future__ import annotations

import sys


def say(message: str) -> None:
    """A status line on stderr (stdout stays for data: `pubcom score - --out -`)."""
    print(message, file=sys.stderr)
