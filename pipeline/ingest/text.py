"""The tab-separated text form of a published result table (the Otaru document's format).

A summary block of numbered lines (``1<TAB>意見等の提出者数<TAB>3人、1団体``), then table rows
``No.<TAB>opinion<TAB>reply``, the header repeated at each page, cells possibly wrapped in ``<p>`` tags,
and footnotes starting with ``*``.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ._common import Document, build_records, parse_declared, reconcile
from .encoding import read_text

FORMAT = "text"
OPTIONS = frozenset()  # the read() options this reader uses; any other given is an error
_HEADER = re.compile(r"^\s*(No\.?|番号|項目番号)\s*\t", re.IGNORECASE)
_ROW = re.compile(r"^\s*([0-9０-９]+)[ \u3000]*\t(.*)$")  # not \s* before the tab: it would eat an empty cell
_FOOTNOTE = re.compile(r"^\s*\\?[*＊※]")
_TITLE = re.compile(r"^\s*#+\s*(.+)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def sniff(path: Path, head: str) -> bool:
    """Tab-separated rows with a numbered first cell and a No. header somewhere near the top."""
    if path.suffix.lower() in (".csv", ".tsv"):  # exports with quoting and category columns: the delimited reader
        return False
    lines = head.splitlines()
    return any(_HEADER.match(line) for line in lines) and sum(bool(_ROW.match(line)) for line in lines) >= 1


def read(path: Path, *, consultation_id: str, **_options) -> Document:
    text = read_text(path)
    title, declared, rows, footnotes, skipped = "", {}, [], [], []
    in_table = False
    # only CR / LF end a line: str.splitlines would also break at \x0b, \x1c-\x1e, \x85 and \u2028 inside a cell
    for line_no, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        if _HEADER.match(line):
            in_table = True  # also each page's repeated header: never a record
            continue
        if _FOOTNOTE.match(line):
            footnotes.append(line.strip().lstrip("\\*＊※ ").strip())
            continue
        title_match = _TITLE.match(line)
        if title_match and not in_table:
            title = title_match.group(1).strip()
            continue
        row = _ROW.match(line)
        if row and not in_table:
            _read_summary_line(row.group(2), declared)
        elif row:
            cells = row.group(2).split("\t")
            rows.append({"row_no": int(row.group(1)), "opinion": cells[0], "response": "\t".join(cells[1:]), "line": line_no})
        elif in_table and rows:
            # a cell that runs on over a line break belongs to the last cell of the row above
            last = rows[-1]
            key = "response" if last["response"] else "opinion"
            last[key] += "\n" + line
        else:
            skipped.append({"line": line_no, "text": line.strip()[:80], "reason": "outside the table"})
    if not rows:
        raise InputError(f"{path}: no table rows found (expected a 'No.<TAB>意見<TAB>考え方' header and numbered rows)")
    records = build_records([{k: v for k, v in r.items() if k != "line"} for r in rows], consultation_id)
    meta = {
        "title": title,
        "declared": declared,
        "footnotes": footnotes,
        "skipped_lines": skipped,
        "reconciliation": reconcile(records, declared),
    }
    return Document(records=records, meta=meta)


def _read_summary_line(rest: str, declared: dict) -> None:
    cells = rest.split("\t")
    if len(cells) >= 2:
        parsed = parse_declared(cells[0], cells[1])
        if parsed and parsed[0] not in declared:
            declared[parsed[0]] = parsed[1]
