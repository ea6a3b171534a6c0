"""Where a text is cut before MeCab reads it: MeCab crashes the process on very long input, and slows down on long
unbroken runs of one character class. The pieces, put together, are the text: no character is dropped."""
from __future__ import annotations

import re

_MAX_CHUNK = 20_000  # MeCab crashes the process on very long input: tokenize in pieces at sentence ends
_SENTENCE_END = re.compile(r"(?<=[。．！？!?\n])")
# MeCab's cost grows with the length of a run of one character class (an unknown word is tried at every length
# of the run): 'a' * 20,000 costs 6x ordinary text per character, 'ア' * 20,000 14x, 'ア' runs of 500 1.5x, runs of
# 200 of any class the ordinary rate or less (measured, issue #13). Runs longer than this, with no space or
# punctuation, are cut before MeCab; sentences people write have a 、 or 。 well before.
_MAX_RUN = 200
_LONG_RUN = re.compile(rf"[^\s、。，．,.!?！？・「」『』（）()【】\[\]]{{{_MAX_RUN + 1},}}")
_CUT_WINDOW = 50  # a cut is made where the character class changes in the run's last 50 characters, if it does


def _split_long(text: str, limit: int = _MAX_CHUNK) -> list[str]:
    """`text` in pieces MeCab reads safely and at its ordinary rate: at most `limit` characters, cut at sentence
    ends, and no unbroken run longer than _MAX_RUN (cut where the character class changes, if it does)."""
    if len(text) <= _MAX_RUN or (len(text) <= limit and not _LONG_RUN.search(text)):
        return [text]
    return [piece for part in _cut_runs(text) for piece in _split_sentences(part, limit)]


def _cut_runs(text: str) -> list[str]:
    pieces, start = [], 0
    for match in _LONG_RUN.finditer(text):
        at, end = match.span()
        while end - at > _MAX_RUN:
            at = _cut_point(text, at + _MAX_RUN)
            pieces.append(text[start:at])
            start = at
    pieces.append(text[start:])
    return pieces


def _cut_point(text: str, limit: int) -> int:
    """The last place before `limit`, within _CUT_WINDOW, where the character class changes; else `limit`."""
    if len(set(text[limit - _CUT_WINDOW:limit + 1])) == 1:  # 'aaaa...': no change to look for
        return limit
    for at in range(limit, limit - _CUT_WINDOW, -1):
        if _char_class(text[at - 1]) != _char_class(text[at]):
            return at
    return limit


def _char_class(ch: str) -> int:
    if "\u3040" <= ch <= "\u309f":
        return 1  # hiragana
    if "\u30a0" <= ch <= "\u30ff":
        return 2  # katakana
    if "\u4e00" <= ch <= "\u9fff":
        return 3  # kanji
    return 4 if ch.isdigit() else 5 if ch.isalpha() else 6


def _split_sentences(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > limit:  # a sentence longer than the limit is cut where it must be
            pieces.append(current + sentence[: limit - len(current)])
            sentence, current = sentence[limit - len(current):], ""
        if len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces
