"""Fixture documents built in code from one small table (no committed binaries): xlsx, docx, pdf, html, csv.

Every builder writes the same eight rows the way an office would publish them, each under its own headings
(``HEADERS``: offices word the same columns differently); the tests read each back, compare row by row with
``ROWS`` and compare the formats' records with each other.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

# The suite reads the CLI's messages in English, the words the library raises (the default for people is Japanese:
# tests/test_i18n.py runs the CLI in Japanese on purpose). Set here, so CLI subprocesses inherit it too.
os.environ["PUBCOM_LANG"] = "en"

# (No., opinion, reply, category as written, response type it maps to). Row 4 shares row 3's reply (empty cell);
# row 3 stands for two opinions; row 5 is long enough to be split by a page break in the PDF.
ROWS = [
    (1, "本計画の目標が抽象的です。\n数値目標を示してください。", "ご意見を踏まえ、成果指標を追記します。", "反映", "adopted"),
    (2, "高齢者向けのスマートフォン教室を増やしてください。", "今後の施策の参考とさせていただきます。", "参考", "future"),
    (3, "窓口での手続きも残してください。(2件)", "本方針(案)に既に記載しております。\n窓口は引き続き設置します。", "既に記載", "kept"),
    (4, "紙の申請書も使えるようにしてください。", "", "既に記載", "kept"),
    (5, "行政手続のオンライン化を進める際には、利用者の視点に立って画面の分かりやすさを重視し、"
        "入力項目をできるだけ少なくするとともに、スマートフォンからも申請できるようにしてください。"
        "また、オンライン申請の利用状況を定期的に公表してください。",
     "ご意見を踏まえ、利用者の視点に立った画面設計に努める旨を追記するとともに、"
     "利用状況の公表について一部修正します。", "一部反映", "adopted"),
    (6, "AIの活用に当たっては職員による確認を徹底すべきです。", "運用方法について検討してまいります。", "参考", "future"),
    (7, "テレワークを推進してください。", "案のとおりとします。", "案のとおり", "kept"),
    (8, "情報セキュリティ対策を強化してください。", "ご質問の点は、別途規程で定めています。", "その他", "kept"),
]
TITLE = "「市DX推進計画(案)」に対する意見の概要及び市の考え方"
TOTALS = "意見数 9件 提出者数 5人"
# (number, opinion, reply, category) headings as each kind of office words them; the docx has no category column
# (its section rows carry the category). Different on purpose: the readers must find the columns by meaning.
HEADERS = {
    "xlsx": ["番号", "意見の概要", "市の考え方", "対応区分"],
    "docx": ["No.", "ご意見の要旨", "町の考え方"],
    "pdf": ["項目番号", "意見内容", "県の考え方", "反映状況"],
    "html": ["No", "御意見", "意見に対する考え方", "区分"],
    "csv": ["No.", "提出された意見", "御意見に対する考え方", "反映区分"],
}
# the docx groups rows under section rows instead of a category column; their words carry the mapping
SECTIONS = [
    ("Ⅰ．当該意見を踏まえて内容を修正するもの", [1, 5]),
    ("Ⅱ．今後の参考とするもの", [2, 6]),
    ("Ⅲ．既に案に盛り込まれているもの", [3, 4, 7]),
    ("Ⅳ．その他", [8]),
]
FONT = Path(__import__("matplotlib_fontja").__file__).parent / "fonts" / "ipaexg.ttf"


def row(no: int) -> tuple:
    return next(r for r in ROWS if r[0] == no)


def build_xlsx(path: Path) -> Path:
    """Title and totals above the header, a section row merged across, a reply merged down, a second sheet."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "結果"
    sheet.append([TITLE])
    sheet.merge_cells("A1:D1")
    sheet.append(["意見数", "9件", "提出者数", "5人"])
    sheet.append([])
    sheet.append(HEADERS["xlsx"])
    for no, opinion, reply, category, _ in ROWS:
        if no == 5:
            sheet.append(["【オンライン化】"])
            sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=4)
        sheet.append([no, opinion, reply or None, category])
    shared = next(i for i, r in enumerate(sheet.iter_rows(values_only=True), 1) if r[0] == 3)
    sheet.merge_cells(start_row=shared, start_column=3, end_row=shared + 1, end_column=3)
    notes = workbook.create_sheet("備考")
    notes.append(["この表は意見を要約したものです。"])
    workbook.save(path)
    return path


def build_docx(path: Path) -> Path:
    """Two tables, each with its header and section rows merged across; totals in a paragraph."""
    import docx

    document = docx.Document()
    document.add_heading(TITLE.replace("市", "町"), level=1)
    document.add_paragraph(f"{TOTALS}から御意見をいただきました。")
    for sections in (SECTIONS[:2], SECTIONS[2:]):
        rows = sum(1 + len(numbers) for _, numbers in sections)
        table = document.add_table(rows=1 + rows, cols=3)
        for cell, heading in zip(table.rows[0].cells, HEADERS["docx"], strict=True):
            cell.text = heading
        at = 1
        for label, numbers in sections:
            merged = table.cell(at, 0).merge(table.cell(at, 2))
            merged.text = label
            at += 1
            for no in numbers:
                _, opinion, reply, _, _ = row(no)
                cells = table.rows[at].cells
                cells[0].text, cells[1].text, cells[2].text = str(no), opinion, reply
                at += 1
        shared = [i for i, r in enumerate(table.rows) if r.cells[0].text == "3"]
        if shared:
            top = table.cell(shared[0], 2)
            top.merge(table.cell(shared[0] + 1, 2)).text = row(3)[2]
        document.add_paragraph("")
    document.save(path)
    return path


def build_pdf(path: Path) -> Path:
    """Three pages: running header and page number outside the table, header repeated, row 5 split by a page break."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("ipaexg", fname=str(FONT))
    pdf.add_font("ipaexg", style="B", fname=str(FONT))  # table headings are bold; IPAex has one weight
    pdf.set_auto_page_break(False)
    long_no, long_opinion, long_reply, long_category, _ = row(5)
    cut_o, cut_r = len(long_opinion) // 2, len(long_reply) // 2
    pages = [
        [_pdf_row(row(n)) for n in (1, 2, 3, 4)] + [[str(long_no), long_opinion[:cut_o], long_reply[:cut_r], long_category]],
        [["", long_opinion[cut_o:], long_reply[cut_r:], ""], _pdf_row(row(6))],
        [_pdf_row(row(n)) for n in (7, 8)],
    ]
    for number, rows in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("ipaexg", size=8)
        pdf.cell(0, 6, "県DX推進計画 意見募集の結果", align="R", new_x="LMARGIN", new_y="NEXT")
        if number == 1:
            pdf.set_font("ipaexg", size=11)
            pdf.multi_cell(0, 7, f"{TITLE.replace('市', '県')}\n{TOTALS}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("ipaexg", size=9)
        with pdf.table(col_widths=(12, 80, 70, 24), text_align="LEFT", line_height=5) as table:
            for cells in [HEADERS["pdf"]] + rows:
                line = table.row()
                for text in cells:
                    line.cell(text)
        pdf.set_y(-15)
        pdf.cell(0, 6, f"- {number} -", align="C")
    pdf.output(str(path))
    return path


def _pdf_row(r: tuple) -> list[str]:
    return [str(r[0]), r[1], r[2], r[3]]


def build_scan_pdf(path: Path) -> Path:
    """A page with drawings and no text at all, as a scanner would give."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 150, 200, style="F")
    pdf.output(str(path))
    return path


def _html_cell(text: str) -> str:
    return "<br>".join(text.split("\n"))


def build_html_table(path: Path) -> Path:
    body = []
    for no, opinion, reply, category, _ in ROWS:
        if no == 4:
            body.append(f"<tr><td>{no}</td><td>{_html_cell(opinion)}</td><td>{category}</td></tr>")
            continue
        span = ' rowspan="2"' if no == 3 else ""
        body.append(f"<tr><td>{no}</td><td>{_html_cell(opinion)}</td><td{span}>{_html_cell(reply)}</td>"
                    f"<td>{category}</td></tr>")
    body.insert(4, '<tr><td colspan="4">【オンライン化】</td></tr>')
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>意見募集の結果</title></head><body>"
            f"<h1>{TITLE}</h1><p>{TOTALS}</p><table><thead><tr>"
            + "".join(f"<th>{h}</th>" for h in HEADERS["html"]) + "</tr></thead><tbody>\n"
            + "\n".join(body) + "</tbody></table><p>- 1 -</p></body></html>")
    path.write_text(page, encoding="utf-8")
    return path


def build_html_blocks(path: Path) -> Path:
    parts = [f"<html><body><h1>{TITLE}</h1><p>{TOTALS}</p>"]
    for no, opinion, reply, category, _ in ROWS:
        parts.append(f"<h3>ご意見{no}</h3>" + "".join(f"<p>{line}</p>" for line in opinion.split("\n")))
        if reply:
            parts.append("<h4>市の考え方</h4>" + "".join(f"<p>{line}</p>" for line in reply.split("\n")))
        parts.append(f"<p>対応区分：{category}</p>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def build_csv(path: Path, encoding: str, delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow(HEADERS["csv"])
    for no, opinion, reply, category, _ in ROWS:
        writer.writerow([no, opinion, reply, category])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def otaru_path() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "raw" / "otaru-dx-policy-comments.txt"


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """The default model (embedded data + authored examples), trained once for the session. Tests that tamper
    with model files define their own."""
    from pipeline.registry import save_model
    from pipeline.train import train

    return save_model(train(), tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def model(model_dir):
    from pipeline.registry import load_model

    return load_model(model_dir)
