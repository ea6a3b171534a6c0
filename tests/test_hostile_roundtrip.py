"""Property (issue #13): random tables with hostile cells go through every output format (CSV, XLSX, JSONL, the
review sheet, report.xlsx) and come back unchanged, with no formula in any workbook."""
from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cells import REPLACEMENT
from pipeline.ingest.tables import read_table
from pipeline.pages import write_workbook
from pipeline.report import make_report
from pipeline.review import COLUMNS, SHEET, write_review_sheet
from pipeline.score import write_output
from pipeline.taxonomy import load_taxonomy

_PREFIXES = st.sampled_from(["", "", "=", "+", "-", "@", "\t", "\r", "'", "'=", "''+", "=HYPERLINK(\"http://x\",\"a\")&",
                             "\t=cmd|' /C calc'!A0", " =1+1", "=1+1"])
_CHARS = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                       include_characters="\t\r\n\"',;=+-@\x00\x01\x1b")
CELLS = st.builds(lambda prefix, body: prefix + body, _PREFIXES, st.text(_CHARS, max_size=15))
HEADINGS = ["=cmd", "+sum", "@at", "-minus", "'=q", "note", "メモ"]
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SETTINGS = settings(max_examples=30, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@st.composite
def tables(draw) -> pd.DataFrame:
    rows = draw(st.integers(1, 6))
    extra = draw(st.lists(st.sampled_from(HEADINGS), max_size=3, unique=True))
    frame = pd.DataFrame({name: draw(st.lists(CELLS, min_size=rows, max_size=rows)) for name in ["opinion", *extra]})
    # a row number, as every scored table has columns that are never empty: a workbook reader drops trailing
    # rows with nothing in them
    return frame.assign(row_no=[str(i) for i in range(1, rows + 1)])


def _in_xlsx(frame: pd.DataFrame) -> pd.DataFrame:
    """What a workbook can hold: XML has no place for most control characters (documented in pipeline.cells)."""
    return frame.apply(lambda column: column.map(lambda v: _XML_ILLEGAL.sub(REPLACEMENT, v)))


def _formulas(path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [f"{sheet.title}!{cell.coordinate}={cell.value!r}" for sheet in book for row in sheet.iter_rows()
            for cell in row if cell.data_type == "f"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
@SETTINGS
@given(frame=tables())
def test_outputs_read_back_unchanged(tmp_path, suffix, frame):
    out = tmp_path / f"out{suffix}"
    write_output(frame, out)
    if suffix == ".jsonl":  # raw text, for programs
        back = pd.DataFrame([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()])
    else:
        back = read_table(out)
    expected = _in_xlsx(frame) if suffix == ".xlsx" else frame
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    if suffix == ".xlsx":
        assert _formulas(out) == []


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def _scored(frame: pd.DataFrame, taxonomy, flagged: bool) -> pd.DataFrame:
    theme = taxonomy.theme_ids[0]
    return frame.assign(pred_theme=theme, pred_theme_score=0.5, needs_review=flagged, review_reason="")


@SETTINGS
@given(frame=tables())
def test_review_sheet_reads_back_unchanged_without_formulas(tmp_path, taxonomy, frame):
    out = tmp_path / "review.xlsx"
    write_review_sheet(_scored(frame, taxonomy, False), out, taxonomy)
    assert _formulas(out) == []
    back = pd.read_excel(out, sheet_name=SHEET, dtype=str, keep_default_na=False)
    back = back.rename(columns={c.header: c.key for c in COLUMNS})
    pd.testing.assert_frame_equal(back[list(frame.columns)], _in_xlsx(frame), check_dtype=False)


@SETTINGS
@given(frame=tables(), name=st.sampled_from(["=cmd", "+x", "@SUM(A1)", "town"]))
def test_report_workbook_reads_back_unchanged_without_formulas(tmp_path, taxonomy, frame, name):
    out = tmp_path / "report.xlsx"
    write_workbook(make_report({name: _scored(frame, taxonomy, True)}, taxonomy=taxonomy), out)
    assert _formulas(out) == []
    book = openpyxl.load_workbook(out)
    queue = next(sheet for sheet in book if sheet.title.endswith(("要確認", "review")))  # the review queue
    header = [c.value for c in queue[1]]
    column = next(i for i, h in enumerate(header) if h in ("意見", "text"))
    texts = [row[column].value or "" for row in queue.iter_rows(min_row=2)]
    assert texts == _in_xlsx(frame)["opinion"].tolist()
