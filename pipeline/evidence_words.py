"""Evidence words as a reader finds them in the opinion: the model's features are lemmas and MeCab's pieces,
the reader has the text. `visible_word` keeps a feature only when the normalised text holds it (a katakana
piece grows to its whole word); `as_written` gives a word back in the opinion's own spelling (DX, not the
normalised dx; ＧＩＳ, not gis), so that every evidence word can be found in the opinion with Ctrl+F.
"""
from __future__ import annotations

import re
import unicodedata

_KATAKANA_RUN = re.compile(r"[\u30a1-\u30fa\u30fc-\u30ff]+")  # katakana and ー, not ・


def whole_word(word: str):
    """A pattern finding the whole katakana word around `word` when `word` is all katakana (MeCab splits
    オンライン into オン + ライン), else None: compiled once per feature."""
    if _KATAKANA_RUN.fullmatch(word) is None:
        return None
    run = _KATAKANA_RUN.pattern[:-1]  # the character class
    return re.compile(f"{run}*{re.escape(word)}{run}*")


def visible_word(word: str, text: str) -> str | None:
    """`word` as a reader finds it in the normalised `text`: itself when the text holds it, the whole katakana word
    when it is a piece of one, None when the text does not hold it (a lemma such as 分かる for 分かり, or a
    variant the normaliser folded)."""
    if word not in text:
        return None
    pattern = whole_word(word)
    return word if pattern is None else pattern.search(text).group()


def as_written(words: list[str], original: str) -> list[str]:
    """`words` (found in the normalised text) as the `original` text spells them: the same characters when the
    original holds them, else the original's span whose NFKC, lower-cased form is the word; the word itself when
    no span matches (the normaliser's variant table replaced the original's spelling)."""
    missing = [word for word in words if word not in original]
    if not missing:
        return words
    folded, starts = [], []
    for i, char in enumerate(original):
        piece = _FOLDED.get(char)
        if piece is None:
            piece = _FOLDED[char] = unicodedata.normalize("NFKC", char).lower()
        folded.append(piece)
        starts.extend([i] * len(piece))
    text = "".join(folded)
    return [word if word in original else _span(word, text, starts, original) for word in words]


_FOLDED: dict[str, str] = {}  # character -> its NFKC, lower-cased form (a few thousand distinct characters)


def _span(word: str, folded: str, starts: list[int], original: str) -> str:
    at = folded.find(word)
    if at < 0:
        return word
    return original[starts[at]:starts[at + len(word) - 1] + 1]
