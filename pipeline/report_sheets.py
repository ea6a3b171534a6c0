"""What report.xlsx adds to the report's tables so that people can work in it: a sheet with every opinion (to
filter and sort in Excel), numbers stored as numbers, and the theme chart as an Excel chart (openpyxl's), which
stays editable and needs no picture file."""
from __future__ import annotations

import pandas as pd

from .browse import GUESS_LABEL

ALL_OPINIONS = "全意見"
# the all-opinions sheet's columns, in order; pages.HEADERS gives most headings, these are its own
OPINION_HEADERS = {"consultation": "意見募集", "row": "行", "label": "テーマ", "type_label": "対応区分",
                   "basis": "対応区分の根拠", "score": "確信度", "flag": "要確認", "reason": "要確認の理由",
                   "text": "意見", "reply": "回答", "weight": "意見数", "theme": "テーマID", "response_type": "対応区分ID"}
NUMBER_FORMATS = {"ratio": "0.00", "score": "0.00"}


def opinions_frame(report, taxonomy=None) -> pd.DataFrame:
    """Every row of every consultation: theme and response type in Japanese beside their ids, guesses named."""
    from .report import _labels

    themes = _labels(taxonomy)  # the report's own names, 未分類 and 意見なし included
    types = dict(taxonomy.response_labels()) if taxonomy is not None else {}
    parts = []
    for c in report.consultations:
        f = c.frame
        parts.append(pd.DataFrame({
            "consultation": c.name, "row": f["row"].map(as_number), "label": f["theme"].map(lambda t: themes.get(t, t)),
            "type_label": f["response_type"].map(lambda t: types.get(t, t)),
            "basis": [GUESS_LABEL if g else ("回答から" if t else "") for g, t in zip(f["guess"], f["response_type"])],
            "score": f["score"], "flag": f["needs_review"].map({True: "要確認", False: ""}), "reason": f["reason"],
            "text": f["text"], "reply": f["reply"], "weight": f["weight"], "theme": f["theme"],
            "response_type": f["response_type"]}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(OPINION_HEADERS))


def as_number(value):
    """A row number written as text ("12") as the number 12, so that Excel sorts 2 before 10; anything else as is."""
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0")) else value


def add_theme_chart(sheet, rows: int, label_column: int, value_column: int, title: str) -> None:
    """A horizontal bar chart of opinions per theme beside the table (the table's own cells: it follows edits)."""
    from openpyxl.chart import BarChart, Reference

    if rows < 1:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    chart.y_axis.title = "意見数（件）"
    chart.x_axis.scaling.orientation = "maxMin"  # the first (largest) theme on top, as in the table
    chart.add_data(Reference(sheet, min_col=value_column, min_row=1, max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=label_column, min_row=2, max_row=rows + 1))
    chart.height, chart.width = max(7.5, 0.6 * rows + 2), 16
    sheet.add_chart(chart, f"{_letter(sheet.max_column + 2)}2")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
