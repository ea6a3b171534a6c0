"""Authored reply examples (`taxonomies/dx-ja.replies.csv`): replies in the polite, plain and summary registers
(修正します / 修正する / 修正。 / 修正した旨を回答), mixed ones by the labelling guide's rule (a change wins over a
promise to consider), each with its response type. The published tables a model learns from are mostly polite;
these teach the reply model the other registers. What a reply says does not depend on the consultation, so they
fit the reply model of any taxonomy whose response types are the default three (a user's own taxonomy
included), never the theme model. Written by the team; never test data. Each weighs like one labelled reply:
on the real replies of ../shared/realdev/ weights 0.5 / 1 / 2 / 3 / 5 gave 0.932 / 0.932 / 0.927 / 0.927 / 0.927.
"""
from __future__ import annotations

import csv
import functools

from . import config

REPLY_EXAMPLES = config.TAXONOMY_DIR / "dx-ja.replies.csv"
_DEFAULT_IDS = frozenset({"adopted", "future", "kept"})


@functools.lru_cache(maxsize=4)
def _read(path: str) -> tuple[tuple[str, str], ...]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return tuple((row["reply"], row["response_type"]) for row in csv.DictReader(handle))


def reply_examples(taxonomy) -> tuple[list[str], list[str]]:
    """(replies, response types) to add to the reply model's training data: the authored examples when the
    taxonomy's response types are the default three, else none (its own types mean something else)."""
    if taxonomy is None or set(taxonomy.response_type_ids) != _DEFAULT_IDS or not REPLY_EXAMPLES.exists():
        return [], []
    rows = _read(str(REPLY_EXAMPLES))
    return [reply for reply, _ in rows], [label for _, label in rows]
