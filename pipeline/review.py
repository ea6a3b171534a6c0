"""A review workbook for people: the scored rows with `theme` and `response_type` pre-filled from the predictions,
restricted by drop-down lists to the taxonomy's ids, the rows that need review first. Saved and corrected in Excel,
the sheet is a labels table again: `pubcom train review.xlsx` reads `opinion`, `response`, `theme`, `response_type`.

Every prediction left as it is counts as confirmed when the sheet is trained on; clear a cell to leave the row out.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._io import atomic_path
from .errors import InputError, TaxonomyError
from .ingest.tables import RESPONSE_COLUMNS, TEXT_COLUMNS, find_column
from .taxonomy import Taxonomy

LISTS_SHEET = "taxonomy"
LABEL_COLUMNS = ("theme", "response_type")
_FIRST = ["consultation_id"]
_LATER = ["needs_review", "review_reason", "pred_theme_score", "pred_theme_2", "pred_theme_2_score", "evidence",
          "pred_theme", "pred_response_type", "pred_response_type_score", "pred_response_basis"]
_WIDTHS = {"opinion": 60, "response": 45, "theme": 22, "theme_label": 26, "response_type": 16,
           "response_type_label": 20, "review_reason": 30, "evidence": 30}
_FLAG_FILL = "FCE4D6"  # light orange: the rows to look at first


def flagged(scored: pd.DataFrame) -> pd.Series:
    """needs_review as booleans, however the file wrote them (True, true, 1, yes); all False without the column."""
    if "needs_review" not in scored.columns:
        return pd.Series(False, index=scored.index)
    return scored["needs_review"].astype(str).str.lower().isin(("true", "1", "yes"))


def review_frame(scored: pd.DataFrame, taxonomy: Taxonomy, *, consultation_id: str = "", source: str = "scored") -> pd.DataFrame:
    """The scored rows in review order (needs_review first, then least confident first) with label columns."""
    if "pred_theme" not in scored.columns:
        raise InputError(f"{source}: no pred_theme column; give the output of `pubcom score`")
    frame = _one_row_per_group(scored)
    text = find_column(frame, None, TEXT_COLUMNS, what="opinion text", source=source, option="")
    reply = find_column(frame, None, RESPONSE_COLUMNS, what="reply", source=source, option="", required=False)
    frame = frame.rename(columns={text: "opinion", **({reply: "response"} if reply else {})})
    if "consultation_id" not in frame.columns:
        frame["consultation_id"] = consultation_id
    frame["needs_review"] = flagged(frame)
    for column in ("pred_theme_score", "pred_theme_2_score", "pred_response_type_score"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame = frame.fillna({c: "" for c in frame.columns if frame[c].dtype == object})
    _check_ids(frame["pred_theme"], taxonomy.theme_ids, "theme", taxonomy, source)
    frame["theme"] = frame["pred_theme"]
    frame["response_type"] = frame.get("pred_response_type", "")
    _check_ids(frame["response_type"], taxonomy.response_type_ids, "response type", taxonomy, source)
    frame["theme_label"] = ""  # formulas, written with the sheet
    frame["response_type_label"] = ""
    frame = frame.sort_values(["needs_review", "pred_theme_score"], ascending=[False, True], kind="stable", na_position="first")
    middle = [c for c in frame.columns if c not in _FIRST + _LATER + ["theme", "theme_label", "response_type", "response_type_label"]]
    order = _FIRST + middle + ["theme", "theme_label", "response_type", "response_type_label"] + [c for c in _LATER if c in frame.columns]
    return frame[order].reset_index(drop=True)


def _one_row_per_group(scored: pd.DataFrame) -> pd.DataFrame:
    """Grouped rows (`pubcom score --group`): only each group's representative, with its group_size, so that a
    campaign is read and corrected once."""
    if "group_representative" not in scored.columns:
        return scored.copy()
    keep = scored["group_representative"].astype(str).str.lower().isin(("true", "1", "yes"))
    return scored[keep].drop(columns="group_representative").reset_index(drop=True)


def _check_ids(values, allowed, what, taxonomy, source):
    unknown = sorted({v for v in values if v and v not in allowed})
    if unknown:
        raise TaxonomyError(f"{source}: predicted {what} {unknown[0]!r} is not in taxonomy {taxonomy.id} "
                            f"({taxonomy.path or 'in memory'}); pass the model's taxonomy with --taxonomy")


def write_review_sheet(scored: pd.DataFrame, out: Path | str, taxonomy: Taxonomy, *, consultation_id: str = "",
                       source: str = "scored") -> Path:
    """Write the review workbook (sheet 1: the rows; hidden sheet: the taxonomy's ids and Japanese labels)."""
    from openpyxl import Workbook

    frame = review_frame(scored, taxonomy, consultation_id=consultation_id, source=source)
    book = Workbook()
    sheet = book.active
    sheet.title = "review"
    lists = _lists_sheet(book, taxonomy)
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    _label_formulas(sheet, frame, lists)
    _dropdowns(sheet, frame, lists)
    _layout(sheet, frame)
    out = Path(out)
    with atomic_path(out) as tmp:
        book.save(tmp)
    return out


def _cell(value):
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def _lists_sheet(book, taxonomy: Taxonomy) -> dict:
    """Hidden sheet: theme ids and labels in A:B, response type ids and labels in D:E; returns their ranges."""
    lists = book.create_sheet(LISTS_SHEET)
    lists.append(["theme", "label_ja", None, "response_type", "label_ja"])
    themes = list(taxonomy.theme_labels().items())
    responses = list(taxonomy.response_labels().items())
    for i in range(max(len(themes), len(responses))):
        theme = themes[i] if i < len(themes) else (None, None)
        response = responses[i] if i < len(responses) else (None, None)
        lists.append([*theme, None, *response])
    lists.sheet_state = "hidden"
    return {"theme": (f"{LISTS_SHEET}!$A$2:$A${len(themes) + 1}", f"{LISTS_SHEET}!$A$2:$B${len(themes) + 1}"),
            "response_type": (f"{LISTS_SHEET}!$D$2:$D${len(responses) + 1}", f"{LISTS_SHEET}!$D$2:$E${len(responses) + 1}")}


def _letter(frame, column) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(list(frame.columns).index(column) + 1)


def _label_formulas(sheet, frame, lists) -> None:
    # a formula, not a copy: the Japanese label follows when the reviewer picks another id
    for column in LABEL_COLUMNS:
        ids, table = _letter(frame, column), lists[column][1]
        target = _letter(frame, f"{column}_label")
        for row in range(2, len(frame) + 2):
            sheet[f"{target}{row}"] = f'=IF({ids}{row}="","",IFERROR(VLOOKUP({ids}{row},{table},2,FALSE),"?"))'


def _dropdowns(sheet, frame, lists) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    last = max(len(frame) + 1, 2)
    for column in LABEL_COLUMNS:
        rule = DataValidation(type="list", formula1=f"={lists[column][0]}", allow_blank=True, showErrorMessage=True,
                              errorTitle="not in the taxonomy", error="Pick an id from the list (blank: leave the row out)")
        sheet.add_data_validation(rule)
        rule.add(f"{_letter(frame, column)}2:{_letter(frame, column)}{last}")


def _layout(sheet, frame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in frame.columns:
        sheet.column_dimensions[_letter(frame, column)].width = _WIDTHS.get(column, 14)
    wrap = Alignment(wrap_text=True, vertical="top")
    fill = PatternFill(start_color=_FLAG_FILL, end_color=_FLAG_FILL, fill_type="solid")
    wrapped = {_letter(frame, c) for c in ("opinion", "response", "review_reason", "evidence") if c in frame.columns}
    for index, flagged in enumerate(frame["needs_review"].tolist(), start=2):
        for cell in sheet[index]:
            if cell.column_letter in wrapped:
                cell.alignment = wrap
            if flagged:
                cell.fill = fill
