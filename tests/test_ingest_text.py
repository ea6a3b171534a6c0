"""The embedded Otaru document, read exactly: rows, counts, the shared reply, the summary, no markup left."""
from __future__ import annotations

import json

import pytest

from pipeline import config
from pipeline.cli import main
from pipeline.ingest import read_document, read_records
from pipeline.ingest._common import clean_cell, opinion_count
from pipeline.train import join_labels

OTARU = config.DEFAULT_DOCUMENT


@pytest.fixture(scope="module")
def otaru():
    return read_document(OTARU)


def test_rows_and_counts(otaru):
    records = otaru.records
    assert len(records) == 40
    assert records["row_no"].tolist() == list(range(1, 41))
    assert records["opinion_count"].sum() == 42
    assert records.loc[records["opinion_count"] == 2, "row_no"].tolist() == [3, 37]


@pytest.mark.parametrize(
    "row_no, start, end",
    [
        (1, "本計画は自治体DX推進計画の取組事項に沿って", "計画の全面的な見直しが必要と認識する。"),
        (9, "職員の生産性向上のサブテーマがペーパーレスな", "BPR業務改革が主役のはず。"),
        (16, "デジタル化のためには、本人確認に間違いがないか", "驚いたことがあるのですが。"),
        (37, "停電や原因不明のネット障害などが起こった時", "体制は組まれているのでしょうか。(2件)"),
        (40, "本計画の作成部署については総務部デジタル推進室", "責任部署のメールアドレスも追記すべきである。"),
    ],
)
def test_opinion_text_kept_exactly(otaru, row_no, start, end):
    opinion = otaru.records.set_index("row_no").at[row_no, "opinion"]
    assert opinion.startswith(start)
    assert opinion.endswith(end)


def test_no_markup_and_no_header_rows(otaru):
    text = " ".join(otaru.records["opinion"]) + " ".join(otaru.records["response"])
    assert "<p>" not in text and "</p>" not in text
    assert not otaru.records["opinion"].str.startswith("意見等の概要").any()


def test_shared_reply_of_row_9(otaru):
    records = otaru.records.set_index("row_no")
    assert records.at[9, "response"] == ""
    assert records.at[9, "response_shared_with"] == 8
    assert records["response_shared_with"].notna().sum() == 1


def test_paragraphs_joined_by_a_newline(otaru):
    reply = otaru.records.set_index("row_no").at[16, "response"]
    assert reply.count("\n") == 1
    assert "ところです。\nなお、対面による手続では" in reply


def test_summary_and_reconciliation(otaru):
    meta = otaru.meta
    assert meta["declared"] == {"submitters": "3人、1団体", "opinions": 42, "modifications": 6}
    assert meta["reconciliation"]["rows_found"] == 40
    assert meta["reconciliation"]["opinions_counted"] == 42
    assert meta["reconciliation"]["ok"] is True
    assert len(meta["footnotes"]) == 2
    assert meta["title"].startswith("「小樽市自治体DXに関する全体方針(案)」")


def test_labels_join_gives_six_adopted(otaru):
    labelled = join_labels(otaru.records, config.DEFAULT_LABELS)
    assert (labelled["response_type"] == "adopted").sum() == 6
    # row 9 answers with row 8's reply once joined for training
    assert labelled.set_index("row_no").at[9, "response"] == labelled.set_index("row_no").at[8, "response"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("<p>一段落目。</p> <p>二段落目。</p>", "一段落目。\n二段落目。"),
        ("日本語 の 間", "日本語の間"),
        ("ID やパスワード", "ID やパスワード"),
        ("  前後の空白  ", "前後の空白"),
        (None, ""),
    ],
)
def test_clean_cell(raw, expected):
    assert clean_cell(raw) == expected


@pytest.mark.parametrize("text, count", [
    ("意見(2件)", 2), ("意見（３件）", 3), ("意見", 1), ("①a(2件) ②b(2件)", 3), ("①a(2件)②b", 2), ("a(2件)\nb", 2),
    ("a。(2件)", 2), ("A市（3件）、B町でも同じ訴えがある。", 1), ("事例が（2 件）あります。", 1),
    ("残してほしい（2件）。", 2), ("「残してほしい（2件）」", 2)])
def test_opinion_count(text, count):
    assert opinion_count(text) == count


def test_cli_ingest_writes_records_and_meta(tmp_path, capsys):
    assert main(["ingest", str(OTARU), "--out", str(tmp_path), "--id", "otaru"]) == 0
    records = read_records(tmp_path / "otaru.records.csv")
    meta = json.loads((tmp_path / "otaru.meta.json").read_text(encoding="utf-8"))
    assert len(records) == 40 and records["opinion_count"].sum() == 42
    assert (tmp_path / "otaru.records.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert meta["declared"]["opinions"] == 42 and meta["declared"]["modifications"] == 6
    assert "40 rows" in capsys.readouterr().out


def test_mismatch_is_a_warning_line(tmp_path, capsys):
    text = OTARU.read_text(encoding="utf-8").replace("42件", "45件")
    document = tmp_path / "changed.txt"
    document.write_text(text, encoding="utf-8")
    assert main(["ingest", str(document), "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "45" in err and "42" in err and err.startswith("warning:")
