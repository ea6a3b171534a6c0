"""Text decoding for the files governments publish: UTF-8 (with or without BOM), CP932 / Shift_JIS, EUC-JP."""
from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import InputError

_LEGACY = ("cp932", "euc_jp")


# Bytes that never occur in text (controls other than tab, newlines, form feed and escape).
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_BINARY_SHARE = 0.05  # random bytes have ~11% of these; a text with a stray NUL in a cell has far fewer


def _binary_share(data: bytes) -> float:
    sample = data[:65536]
    return (len(sample) - len(sample.translate(None, _BINARY_BYTES))) / max(1, len(sample))


# A byte order mark decides the encoding before anything is guessed; UTF-32 LE first, as its mark starts with
# UTF-16 LE's. The codecs named here read and drop the mark.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte order mark at the start of `head` declares (UTF-32 / UTF-16 LE or BE, UTF-8), or None."""
    return next((encoding for bom, encoding in _BOMS if head.startswith(bom)), None)


def looks_binary(data: bytes) -> bool:
    """True for a binary file: not text with a byte order mark nor UTF-8 text (valid UTF-8 is text whatever control
    characters it carries: random bytes almost never are), and control bytes are common. `data` may be a file's head."""
    if bom_encoding(data):
        return False
    try:  # incremental: a head cut in the middle of a character is still UTF-8
        codecs.getincrementaldecoder("utf-8")().decode(data)
        return False
    except UnicodeDecodeError:
        return _binary_share(data) > _BINARY_SHARE


def legacy_encodings(sample: bytes) -> list[str]:
    """CP932 and EUC-JP, those that decode `sample` (a whole file or its head), least mojibake first.

    EUC-JP bytes usually also decode as CP932 (into half-width kana and private-use characters), so the one whose
    text looks least like mojibake comes first."""
    scored = []
    for encoding in _LEGACY:
        try:  # an incremental decoder: a head cut in the middle of a character still decodes
            text = codecs.getincrementaldecoder(encoding)().decode(sample)
        except UnicodeDecodeError:
            continue
        scored.append((_mojibake_score(text), encoding))
    return [encoding for _, encoding in sorted(scored)]


def decode(data: bytes, *, source: str = "input") -> tuple[str, str]:
    """Decode bytes: as a byte order mark says when there is one, else trying the encodings Japanese offices
    use; returns (text, encoding name).

    A stray NUL or control character inside a cell is kept (the normaliser folds it later); a file where such
    bytes are common is binary, and is refused rather than guessed at.
    """
    marked = bom_encoding(data)
    if marked:
        try:
            return data.decode(marked), marked
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: starts with a {marked.upper().replace('-SIG', '')} byte order mark but does "
                             f"not decode as such ({exc.reason})") from exc
    try:  # valid UTF-8 is text whatever control characters it carries (see looks_binary)
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _binary_share(data) > _BINARY_SHARE:
        raise InputError(f"{source}: looks like a binary file, not text ({_binary_share(data):.0%} control bytes)")
    legacy = legacy_encodings(data)
    if legacy:
        return data.decode(legacy[0]), legacy[0]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except ImportError:  # pragma: no cover - charset-normalizer is a dependency
        best = None
    if best is None:
        raise InputError(f"{source}: cannot decode as UTF-8, CP932 (Shift_JIS) or EUC-JP text")
    return str(best), best.encoding


def _mojibake_score(text: str) -> int:
    """Characters that real Japanese prose rarely holds: half-width kana, private use, C1 controls."""
    return sum(1 for ch in text if "\uff61" <= ch <= "\uff9f" or "\ue000" <= ch <= "\uf8ff" or "\x80" <= ch <= "\x9f")


def read_bytes(path: Path | str) -> bytes:
    """The file's bytes; an unreadable file is one InputError naming it."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def read_text(path: Path | str) -> str:
    return decode(read_bytes(path), source=str(path))[0]
