"""Text decoding for the files governments publish: UTF-8 (with or without BOM), CP932 / Shift_JIS, EUC-JP."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError

_CANDIDATES = ("utf-8-sig", "cp932", "euc_jp")


def decode(data: bytes, *, source: str = "input") -> tuple[str, str]:
    """Decode bytes, trying the encodings Japanese offices use; returns (text, encoding name)."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{source}: looks like a binary file, not text (NUL bytes found)")
    for encoding in _CANDIDATES:
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except ImportError:  # pragma: no cover - charset-normalizer is a dependency
        best = None
    if best is None:
        raise InputError(f"{source}: cannot decode as UTF-8, CP932 (Shift_JIS) or EUC-JP text")
    return str(best), best.encoding


def read_text(path: Path | str) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return decode(data, source=str(path))[0]
