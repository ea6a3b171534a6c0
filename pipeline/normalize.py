"""Text normalisation for Japanese administrative text, done deliberately (never sklearn's strip_accents,
which turns が into か).

Steps: markup remnants removed, NFKC (full-width ASCII -> half-width, half-width katakana -> full-width),
Latin letters lower-cased, control characters and runs of whitespace folded to one space, then a small table of
spelling variants that administrative documents and residents use for the same thing.
"""
from __future__ import annotations

import re
import unicodedata

NORMALIZER_VERSION = "ja-norm-v1"

# (variant, canonical): applied in order after NFKC. Keep each canonical form free of every variant, so that
# normalising twice changes nothing.
VARIANTS: tuple[tuple[str, str], ...] = (
    ("デジタルデバインド", "デジタルデバイド"),  # a common misspelling (the Otaru draft itself uses it)
    ("デジタル・デバイド", "デジタルデバイド"),
    ("個人番号カード", "マイナンバーカード"),
    ("マイナカード", "マイナンバーカード"),
    ("マイナンバ-カード", "マイナンバーカード"),
    ("スマートフォン", "スマホ"),
    ("スマートホン", "スマホ"),
    ("ペーパレス", "ペーパーレス"),
    ("セキュリティー", "セキュリティ"),
    ("コンピューター", "コンピュータ"),
    ("サーバー", "サーバ"),
    ("インターネット", "ネット"),
    ("ホームページ", "ウェブサイト"),
    ("webサイト", "ウェブサイト"),
    ("チャットボツト", "チャットボット"),
    ("御意見", "ご意見"),
)

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>|&(nbsp|amp|lt|gt|quot);")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"\s+")
_LATIN = re.compile(r"[A-Z]+")
_MAX_PASSES = 5
# One search for any variant: most texts have none, and one regex search costs a fifth of 16 substring tests.
_ANY_VARIANT = re.compile("|".join(re.escape(variant) for variant, _ in VARIANTS))


def normalize(text: object) -> str:
    """One normalised string; None and NaN give ''. Normalising again changes nothing."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    value = str(text)
    # One pass can expose more work (NFKC turns ＜ｂ＞ into markup; a removed tag joins two halves of another;
    # a variant's replacement can compose with a following combining mark): repeat until nothing changes.
    for _ in range(_MAX_PASSES):
        again = _normalize_once(value)
        if again == value or _settled(again):
            return again
        value = again
    return value


def _settled(value: str) -> bool:
    """True when another pass cannot change `value`, the output of a pass: it has no markup character, is NFKC,
    and has no variant. A pass leaves no upper-case Latin, control character or white-space run, and its variant
    replacements add none; so only these three can still change (a third of texts would otherwise take a second
    pass that finds nothing to do)."""
    return "<" not in value and "&" not in value and unicodedata.is_normalized("NFKC", value) \
        and not _ANY_VARIANT.search(value)


def _normalize_once(value: str) -> str:
    if "<" in value or "&" in value:  # markup needs one of them
        value = _MARKUP.sub(" ", value)
    value = unicodedata.normalize("NFKC", value)
    value = _LATIN.sub(_lower, value)
    value = _CONTROL.sub(" ", value)
    value = _SPACES.sub(" ", value).strip()
    if _ANY_VARIANT.search(value):  # none: the replacements below would change nothing
        for variant, canonical in VARIANTS:
            if variant in value:
                value = value.replace(variant, canonical)
    return value


def _lower(match: re.Match) -> str:
    return match.group(0).lower()
