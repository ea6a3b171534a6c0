"""Text decoding for the files governments publish: UTF-8 (with or without BOM), CP932 / Shift_JIS, EUC-JP."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError

_LEGACY = ("cp932", "euc_jp")


def decode(data: bytes, *, source: str = "input") -> tuple[str, str]:
    """Decode bytes, trying the encodings Japanese offices use; returns (text, encoding name)."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{source}: looks like a binary file, not text (NUL bytes found)")
    try:
        return data.decode("utf-8-sig"), "utf-8"  # valid UTF-8 of Japanese text is never an accident
    except UnicodeDecodeError:
        pass
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
