"""Names made from input (issue #13): ids never leave the output folder; redaction covers kanji-numeral and
full-width phone numbers, the category and section columns and the id made from a file name."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline._io import NAME_BYTES, inside, safe_name
from pipeline.cli import main
from pipeline.ingest import Document
from pipeline.redact import redact, redact_document

DOCUMENT = "No,意見の概要,市の考え方,対応区分\n1,窓口を残してほしい,窓口は残します。,反映（〇九〇－１２３４－５６７８から電話）\n"


@pytest.mark.parametrize("text, name", [
    ("../../../escaped", "escaped"), ("a/b", "a-b"), ("a\\b", "a-b"), ("..", "consultation"), ("", "consultation"),
    (".hidden", "hidden"), ("con", "_con"), ("NUL.txt", "_NUL.txt"), ("第1回 意見", "第1回-意見"),
    ("a\x00b\nc", "a-b-c"), ("ｒｅｐｏｒｔ：２", "report-2"),
])
def test_safe_name(text, name):
    assert safe_name(text) == name


def test_safe_name_is_bounded_and_keeps_whole_characters():
    name = safe_name("意" * 200)
    assert len(name.encode("utf-8")) <= NAME_BYTES and set(name) == {"意"}


@pytest.mark.parametrize("name", ["../x", "a/b", "..", ""])
def test_inside_refuses_anything_but_a_file_name(tmp_path, name):
    with pytest.raises(ValueError, match="not a plain file name"):
        inside(tmp_path, name)


@pytest.mark.parametrize("given, stem", [("../../../escaped", "escaped"), ("a/b", "a-b"), ("/etc/passwd", "etc-passwd")])
def test_ingest_id_never_leaves_the_output_folder(tmp_path, given, stem):
    source, out = tmp_path / "in" / "doc.csv", tmp_path / "o" / "a" / "b"
    source.parent.mkdir()
    source.write_text(DOCUMENT, encoding="utf-8")
    assert main(["ingest", str(source), "--out", str(out), "--id", given]) == 0
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file() and p != source)
    assert [str(p) for p in written] == [f"o/a/b/{stem}.meta.json", f"o/a/b/{stem}.records.csv"]
    assert pd.read_csv(out / f"{stem}.records.csv", encoding="utf-8-sig")["consultation_id"].tolist() == [stem]


@pytest.mark.parametrize("text", ["〇九〇－１２３４－５６７８", "〇九〇ー一二三四ー五六七八", "０９０－１２３４－５６７８",
                                  "０９０ー１２３４ー５６７８", "〇一二〇‐四五六‐七八九", "０３（１２３４）５６７８"])
def test_phone_numbers_in_kanji_or_full_width_are_masked(text):
    masked, counts = redact(f"連絡先は{text}です")
    assert masked == "連絡先は〔電話番号〕です" and counts == {"phone": 1}


@pytest.mark.parametrize("text", ["二〇二四年一二月一〇日に三〇〇人が参加", "令和六年度は一〇〇件"])
def test_kanji_numbers_that_are_not_phones_stay(text):
    assert redact(text) == (text, {})


def test_ingest_redact_masks_category_section_and_the_id_from_the_file_name(tmp_path):
    source, out = tmp_path / "山田太郎様の意見.csv", tmp_path / "out"
    source.write_text(DOCUMENT, encoding="utf-8")
    assert main(["ingest", str(source), "--out", str(out), "--redact"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert not any("山田" in name or "太郎" in name for name in names) and len(names) == 2
    records_text = (out / names[1]).read_text(encoding="utf-8-sig")
    meta_text = (out / names[0]).read_text(encoding="utf-8")
    for text in (records_text, meta_text):
        assert "山田" not in text and "１２３４" not in text
    assert "〔電話番号〕" in records_text and "〔氏名〕" in names[1]


def test_redact_document_masks_the_section_column():
    records = pd.DataFrame({"consultation_id": ["x"], "opinion": ["a"], "response": ["b"],
                            "section": ["担当 〇九〇－１２３４－５６７８"], "response_category_source": ["参考"]})
    document = redact_document(Document(records=records, meta={"consultation_id": "x", "source_file": "x.csv"}))
    assert document.records.at[0, "section"] == "担当 〔電話番号〕"


@pytest.mark.parametrize("command", ["score", "redact"])
def test_default_output_names_are_masked_with_redaction(tmp_path, model_dir, monkeypatch, command):
    from pipeline import config

    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.setattr(config, "PROCESSED_DIR", tmp_path / "processed")
    source = tmp_path / "山田太郎様の意見.csv"
    source.write_text("opinion\n窓口を残してほしい\n", encoding="utf-8")
    args = [command, str(source)] + (["--model", str(model_dir), "--redact"] if command == "score" else [])
    assert main(args) == 0
    written = [p.name for p in tmp_path.rglob("*") if p.is_file() and p != source]
    assert len(written) == 1 and "山田" not in written[0] and written[0].startswith("〔氏名〕")
