"""What every reader shares: the records contract, cell tidying, declared totals and their reconciliation."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RECORD_COLUMNS = [
    "consultation_id",
    "row_no",
    "opinion",
    "response",
    "opinion_count",
    "response_shared_with",
    "response_category_source",
    "section",
]

_TAG = re.compile(r"<\s*/?\s*(p|br|div|span|li|ul|ol|td|tr|b|i|u|strong|em|font)\b[^>]*>", re.IGNORECASE)
_PARA_BREAK = re.compile(r"<\s*(/p|br\s*/?|/div|/li)\s*>", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\u3000\u00a0]+")
# Control characters (NUL, escape, form feed...) that a cell can carry from a broken export: folded to a space.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# 「(2件)」: this row stands for N opinions of the same content.
# A count closes an opinion: it ends the cell or comes before the next item (a space, a line, ①, ・) or the sentence's end (。). One inside a
# sentence (「A市（3件）、B町」) counts something the writer mentions, not opinions.
_COUNT_MARK = re.compile(r"[(（]\s*([0-9０-９]+)\s*件\s*[)）](?=\s|$|[①-⑳・■●○◆※【。．.」』])")


@dataclass
class Document:
    """One ingested consultation: the records table plus what the document declares about itself."""

    records: pd.DataFrame
    meta: dict = field(default_factory=dict)

    @property
    def consultation_id(self) -> str:
        return self.meta.get("consultation_id", "")


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _tidy_line(line: str) -> str:
    """Collapse runs of spaces to one, and drop those that sit between two Japanese (wide) characters."""
    parts = [part for part in _SPACE.split(line.strip()) if part]
    out = parts[0] if parts else ""
    for part in parts[1:]:
        out += part if _is_wide(out[-1]) and _is_wide(part[0]) else " " + part
    return out


def clean_cell(value) -> str:
    """A cell's text as published, with markup removed and whitespace tidied; paragraphs joined by newlines."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    text = _PARA_BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    lines = [_tidy_line(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def opinion_count(opinion: str) -> int:
    """How many opinions a row stands for: the sum of its 「(N件)」 marks less their own row, at least 1."""
    marks = [int(unicodedata.normalize("NFKC", m)) for m in _COUNT_MARK.findall(opinion)]
    return max(1, 1 + sum(n - 1 for n in marks if n > 1))


_DECLARED_PATTERNS = {
    # label words -> key; checked in order, the first that fits wins
    "modifications": re.compile(r"修正"),
    "submitters": re.compile(r"提出者|提出人数|意見提出者"),
    "opinions": re.compile(r"件数|意見数|意見の数"),
}
_NUMBER = re.compile(r"([0-9０-９,，]+)\s*件")


def parse_declared(label: str, value: str) -> tuple[str, object] | None:
    """Read one line of a document's summary block (e.g. 「意見等の件数」「42件」) into (key, value)."""
    for key, pattern in _DECLARED_PATTERNS.items():
        if pattern.search(label):
            if key == "submitters":
                return key, value.strip()
            match = _NUMBER.search(value) or re.search(r"([0-9０-９,，]+)", value)
            if match:
                digits = unicodedata.normalize("NFKC", match.group(1)).replace(",", "")
                return key, int(digits)
    return None


def build_records(rows: list[dict], consultation_id: str) -> pd.DataFrame:
    """Rows (dicts with at least row_no, opinion, response) -> the records DataFrame, shared replies resolved."""
    frame = pd.DataFrame(rows)
    for column in RECORD_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame["consultation_id"] = consultation_id
    frame["opinion"] = frame["opinion"].map(clean_cell)
    frame["response"] = frame["response"].map(clean_cell)
    frame["opinion_count"] = frame["opinion"].map(opinion_count).astype(int)
    frame["response_shared_with"] = _shared_with(frame)
    extra = [c for c in frame.columns if c not in RECORD_COLUMNS]
    return frame[RECORD_COLUMNS + extra].reset_index(drop=True)


def _shared_with(frame: pd.DataFrame) -> pd.Series:
    """An empty reply cell shares the nearest reply above it (published tables merge such cells)."""
    shared: list[object] = []
    last = None
    for row_no, response in zip(frame["row_no"], frame["response"]):
        if response:
            last = row_no
            shared.append(pd.NA)
        else:
            shared.append(last if last is not None else pd.NA)
    return pd.Series(shared, index=frame.index, dtype="Int64")


def reconcile(records: pd.DataFrame, declared: dict) -> dict:
    """Compare what was found with what the document declares; every mismatch is listed, never hidden."""
    found = {"rows_found": int(len(records)), "opinions_counted": int(records["opinion_count"].sum()) if len(records) else 0}
    mismatches = []
    if "opinions" in declared and declared["opinions"] != found["opinions_counted"]:
        mismatches.append(
            {
                "field": "opinions",
                "declared": declared["opinions"],
                "found": found["opinions_counted"],
                "message": f"the document declares {declared['opinions']} opinions but {found['opinions_counted']} were counted "
                f"({found['rows_found']} rows)",
            }
        )
    empty = records.index[(records["opinion"] == "")].tolist() if len(records) else []
    for index in empty:
        mismatches.append({"field": "opinion", "row_no": _py(records.at[index, "row_no"]), "message": "row has an empty opinion"})
    return {**found, "ok": not mismatches, "mismatches": mismatches}


def _py(value):
    return value.item() if hasattr(value, "item") else value


def resolve_responses(records: pd.DataFrame) -> pd.Series:
    """Each row's effective reply: its own, or the reply of the row it shares one with."""
    if "response" not in records.columns:
        return pd.Series([""] * len(records), index=records.index, dtype=object)
    responses = records["response"].fillna("").astype(str)
    filled = responses.tolist()
    for i, j in _reply_links(records):
        if not filled[i]:
            filled[i] = responses.iat[j]
    return pd.Series(filled, index=records.index, dtype=object)


def reply_cuts(records: pd.DataFrame) -> np.ndarray:
    """The positions (0 to len(records), ascending) where `records` can be cut in two without parting a row from
    the row whose reply it shares (response_shared_with), so that each part resolves its replies alone."""
    parted = np.zeros(len(records) + 1, dtype=np.int64)  # +1 where a pair's span of forbidden cuts starts, -1 ends
    for i, j in _reply_links(records):
        if i != j:
            parted[min(i, j) + 1] += 1
            parted[max(i, j) + 1] -= 1
    return np.flatnonzero(np.cumsum(parted) == 0)


def _reply_links(records: pd.DataFrame) -> list[tuple[int, int]]:
    """(position of a row, position of the row whose reply it shares), for every row that names one that exists.
    Row numbers are read as numbers whether the table was read with dtype=str (a records CSV) or built in memory;
    anything that is not a whole number (blank, text, inf) names no row."""
    if not {"response_shared_with", "row_no"} <= set(records.columns):
        return []
    position = {row: i for i, row in enumerate(_whole_numbers(records["row_no"])) if row is not None}
    return [(i, position[ref]) for i, ref in enumerate(_whole_numbers(records["response_shared_with"]))
            if ref is not None and ref in position]


def _whole_numbers(column: pd.Series) -> list:
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    whole = np.isfinite(numbers) & (numbers == np.round(numbers))
    return [int(x) if ok else None for x, ok in zip(numbers.tolist(), whole.tolist())]
