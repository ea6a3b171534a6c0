"""Personal data masking: names, phone numbers, e-mail addresses, postal codes, addresses and My Numbers are
replaced by a mask that keeps the type (〔氏名〕, 〔電話番号〕...), so that a reader still sees what was there.

Patterns are matched on a width-folded copy of the text (full-width digits, letters, ＠, dash-like characters and
the kanji digits 〇一二...九 folded one character to one character), so the offsets found there cut the original text unchanged elsewhere.
Names come from the unidic part of speech 名詞-固有名詞-人名 (the pipeline's tokenizer drops those tokens, so the
tagger is used directly) and from an honorific (様, さん, 氏...) after a proper noun.

This is a safety net, not a guarantee: a name the dictionary does not know and that carries no honorific, or an
address written without a block number, stays. Check a sample by eye before publishing.
"""
from __future__ import annotations

import re
from collections import Counter

import pandas as pd

MASKS = {
    "my_number": "〔マイナンバー〕",
    "email": "〔メール〕",
    "phone": "〔電話番号〕",
    "postal_code": "〔郵便番号〕",
    "address": "〔住所〕",
    "name": "〔氏名〕",
}
KINDS = tuple(MASKS)

# one character to one character, so offsets in the folded copy are offsets in the original
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({ord(c): "-" for c in "‐‑‒–—―−"})
_FOLD[0x3000] = " "
_FOLD.update({ord(k): str(d) for d, k in enumerate("〇一二三四五六七八九")})  # 〇九〇－１２３４－５６７８ is a phone number
_LONG_VOWEL_DASH = re.compile(r"(?<=[0-9])[ーｰ](?=[0-9])")  # 090ー1234ー5678: a dash only between digits

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TWELVE = re.compile(r"(?<![0-9])[0-9]{4}[- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])")
_PHONE = re.compile(r"(?<![0-9-])(?:\+81[- ]?|0)[0-9]{1,4}(?:[- ]|\(|\)){0,2}[0-9]{1,4}(?:[- ]|\)){0,1}[0-9]{3,4}(?![0-9])")
_POSTAL_MARKED = re.compile(r"〒\s*[0-9]{3}-?[0-9]{4}(?![0-9])")
_POSTAL = re.compile(r"(?<![0-9-])[0-9]{3}-[0-9]{4}(?![0-9-])")
_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|新潟県|富山県|"
    "石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|奈良県|和歌山県|鳥取県|島根県|"
    "岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
# a town name: kanji, katakana, digits (北1条西) and the few kana place names use (霞が関, 鶴ヶ島); no other kana,
# so that 「小樽市は令和3年に1-2回」 is not an address
_TOWN = r"\u4e00-\u9fff\u3005\u30a1-\u30fa\u30fc0-9がのヶケ"
# a block number: 2丁目12番1号, 12番地の3, 1-2-3; a first 番 or dash must be followed by a digit (not 2番目)
_BLOCK = r"[0-9]+(?:丁目|番地|番(?=[0-9])|-(?=[0-9]))(?:の?[0-9]+(?:丁目|番地|番|号|-(?=[0-9]))?)*"
_ADDRESS = re.compile(
    rf"(?:(?:{_PREFECTURES})\s*)?(?P<city>[\u4e00-\u9fff\u30a1-\u30fa]{{1,6}}[市区町村])[{_TOWN}]{{0,12}}?{_BLOCK}"
)
_ADDRESS_CONTEXT = re.compile(rf"(?:{_PREFECTURES})|[\u4e00-\u9fff]{{1,6}}[市区町村]|住所|所在地")
_NOT_A_CITY = frozenset("本市 当市 同市 各市 全市 他市 都市 市区 区市 市町 町村 市町村 区町村 本町 当町 同町 本村 当村 各区".split())
_HONORIFICS = frozenset("様 さま さん 氏 殿 君 くん ちゃん 先生".split())


def my_number_valid(digits: str) -> bool:
    """The official check digit of a 12-digit individual number (行政手続における特定の個人を識別するための番号...
    施行令 第8条): P_n is the n-th of the first 11 digits counted from the right, Q_n = n+1 (n <= 6) or n-5 (n >= 7),
    r = sum(P_n Q_n) mod 11, check = 0 if r <= 1 else 11 - r."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = digits[:11][::-1]
    total = sum(int(p) * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(body, start=1))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


def _fold(text: str) -> str:
    return _LONG_VOWEL_DASH.sub("-", text.translate(_FOLD))


def _apply(text: str, spans: list[tuple[int, int]], kind: str, counts: Counter) -> str:
    for start, end in sorted(spans, reverse=True):  # right to left: earlier offsets stay valid
        text = text[:start] + MASKS[kind] + text[end:]
        counts[kind] += 1
    return text


def _pattern_spans(folded: str, kind: str) -> list[tuple[int, int]]:
    if kind == "email":
        return [m.span() for m in _EMAIL.finditer(folded)]
    if kind == "my_number":
        return [m.span() for m in _TWELVE.finditer(folded) if my_number_valid(re.sub(r"[- ]", "", m.group()))]
    if kind == "phone":
        return [m.span() for m in _PHONE.finditer(folded) if _phone_digits_ok(m.group())]
    if kind == "postal_code":
        spans = [m.span() for m in _POSTAL_MARKED.finditer(folded)]
        inside = {i for start, end in spans for i in range(start, end)}
        return spans + [m.span() for m in _POSTAL.finditer(folded)
                        if m.start() not in inside and _address_near(folded, *m.span())]
    if kind == "address":
        return [m.span() for m in _ADDRESS.finditer(folded) if m.group("city") not in _NOT_A_CITY]
    raise ValueError(f"unknown kind {kind!r}")


def _phone_digits_ok(match: str) -> bool:
    digits = re.sub(r"[^0-9]", "", match.replace("+81", "0", 1))
    return len(digits) in (10, 11) and digits.startswith("0")


def _address_near(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 12):start]
    return bool(_ADDRESS_CONTEXT.search(text[end:end + 12]) or "郵便番号" in before or "〒" in before or "住所" in before)


def _tagger():
    global _TAGGER
    if _TAGGER is None:
        import fugashi

        _TAGGER = fugashi.Tagger()
    return _TAGGER


_TAGGER = None


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Runs of person-name tokens, and runs of proper nouns followed by an honorific (the honorific is kept)."""
    from .tokenizer import _split_long  # MeCab crashes on very long input: tag it in pieces

    spans, offset = [], 0
    for piece in _split_long(text):
        spans.extend((offset + s, offset + e) for s, e in _piece_name_spans(piece))
        offset += len(piece)
    return spans


def _piece_name_spans(piece: str) -> list[tuple[int, int]]:
    nodes, cursor = [], 0
    for word in _tagger()(piece):
        start = piece.find(word.surface, cursor)
        if start < 0:  # never expected: MeCab surfaces are substrings; skip rather than mis-cut
            continue
        cursor = start + len(word.surface)
        feature = word.feature
        nodes.append((start, cursor, feature.pos1, feature.pos2, feature.pos3, word.surface, word.is_unk))
    spans, run = [], []
    for i, node in enumerate(nodes + [None]):
        named = node is not None and node[2] == "名詞" and (node[3] == "固有名詞" or node[6])
        if named:
            run.append(node)
            continue
        is_person = any(n[4] == "人名" for n in run)
        honorific = node is not None and node[2] == "接尾辞" and node[5] in _HONORIFICS
        if run and (is_person or honorific):
            spans.append((run[0][0], run[-1][1]))
        run = []
    return spans


def redact(text: object) -> tuple[str, dict[str, int]]:
    """`text` with personal data masked, and how many of each kind were masked (kinds: `KINDS`)."""
    counts: Counter = Counter()
    if text is None or (isinstance(text, float) and text != text):
        return "", {}
    text = str(text)
    for kind in ("email", "my_number", "phone", "postal_code", "address"):
        text = _apply(text, _pattern_spans(_fold(text), kind), kind, counts)
    if any(ch > "\u3000" for ch in text):  # names need Japanese text; skip the tagger for ASCII-only cells
        text = _apply(text, _name_spans(text), "name", counts)
    return text, {k: counts[k] for k in KINDS if counts[k]}


def text_columns(frame: pd.DataFrame) -> list:
    """The columns that hold text (object or string dtype)."""
    return [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]


def redact_frame(frame: pd.DataFrame, columns=None) -> tuple[pd.DataFrame, dict[str, int]]:
    """A copy of `frame` with `columns` (default: every text column) redacted, and the total counts."""
    columns = list(columns) if columns is not None else text_columns(frame)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        from .errors import InputError

        raise InputError(f"column(s) {', '.join(map(str, missing))} not found (columns: "
                         f"{', '.join(map(str, frame.columns))})")
    out, total = frame.copy(), Counter()
    for column in columns:
        values = []
        for value in out[column].tolist():
            if isinstance(value, str) and value:
                value, counts = redact(value)
                total.update(counts)
            values.append(value)
        out[column] = values
    return out, {k: total[k] for k in KINDS if total[k]}


def describe(counts: dict[str, int]) -> str:
    """'氏名 2, 電話番号 1' (or 'nothing')."""
    return ", ".join(f"{MASKS[k].strip('〔〕')} {n}" for k, n in counts.items()) or "nothing"


def redact_name(name: str) -> str:
    """A file name or id made from input, masked like text and kept one safe file name (`pipeline._io.safe_name`):
    a file named after a resident does not name the output."""
    from ._io import safe_name

    return safe_name(redact(name)[0])


# meta fields that are hashes or codes, not text a person wrote (a SHA-256 can hold 12 digits in a row)
_META_KEEP = frozenset({"consultation_id", "source_sha256", "format"})
# the records' columns that hold what a government or a resident wrote (the category as written included)
_RECORD_TEXT = ("opinion", "response", "section", "response_category_source")


def redact_document(document):
    """An ingested `Document` with its records' text columns, its meta's free text and its id (made from a file
    name, and naming the output files) masked; the counts go in ``meta["redaction"]``."""
    from ._io import safe_name
    from .ingest import Document

    columns = [c for c in _RECORD_TEXT if c in document.records.columns]
    records, counts = redact_frame(document.records, columns)
    total = Counter(counts)
    cid = safe_name(_redact_value(document.consultation_id, total))  # counted, unlike redact_name
    if "consultation_id" in records.columns:
        records["consultation_id"] = cid
    meta = {k: (v if k in _META_KEEP else _redact_value(v, total)) for k, v in document.meta.items()}
    meta["consultation_id"] = cid
    meta["redaction"] = {k: total[k] for k in KINDS if total[k]}
    return Document(records=records, meta=meta)


def _redact_value(value, total: Counter):
    if isinstance(value, str):
        text, counts = redact(value)
        total.update(counts)
        return text
    if isinstance(value, dict):
        return {k: _redact_value(v, total) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v, total) for v in value]
    return value
