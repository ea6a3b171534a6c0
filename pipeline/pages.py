"""A report's tables as people read them: summary.md, summary.html (charts embedded) and report.xlsx.

The page is built once as a list of blocks (heading, paragraph, list, table, image) and rendered to Markdown and
HTML, so the two never say different things.
"""
from __future__ import annotations

import base64
import html
import math
import unicodedata
from datetime import datetime
from pathlib import Path

import pandas as pd

from ._io import atomic_path, write_text
from .cells import append_row, save_workbook

HEADERS = {"consultation": "意見募集", "theme": "テーマID", "label": "テーマ", "rows": "行数", "opinions": "意見数",
           "share": "割合", "review_rows": "要確認（行）", "total": "計", "row": "行", "score": "確信度",
           "reason": "要確認の理由", "text": "意見", "training_rows": "学習データ（行）", "training_share": "学習データの割合",
           "ratio": "倍率", "review_share": "要確認の割合", "change": "変化", "source": "ファイル",
           "themes_from": "テーマの出典", "unscored_rows": "未分類（行）", "unscored_opinions": "未分類（件）",
           "suggestion": "回答案（過去の回答から）", "suggested_rows": "回答案あり（行）",
           "distinct_opinions": "同趣旨をまとめた意見数", "group": "グループ",
           "no_opinion_rows": "意見なし（行）"}
CHANGES = {"more": "増加", "less": "減少", "": ""}
PERCENT = ("share", "training_share", "review_share")
PAGE_REVIEW_ROWS = 30  # the page shows the least confident rows; the workbook has them all
TEXT_CHARS = 80


def _header(column: str) -> str:
    if ":" in column:  # comparison columns are "<consultation>:opinions" / "<consultation>:share"
        name, what = column.rsplit(":", 1)
        return f"{name} {HEADERS.get(what, what)}"
    return HEADERS.get(column, column)


def _cell(column: str, value) -> str:
    """A value as text for the page: shares as percentages, ratios to one decimal, long opinions cut."""
    kind = column.rsplit(":", 1)[-1]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind in PERCENT:
        return f"{value:.1%}"
    if kind == "ratio":
        return "新出" if math.isinf(value) else f"{value:.2f}"
    if kind == "score":
        return f"{value:.2f}"
    if kind == "change":
        return CHANGES.get(value, value)
    if kind == "themes_from":
        return {"labels": "ラベル", "predictions": "予測"}.get(value, value)
    text = str(value).replace("\n", " ")
    return text[:TEXT_CHARS] + "…" if kind in ("text", "suggestion") and len(text) > TEXT_CHARS else text


# ---------------------------------------------------------------- blocks
def _blocks(report, charts: dict) -> list[tuple]:
    blocks = [("h1", "パブリックコメント テーマ別レポート"),
              ("p", f"作成 {datetime.now():%Y-%m-%d %H:%M}。意見数は各行の opinion_count（「(2件)」など）で重み付けし、"
                    "テーマのない行は「未分類」として数えています。"),
              ("h2", "概要"), ("table", pd.DataFrame(report.headlines).drop(columns="source"))]
    for h in report.headlines:
        blocks += _consultation_blocks(report, h, charts)
    if report.comparison is not None:
        blocks += [("h2", "意見募集の比較"), ("img", charts.get("comparison_chart"), "テーマ別の割合の比較"),
                   ("table", report.comparison.drop(columns="theme"))]
    return blocks + _notes(report)


def _consultation_blocks(report, h: dict, charts: dict) -> list[tuple]:
    name = h["consultation"]
    dist = report.distributions[name]
    top = dist[(dist["opinions"] > 0) & (~dist["theme"].isin(("(unscored)", "(no opinion)")))].head(3)
    review = "要確認の列なし" if h["review_rows"] is None else f"要確認 {h['review_rows']}行（{h['review_share']:.0%}）"
    facts = [f"{h['rows']}行・{h['opinions']}件の意見（{'ラベル' if h['themes_from'] == 'labels' else '予測'}によるテーマ）",
             f"未分類 {h['unscored_rows']}行（{h['unscored_opinions']}件）、意見なし {h.get('no_opinion_rows', 0)}行", review,
             "多いテーマ: " + "、".join(f"{r.label} {r.opinions}件（{r.share:.0%}）" for r in top.itertuples())]
    blocks = [("h2", name), ("ul", facts),
              ("img", charts.get(f"theme_chart:{name}"), f"{name} テーマ別の意見数"),
              ("h3", "テーマ別の意見数"), ("table", dist.drop(columns="theme")),
              ("h3", "テーマ × 対応区分（回答済みの意見数）")]
    by_response = report.by_response[name]
    if int(by_response["total"].sum()):
        blocks += [("img", charts.get(f"heatmap:{name}"), f"{name} テーマ × 対応区分"),
                   ("table", by_response.drop(columns="theme"))]
    else:
        blocks.append(("p", "回答（市の考え方）のある意見はまだありません。"))
    if name in report.guesses:
        blocks += _guess_blocks(report.guesses[name])
    if name in report.groups:  # grouped input (`pubcom group`)
        blocks += [("h3", "同趣旨の意見（件数の多い順）"),
                   ("table", report.groups[name].drop(columns="theme")) if len(report.groups[name]) else ("p", "なし")]
    queue = report.reviews[name]
    if h["review_rows"] is not None:
        shown = f"（確信度の低い順に {PAGE_REVIEW_ROWS}行まで。全件は report.xlsx）" if len(queue) > PAGE_REVIEW_ROWS else ""
        blocks += [("h3", f"要確認 {len(queue)}行{shown}"),
                   ("table", queue.head(PAGE_REVIEW_ROWS).drop(columns="theme")) if len(queue) else ("p", "なし")]
    if name in report.drift:
        blocks += _drift_blocks(report.drift[name], report.training_rows)
    elif name in report.in_training:  # its own rows taught the model: a comparison would only find itself
        blocks += [("h3", "学習データとの比較"), ("p", "この意見募集は学習データに含まれているため、比較していません。")]
    return blocks


def _guess_blocks(table: pd.DataFrame) -> list[tuple]:
    """Response types predicted from the opinion alone, apart from the replies' and never added to them."""
    return [("h3", f"回答前の予測（{int(table['total'].sum())}件）"),
            ("p", "回答がまだない意見について、意見の文面だけから対応区分を推定した参考値です。"
                  "回答の区分とは精度が大きく異なるため（意見だけからの推定は当たり外れが多い）、上の集計には含めていません。"),
            ("table", table.drop(columns="theme"))]


def _drift_blocks(table: pd.DataFrame, training_rows: int) -> list[tuple]:
    flagged = table[table["change"] != ""]
    said = [f"{CHANGES[r.change]}: {r.label}（学習 {r.training_share:.0%} → {r.share:.0%}、{r.rows}行）"
            for r in flagged.itertuples()] or ["学習データから大きく変わったテーマはありません"]
    return [("h3", f"学習データ（{training_rows}行）との比較"), ("ul", said),
            ("table", table[(table["rows"] > 0) | (table["training_rows"] > 0)].drop(columns="theme"))]


def _notes(report) -> list[tuple]:
    from .report import DRIFT_MIN_ROWS, DRIFT_RATIO

    notes = ["割合は未分類を含む全意見数に対する割合です。",
             "要確認: モデルの確信度が低い、上位2テーマが僅差、または本文が短い・空の行です。"]
    if report.drift:
        notes.append(f"学習データとの比較は行数の割合で行います（未分類を除く）。ファイル内で{DRIFT_MIN_ROWS}行以上あり"
                     f"割合が学習データの{DRIFT_RATIO:g}倍以上なら「増加」、学習データの割合から{DRIFT_MIN_ROWS}行以上が見込まれるのに"
                     f"{1 / DRIFT_RATIO:g}倍以下なら「減少」とします。")
    return [("h2", "読み方"), ("ul", notes)]


# ---------------------------------------------------------------- Markdown / HTML
def _md_table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    esc = lambda s: s.replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(_header(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(esc(_cell(c, v)) for c, v in zip(cols, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def write_markdown(report, path: Path, charts: dict) -> Path:
    out = []
    for kind, *rest in _blocks(report, charts):
        if kind in ("h1", "h2", "h3"):
            out.append("#" * int(kind[1]) + " " + rest[0])
        elif kind == "p":
            out.append(rest[0])
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in rest[0]))
        elif kind == "table":
            out.append(_md_table(rest[0]))
        elif kind == "img" and rest[0]:
            out.append(f"![{rest[1]}]({Path(rest[0]).name})")
    return write_text(path, "\n\n".join(out) + "\n")


_CSS = """body{font-family:"Hiragino Sans","Yu Gothic","Meiryo","IPAexGothic",sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.6}h1{font-size:1.6em}h2{border-bottom:2px solid #3b6ea5;padding-bottom:.2em;
margin-top:2em}table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .6em;
vertical-align:top}th{background:#eef3f8}td.n{text-align:right;white-space:nowrap}img{max-width:100%;height:auto;
display:block;margin:1em 0}"""


def _html_table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    head = "".join(f"<th>{html.escape(_header(c))}</th>" for c in cols)
    body = []
    for row in frame.itertuples(index=False):
        cells = [(c, v, isinstance(v, (int, float)) and not isinstance(v, bool)) for c, v in zip(cols, row)]
        body.append("<tr>" + "".join(f"<td{' class=n' if n else ''}>{html.escape(_cell(c, v))}</td>" for c, v, n in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _data_uri(path) -> str:
    """A chart inside the page itself, so the page shows it when copied or e-mailed alone."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def write_html(report, path: Path, charts: dict, taxonomy=None) -> Path:
    from .browse import SCRIPT, STYLE, opinion_list

    out = []
    for kind, *rest in _blocks(report, charts):
        if kind in ("h1", "h2", "h3", "p"):
            out.append(f"<{kind}>{html.escape(rest[0])}</{kind}>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in rest[0]) + "</ul>")
        elif kind == "table":
            out.append(_html_table(rest[0]))
        elif kind == "img" and rest[0]:
            out.append(f'<img src="{_data_uri(rest[0])}" alt="{html.escape(rest[1])}" '
                       f'data-chart="{html.escape(Path(rest[0]).name)}">')
    notes = out.index("<h2>読み方</h2>") if "<h2>読み方</h2>" in out else len(out)
    out.insert(notes, opinion_list(report, taxonomy))  # the list before the notes on how to read the tables
    page = ("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>パブリックコメント テーマ別レポート</title><style>{_CSS}\n{STYLE}</style></head><body>\n"
            + "\n".join(out) + f"\n<script>{SCRIPT}</script>\n</body></html>\n")
    return write_text(path, page)


# ---------------------------------------------------------------- workbook
def _sheets(report) -> list[tuple[str, pd.DataFrame]]:
    sheets = [("概要", pd.DataFrame(report.headlines))]
    for name in report.distributions:
        sheets += [(f"{name} テーマ", report.distributions[name]), (f"{name} 対応区分", report.by_response[name])]
        if name in report.guesses:
            sheets.append((f"{name} 回答前の予測", report.guesses[name]))
        sheets.append((f"{name} 要確認", report.reviews[name]))
        if name in report.drift:
            sheets.append((f"{name} 学習との比較", report.drift[name]))
        if name in report.groups:
            sheets.append((f"{name} 同趣旨", report.groups[name]))
    if report.comparison is not None:
        sheets.append(("比較", report.comparison))
    return sheets


def sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31]
    unique, k = base, 2
    while unique in taken:
        unique = f"{base[:28]}~{k}"
        k += 1
    return unique


def _format_sheet(sheet, frame: pd.DataFrame, headers: dict) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from .report_sheets import NUMBER_FORMATS

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        kind = column.rsplit(":", 1)[-1]
        widest = max([_width(headers.get(column) or _header(column)) + 2]  # + the autofilter button
                     + [_width(v) for v in frame[column].head(500)])
        sheet.column_dimensions[letter].width = min(60, max(8, widest + 2))
        for cell in sheet[letter][1:]:
            if kind in PERCENT:
                cell.number_format = "0.0%"
            elif kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
            elif kind in ("text", "reason", "reply"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _width(value) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(value))


def write_workbook(report, path: Path, taxonomy=None) -> Path:
    """One sheet per table and one with every opinion: bold frozen header, autofilter, numbers as numbers with
    their formats (percent, 0.00), widths fitted to the contents (opinion text wrapped), theme charts inside."""
    from openpyxl import Workbook

    from .report_sheets import ALL_OPINIONS, OPINION_HEADERS, add_theme_chart, as_number, opinions_frame

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    charts = {f"{name} テーマ": name for name in report.distributions}
    for title, frame in _sheets(report) + [(ALL_OPINIONS, opinions_frame(report, taxonomy))]:
        sheet = book.create_sheet(sheet_name(title, taken))
        taken.add(sheet.title)
        frame = frame.assign(**{c: frame[c].map(CHANGES) for c in frame.columns if c == "change"},
                             **{c: frame[c].map({"labels": "ラベル", "predictions": "予測"}) for c in frame.columns
                                if c == "themes_from"},
                             **{c: frame[c].map(as_number) for c in frame.columns if c == "row"})
        headers = OPINION_HEADERS if title == ALL_OPINIONS else {}
        append_row(sheet, [headers.get(c) or _header(c) for c in frame.columns])
        for row in frame.itertuples(index=False):  # text stays text (pipeline.cells): an opinion is never a formula
            append_row(sheet, row)
        _format_sheet(sheet, frame, headers)
        if title in charts:
            add_theme_chart(sheet, len(frame), 2, 4, f"{charts[title]}：テーマ別の意見数")
    with atomic_path(path) as tmp:
        save_workbook(book, tmp)
    return path
