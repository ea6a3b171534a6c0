"""Text decoding for the files governments publish: UTF-8 (with or without BOM), CP932 / Shift_JIS, EUC-JP."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError

_LEGACY = ("cp932", "euc_jp")


# Bytes that never occur in text (controls other than tab, newlines, form feed and escape).
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_BINARY_SHARE = 0.05  # random bytes have ~11% of these; a text with a stray NUL in a cell has far fewer


def _binary_share(data: bytes) -> float:
    sample = data[:65536]
    return (len(sample) - len(sample.translate(None, _BINARY_BYTES))) / max(1, len(sample))


def decode(data: bytes, *, source: str = "input") -> tuple[str, str]:
    """Decode bytes, trying the encodings Japanese offices use; returns (text, encoding name).

    A stray NUL or control character inside a cell is kept (the normaliser folds it later); a file where such
    bytes are common is binary, and is refused rather than guessed at.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: starts like UTF-16 text but does not decode ({exc.reason})") from exc
    try:  # valid UTF-8 is text whatever control characters it carries: random bytes almost never are
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    share = _binary_share(data)  # the legacy encodings accept nearly any bytes: refuse what looks binary
    if share > _BINARY_SHARE:
        raise InputError(f"{source}: looks like a binary file, not text ({share:.0%} control bytes)")
    decoded = []
    for encoding in _LEGACY:
        try:
            decoded.append((data.decode(encoding), encoding))
        except UnicodeDecodeError:
            continue
    if decoded:
        # EUC-JP bytes usually also decode as CP932 (into half-width kana and private-use characters),
        # so when several legacy encodings fit, keep the one whose text looks least like mojibake.
        return min(decoded, key=lambda pair: _mojibake_score(pair[0]))
    if b"\x00" in data:
        raise InputError(f"{source}: looks like a binary file, not text (NUL bytes, and not UTF-8, CP932 or EUC-JP)")
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


def read_text(path: Path | str) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return decode(data, source=str(path))[0]
