"""Every reader against the same eight rows, built in code in each format; broken documents; the CLI."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import (HEADERS, ROWS, build_csv, build_docx, build_html_blocks, build_html_table, build_pdf,
                      build_scan_pdf, build_xlsx)
from pipeline.cli import main
from pipeline.errors import InputError
from pipeline.ingest import detect_format, read_document
from pipeline.ingest.categories import map_category
from pipeline.ingest.columns import map_columns, match_role
from pipeline.ingest.pdf import join_wrapped


def _squash(text) -> str:
    return re.sub(r"\s+", "", str(text))


# fixture id -> the headings its builder printed (the blocks layout has none)
PRINTED = {"xlsx-merged-title": HEADERS["xlsx"], "docx-sections-two-tables": HEADERS["docx"],
           "pdf-three-pages": HEADERS["pdf"], "html-table": HEADERS["html"], "html-blocks": [],
           "csv-cp932": HEADERS["csv"], "csv-eucjp": HEADERS["csv"], "csv-utf8-bom": HEADERS["csv"],
           "tsv-title-row": HEADERS["csv"]}

BUILDS = [
    pytest.param("comments.xlsx", build_xlsx, "xlsx", id="xlsx-merged-title"),
    pytest.param("comments.docx", build_docx, "docx", id="docx-sections-two-tables"),
    pytest.param("comments.pdf", build_pdf, "pdf", id="pdf-three-pages"),
    pytest.param("table.html", build_html_table, "html", id="html-table"),
    pytest.param("blocks.html", build_html_blocks, "html", id="html-blocks"),
    pytest.param("cp932.csv", lambda p: build_csv(p, "cp932"), "delimited", id="csv-cp932"),
    pytest.param("eucjp.csv", lambda p: build_csv(p, "euc_jp"), "delimited", id="csv-eucjp"),
    pytest.param("bom.csv", lambda p: build_csv(p, "utf-8-sig"), "delimited", id="csv-utf8-bom"),
    pytest.param("tabs.tsv", lambda p: build_csv(p, "utf-8", "\t"), "delimited", id="tsv-title-row"),
]


@pytest.mark.parametrize("name, build, fmt", BUILDS)
def test_reader_gives_the_source_rows(request, tmp_path, name, build, fmt):
    document = read_document(build(tmp_path / name))
    records = document.records.sort_values("row_no").reset_index(drop=True)
    assert document.meta["format"] == fmt
    assert document.meta["headings"] == PRINTED[request.node.callspec.id]
    assert records["row_no"].tolist() == [r[0] for r in ROWS]
    for (no, opinion, reply, _, _), got in zip(ROWS, records.itertuples()):
        assert _squash(got.opinion) == _squash(opinion), f"row {no} opinion"
        assert _squash(got.response) == _squash(reply), f"row {no} reply"
    assert records.loc[records.row_no == 4, "response_shared_with"].item() == 3
    assert records.loc[records.row_no == 3, "opinion_count"].item() == 2


@pytest.mark.parametrize("name, build, fmt", BUILDS)
def test_categories_and_totals_are_kept_and_mapped(tmp_path, name, build, fmt):
    document = read_document(build(tmp_path / name))
    records = document.records.sort_values("row_no")
    assert records["response_type"].tolist() == [r[4] for r in ROWS]
    assert all(records["response_category_source"] != "")
    assert document.meta["unmapped_categories"] == []
    if fmt != "delimited":  # the CSV fixture declares no totals
        assert document.meta["declared"]["opinions"] == 9
        assert document.meta["reconciliation"]["ok"], document.meta["reconciliation"]


# the acceptance case: one table as XLSX, DOCX (section rows), multi-page PDF, HTML and CP932 CSV, headed differently
SAME_TABLE = ["xlsx-merged-title", "docx-sections-two-tables", "pdf-three-pages", "html-table", "csv-cp932"]


def test_differently_headed_formats_ingest_to_the_same_records(tmp_path):
    builds = {p.id: p.values for p in BUILDS if p.id in SAME_TABLE}
    assert len({tuple(PRINTED[i]) for i in SAME_TABLE}) == len(SAME_TABLE)  # no two share their headings
    got = {}
    for fixture_id, (name, build, _) in builds.items():
        records = read_document(build(tmp_path / name)).records.sort_values("row_no")
        got[fixture_id] = [(r.row_no, _squash(r.opinion), _squash(r.response), r.response_type)
                           for r in records.itertuples()]
    first = got[SAME_TABLE[0]]
    assert len(first) == len(ROWS)
    for fixture_id in SAME_TABLE[1:]:
        assert got[fixture_id] == first, fixture_id


def test_docx_section_rows_label_the_rows_under_them(tmp_path):
    document = read_document(build_docx(tmp_path / "c.docx"))
    first = document.records.loc[document.records.row_no == 5, "response_category_source"].item()
    assert first == "Ⅰ．当該意見を踏まえて内容を修正するもの"
    reasons = [s["reason"] for s in document.meta["skipped_rows"]]
    assert reasons.count("section") == 4 and document.meta["tables"] == 2


def test_pdf_repeated_headers_and_page_furniture_are_not_rows(tmp_path):
    document = read_document(build_pdf(tmp_path / "c.pdf"))
    assert document.meta["pages"] >= 3
    assert [s["reason"] for s in document.meta["skipped_rows"]] == ["repeated header", "repeated header"]
    assert not document.records["opinion"].str.contains("意見募集の結果|- 2 -").any()


def test_a_records_file_or_an_english_headed_export_is_ingested(tmp_path):
    """The records file `pubcom ingest` writes, and an export headed in English, name their columns opinion /
    response: ingest reads them as it reads 意見の概要 / 市の考え方, not as a table with no opinion column."""
    source = tmp_path / "export.csv"
    source.write_text("row_no,opinion,response,response_type\n1,窓口の待ち時間を短くしてほしい。,検討します。,future\n"
                      "2,駐輪場を増やしてください。,案のとおりとします。,kept\n", encoding="utf-8")
    records = read_document(source).records
    assert records[["row_no", "opinion", "response"]].values.tolist() == [
        [1, "窓口の待ち時間を短くしてほしい。", "検討します。"], [2, "駐輪場を増やしてください。", "案のとおりとします。"]]
    again = tmp_path / "again.csv"
    records.to_csv(again, index=False)
    assert read_document(again).records["opinion"].tolist() == records["opinion"].tolist()


def test_xlsx_merged_section_row_and_sheet_option(tmp_path):
    path = build_xlsx(tmp_path / "c.xlsx")
    document = read_document(path, sheet="結果")
    assert document.meta["sheets"] == ["sheet '結果'"]
    assert {"reason": "section", "text": "【オンライン化】"}.items() <= document.meta["skipped_rows"][0].items()
    with pytest.raises(InputError, match=r"no sheet '無い' \(sheets: 結果, 備考\)"):
        read_document(path, sheet="無い")


def test_otaru_text_is_not_taken_by_the_new_readers(otaru_path):
    assert detect_format(otaru_path) == "text"
    document = read_document(otaru_path)
    assert (len(document.records), int(document.records.opinion_count.sum())) == (40, 42)


@pytest.mark.parametrize("heading, role", [
    ("意見の概要", "opinion"), ("ご意見の要旨", "opinion"), ("提出された意見", "opinion"), ("御 意 見", "opinion"),
    ("市の考え方等", "response"), ("意見に対する考え方", "response"), ("府省の考え方", "response"), ("回答", "response"),
    ("対応区分", "category"), ("反映状況", "category"), ("Ｎｏ．", "number"), ("NO", "number"), ("通し番号", "number"),
    ("該当ページ", "section"), ("頁", "section"), ("備考", None), ("note", None),
    ("opinion", "opinion"), ("Response", "response"), ("reply", "response"), ("row_no", "number"),
    ("opinion_count", None), ("response_type", None), ("response_shared_with", None),
])
def test_heading_roles(heading, role):
    match = match_role(heading)
    assert (match[0] if match else None) == role


@pytest.mark.parametrize("category, expected", [
    ("一部反映", "adopted"), ("反映", "adopted"), ("修正", "adopted"), ("参考", "future"), ("今後の検討", "future"),
    ("既に記載", "kept"), ("記載済", "kept"), ("案のとおり", "kept"), ("その他", "kept"), ("反映なし", "kept"),
    ("Ⅲ．意見を踏まえた修正は行わないもの", "kept"), ("Ⅰ．当該意見を踏まえて内容を修正するもの", "adopted"),
    ("A", None), ("Ｂ", None), ("Ⅰ", None), ("", None),
])
def test_built_in_category_rules(category, expected):
    assert map_category(category) == expected


@pytest.mark.parametrize("first, second, joined", [
    ("数値目標を", "示してください。", "数値目標を示してください。"),
    ("use of", "AI tools", "use of AI tools"),
    ("AIの", "活用", "AIの活用"),
])
def test_wrapped_lines_join_without_space_between_japanese(first, second, joined):
    assert join_wrapped(first, second) == joined


_JAPANESE = st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x30FA), min_size=1, max_size=8)


@given(_JAPANESE, _JAPANESE)
def test_join_wrapped_never_puts_a_space_between_japanese(first, second):
    assert join_wrapped(first, second) == first + second


@given(st.text(max_size=30))
def test_heading_matching_is_total_and_ignores_spacing(heading):
    match = match_role(heading)
    assert match is None or match[0] in ("opinion", "response", "number", "category", "section")
    assert match_role(f"\n {heading}\u3000\n") == match  # a heading wrapped or padded in its cell


def _grade_csv(path):
    rows = ["No.,ご意見,市の考え方,区分"] + [f"{r[0]},{r[1].splitlines()[0]},{(r[2] or 'なし').splitlines()[0]},{g}"
                                           for r, g in zip(ROWS, "ABCDABCD")]
    path.write_text("\n".join(rows), encoding="utf-8")
    return path


def test_grades_stay_unmapped_unless_a_category_file_names_them(tmp_path):
    path = _grade_csv(tmp_path / "grades.csv")
    document = read_document(path)
    assert set(document.records["response_type"]) == {""}
    assert {"category": "A", "rows": 2} in document.meta["unmapped_categories"]
    mapping = tmp_path / "map.toml"
    mapping.write_text('[response_categories]\nA = "adopted"\nB = "future"\nC = "kept"\nD = "kept"\n', encoding="utf-8")
    mapped = read_document(path, category_map=mapping)
    assert mapped.records["response_type"].tolist()[:4] == ["adopted", "future", "kept", "kept"]
    assert mapped.meta["unmapped_categories"] == []


def test_columns_override_and_missing_opinion_column(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text("No,件名,備考\n1,窓口を残してほしい,案のとおり\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"comments.csv: no opinion column among headings \[No, 件名, 備考\]; "
                                         r"pass --text-column"):
        read_document(path)
    document = read_document(path, text_column="件名", response_column="備考")
    assert document.records["opinion"].tolist() == ["窓口を残してほしい"]
    with pytest.raises(InputError, match=r"--response-column '回答' is not among headings"):
        map_columns(["No", "件名"], source="x", text_column="件名", response_column="回答")


def _truncated_xlsx(path):
    build_xlsx(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _written(data: bytes):
    def build(path):
        path.write_bytes(data)
        return path
    return build


BROKEN = [
    pytest.param("t.xlsx", _truncated_xlsx, r"not a readable Excel workbook", id="truncated-xlsx"),
    pytest.param("t.pdf", _written("意見の概要\t市の考え方\n".encode()),
                 r"not a PDF \(no %PDF- header", id="text-named-pdf"),
    pytest.param("s.pdf", build_scan_pdf, r"no text layer .*OCR is out of scope", id="scanned-pdf"),
    pytest.param("r.docx", _written(bytes(range(256)) * 8), r"not a readable Word document",
                 id="random-docx"),
    pytest.param("e.csv", _written(b""), r"the file is empty", id="empty-file"),
]


@pytest.mark.parametrize("name, build, message", BROKEN)
def test_broken_documents_raise_input_error(tmp_path, name, build, message):
    with pytest.raises(InputError, match=message):
        read_document(build(tmp_path / name))


@pytest.mark.parametrize("name, build, message", BROKEN)
def test_cli_says_one_line_and_exits_2(tmp_path, capsys, name, build, message):
    path = build(tmp_path / name)
    assert main(["ingest", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and re.search(message, err)


def test_cli_ingests_and_warns_about_unmapped_categories(tmp_path, capsys):
    path = _grade_csv(tmp_path / "grades.csv")
    assert main(["ingest", str(path), "--out", str(tmp_path / "out"), "--format", "delimited"]) == 0
    captured = capsys.readouterr()
    assert "8 rows, 9 opinions" in captured.out
    assert "category 'A' (2 rows) has no response type" in captured.err
    assert (tmp_path / "out" / "grades.records.csv").exists()


def test_cli_help_lists_the_formats(capsys):
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("pdf", "xlsx", "docx", "html", "delimited", "text"))


@pytest.mark.parametrize("numbered", [True, False])
def test_short_opinions_that_name_a_heading_word_are_rows_not_repeated_headers(tmp_path, numbered):
    rows = [("意見募集の期間が短すぎる", "次回から対応します"), ("バスの本数を増やして", "検討します"),
            ("意見交換会を開いてほしい", "対応を検討します")]
    lines = ["No.,意見,市の考え方" if numbered else "意見,市の考え方"]
    lines += [f"{i},{o},{r}" if numbered else f"{o},{r}" for i, (o, r) in enumerate(rows, start=1)]
    path = tmp_path / "short.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_document(path).records["opinion"].tolist() == [o for o, _ in rows]


@pytest.mark.parametrize("builder, part", [(build_docx, "word/document.xml"), (build_xlsx, "xl/worksheets/sheet1.xml")])
def test_broken_xml_inside_a_docx_or_xlsx_is_one_input_error(tmp_path, builder, part):
    import zipfile

    good = builder(tmp_path / f"good{'.docx' if builder is build_docx else '.xlsx'}")
    bad = tmp_path / f"bad{good.suffix}"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, b"<broken" if item.filename == part else src.read(item.filename))
    with pytest.raises(InputError, match=f"{bad.name}: not a readable"):
        read_document(bad)


def test_a_tsv_export_with_a_title_row_is_read_without_format(tmp_path):
    path = tmp_path / "export.tsv"
    path.write_text("意見募集の結果\n\nNo.\t意見の概要\t市の考え方\n1\tバスを増やしてほしい\t検討します\n"
                    "2\t歩道が狭い\t案のとおりとします\n", encoding="utf-8")
    document = read_document(path)
    assert document.meta["format"] == "delimited"
    assert document.records["opinion"].tolist() == ["バスを増やしてほしい", "歩道が狭い"]
