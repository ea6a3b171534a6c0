"""A review workbook for people, and reading it back without fooling ourselves.

The sheet is Japanese: the rows that need review first, `テーマ` and `対応区分` pre-filled with the predictions'
Japanese labels and restricted by drop-down lists to the taxonomy's label_ja, and a `確認済み` column. Saved and
corrected in Excel, it is a labels table again: `pubcom train review.xlsx` finds 意見 / 回答 / テーマ / 対応区分 by
heading, maps the labels back to ids (taxonomy.to_ids), and learns **only from the rows marked 確認済み**. A sheet
where no row is marked is refused: the pre-filled values are the model's own predictions, and training (or scoring
cross-validation) on them would only measure the model against itself.

The columns are one list (`COLUMNS`), so a new column (suggested replies, groups) is one line.
Rows scored with `--suggest-from` and no reply of their own get the suggested reply as a draft in 回答
(and its response type), so the corrected sheet answers the next round (`--suggest-from review.xlsx`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._io import atomic_path
from .cells import append_row, save_workbook, true_flags
from .errors import InputError, TaxonomyError
from .ingest.tables import RESPONSE_COLUMNS, TEXT_COLUMNS, find_column
from .taxonomy import Taxonomy

SHEET = "確認"
LISTS_SHEET = "選択肢"
REVIEWED = "確認済み"
FLAGGED = "要確認"  # the needs_review cell of a row to look at first
# what a reviewer may type or pick in 確認済み (compared after NFKC and lower-casing; Excel's TRUE reads as "true")
REVIEWED_MARKS = frozenset({"済", "確認済", "確認済み", "✓", "✔", "○", "〇", "true", "1", "1.0", "はい", "yes", "y"})
_FLAG_FILL = "FCE4D6"  # light orange: the rows to look at first


@dataclass(frozen=True)
class Column:
    key: str  # the column of the review frame
    header: str  # what the reviewer reads (the workbook's heading)
    width: int = 14
    wrap: bool = False
    number_format: str | None = None
    hidden: bool = False  # kept for programs (ids), out of the reviewer's way


COLUMNS = [
    Column(REVIEWED, REVIEWED, 10),
    Column("theme", "テーマ", 30),
    Column("response_type", "対応区分", 18),
    Column("opinion", "意見", 60, wrap=True),
    Column("response", "回答", 45, wrap=True),
    Column("needs_review", "要確認", 8),
    Column("review_reason", "要確認の理由", 30, wrap=True),
    Column("pred_theme_score", "確信度", 8, number_format="0.00"),
    Column("pred_theme_2", "第2候補", 26),
    Column("pred_response_basis", "対応区分の根拠", 14),
    Column("evidence", "根拠となった語", 30, wrap=True),
    Column("group_size", "同趣旨の件数", 10),
    Column("suggested_reply_score", "回答案の確からしさ", 10, number_format="0.00"),
    Column("suggested_reply_source", "回答案の出典", 16),
]
HIDDEN = [Column(c, c, hidden=True) for c in ("consultation_id", "pred_theme", "pred_response_type", "group_id",
                                              "suggested_reply", "suggested_reply_type", "suggested_replies")]
_LABELLED = {c.key for c in COLUMNS + HIDDEN} | {"pred_theme_2_score", "pred_response_type_score", "review_code",
                                                 "pred_theme_label", "pred_response_type_label", "pred_theme_2_label"}
_BASIS = {"reply": "回答から", "opinion": "意見のみ（回答前の予測）"}


def flagged(scored: pd.DataFrame) -> pd.Series:
    """needs_review as booleans, however the file wrote them (True, true, 1, yes); all False without the column."""
    if "needs_review" not in scored.columns:
        return pd.Series(False, index=scored.index)
    return true_flags(scored["needs_review"]).set_axis(scored.index)


def review_frame(scored: pd.DataFrame, taxonomy: Taxonomy, *, consultation_id: str = "", source: str = "scored") -> pd.DataFrame:
    """The scored rows in review order (needs_review first, then least confident first), labels in Japanese; the
    columns of `COLUMNS`, then the input's own columns, then `HIDDEN`."""
    if "pred_theme" not in scored.columns:
        raise InputError(f"{source}: no pred_theme column; give the output of `pubcom score`")
    frame = _one_row_per_group(scored)
    text = find_column(frame, None, TEXT_COLUMNS, what="opinion text", source=source, option="")
    reply = find_column(frame, None, RESPONSE_COLUMNS, what="reply", source=source, option="", required=False)
    frame = frame.rename(columns={text: "opinion", **({reply: "response"} if reply else {})})
    if reply:  # an ingested row sharing the reply of another (response_shared_with) shows it, and gets no draft
        from .score import _replies

        frame["response"] = _replies(frame, "response")
    if "consultation_id" not in frame.columns:
        frame["consultation_id"] = consultation_id
    frame["needs_review"] = flagged(frame)
    for column in ("pred_theme_score", "pred_theme_2_score", "pred_response_type_score"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame = frame.fillna({c: "" for c in frame.columns if frame[c].dtype == object})
    themes, types = taxonomy.theme_labels(), taxonomy.response_labels()
    _check_ids(frame["pred_theme"], themes, "theme", taxonomy, source)
    # a label the input already has (a government's category mapped at ingest) is kept; else the prediction
    given = frame["response_type"].astype(str).str.strip() if "response_type" in frame.columns else ""
    predicted = frame["pred_response_type"] if "pred_response_type" in frame.columns else ""
    frame["response_type"] = pd.Series(given, index=frame.index).where(lambda s: s != "", predicted) if len(frame) else ""
    _draft_replies(frame)
    _check_ids(frame["response_type"], types, "response type", taxonomy, source)
    # the same for the theme: a labelled table scored again keeps its labels (they were silently replaced)
    given = frame["theme"].astype(str).str.strip() if "theme" in frame.columns else pd.Series("", index=frame.index)
    frame["theme"] = pd.Series(taxonomy.to_ids(given), index=frame.index).where(given != "", frame["pred_theme"])
    _check_ids(frame["theme"], themes, "theme", taxonomy, source)
    frame["theme"] = frame["theme"].map(lambda t: themes.get(t, t))
    frame["response_type"] = frame["response_type"].map(lambda t: types.get(t, t))
    if "pred_theme_2" in frame.columns:
        frame["pred_theme_2"] = frame["pred_theme_2"].map(lambda t: themes.get(t, t))
    if "pred_response_basis" in frame.columns:
        frame["pred_response_basis"] = frame["pred_response_basis"].map(lambda b: _BASIS.get(b, b))
    frame[REVIEWED] = ""
    frame = frame.sort_values(["needs_review", "pred_theme_score"], ascending=[False, True], kind="stable",
                              na_position="first") if "pred_theme_score" in frame.columns else frame
    frame["needs_review"] = frame["needs_review"].map({True: FLAGGED, False: ""})  # what the reviewer reads
    own = [c for c in frame.columns if c not in _LABELLED]
    order = [c.key for c in COLUMNS if c.key in frame.columns] + own + [c.key for c in HIDDEN if c.key in frame.columns]
    return frame[order].reset_index(drop=True)


def _draft_replies(frame: pd.DataFrame) -> None:
    """A row without a reply gets its suggested reply (`pubcom score --suggest-from`) as a draft to accept or edit,
    and that reply's response type: the corrected sheet then answers the next round (`--suggest-from review.xlsx`)."""
    if "suggested_reply" not in frame.columns:
        return
    if "response" not in frame.columns:
        frame["response"] = ""
    draft = frame["response"].astype(str).str.strip().eq("") & frame["suggested_reply"].astype(str).str.strip().ne("")
    frame.loc[draft, "response"] = frame.loc[draft, "suggested_reply"]
    if "suggested_reply_type" in frame.columns:
        typed = draft & frame["suggested_reply_type"].astype(str).str.strip().ne("")
        frame.loc[typed, "response_type"] = frame.loc[typed, "suggested_reply_type"]


def _one_row_per_group(scored: pd.DataFrame) -> pd.DataFrame:
    """Grouped rows (`pubcom score --group`): only each group's representative, with its group_size, so that a
    campaign is read and corrected once."""
    if "group_representative" not in scored.columns:
        return scored.copy()
    keep = true_flags(scored["group_representative"]).to_numpy()
    return scored[keep].drop(columns="group_representative").reset_index(drop=True)


def _check_ids(values, allowed, what, taxonomy, source):
    unknown = sorted({v for v in values if v and v not in allowed})
    if unknown:
        raise TaxonomyError(f"{source}: predicted {what} {unknown[0]!r} is not in taxonomy {taxonomy.id} "
                            f"({taxonomy.path or 'in memory'}); pass the model's taxonomy with --taxonomy")


def write_review_sheet(scored: pd.DataFrame, out: Path | str, taxonomy: Taxonomy, *, consultation_id: str = "",
                       source: str = "scored") -> Path:
    """Write the review workbook (sheet 確認: the rows; hidden sheet 選択肢: the drop-down lists)."""
    from openpyxl import Workbook

    frame = review_frame(scored, taxonomy, consultation_id=consultation_id, source=source)
    columns = _columns(frame)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    lists = _lists_sheet(book, taxonomy)
    append_row(sheet, [c.header for c in columns])
    for row in frame.itertuples(index=False):  # text stays text: an opinion '=...' is never a formula
        append_row(sheet, [_cell(v) for v in row])
    _dropdowns(sheet, frame, lists)
    _layout(sheet, frame, columns)
    out = Path(out)
    with atomic_path(out) as tmp:
        save_workbook(book, tmp)
    return out


def _columns(frame: pd.DataFrame) -> list[Column]:
    known = {c.key: c for c in COLUMNS + HIDDEN}
    return [known.get(key, Column(key, key)) for key in frame.columns]


def _cell(value):
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def _lists_sheet(book, taxonomy: Taxonomy) -> dict:
    """Hidden sheet: theme labels in A, response type labels in B, the 確認済み mark in C; returns their ranges."""
    lists = book.create_sheet(LISTS_SHEET)
    themes, types = list(taxonomy.theme_labels().values()), list(taxonomy.response_labels().values())
    lists.append(["テーマ", "対応区分", REVIEWED])
    for i in range(max(len(themes), len(types), 1)):
        lists.append([themes[i] if i < len(themes) else None, types[i] if i < len(types) else None,
                      "済" if i == 0 else None])
    lists.sheet_state = "hidden"
    return {"theme": f"{LISTS_SHEET}!$A$2:$A${len(themes) + 1}",
            "response_type": f"{LISTS_SHEET}!$B$2:$B${len(types) + 1}", REVIEWED: f"{LISTS_SHEET}!$C$2:$C$2"}


def _letter(frame, column) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(list(frame.columns).index(column) + 1)


def _dropdowns(sheet, frame, lists) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    last = max(len(frame) + 1, 2)
    for column, formula in lists.items():
        # a warning, not a stop: 確認済み also takes ✓ / TRUE / 1 / はい typed by hand
        rule = DataValidation(type="list", formula1=f"={formula}", allow_blank=True, showErrorMessage=True,
                              errorStyle="stop" if column != REVIEWED else "warning",
                              errorTitle="一覧にない値", error="一覧から選んでください")
        sheet.add_data_validation(rule)
        rule.add(f"{_letter(frame, column)}2:{_letter(frame, column)}{last}")


def _layout(sheet, frame, columns: list[Column]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet.freeze_panes = "B2"  # the header and the 確認済み column stay in view
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    fill = PatternFill(start_color=_FLAG_FILL, end_color=_FLAG_FILL, fill_type="solid")
    for column in columns:
        letter = _letter(frame, column.key)
        sheet.column_dimensions[letter].width = column.width
        sheet.column_dimensions[letter].hidden = column.hidden
        for cell in sheet[letter][1:]:
            if column.wrap:
                cell.alignment = wrap
            if column.number_format:
                cell.number_format = column.number_format
    for index, needs in enumerate(frame["needs_review"].tolist(), start=2):
        if needs:
            for cell in sheet[index]:
                cell.fill = fill


# ---------------------------------------------------------------- reading a corrected sheet back
def is_review_sheet(frame: pd.DataFrame) -> bool:
    return REVIEWED in frame.columns


def reviewed_rows(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, int]:
    """The rows marked 確認済み (済 / ✓ / TRUE / 1 / はい), and how many rows the sheet had; none marked is an error."""
    marks = frame[REVIEWED].fillna("").astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip().lower())
    keep = marks.isin({unicodedata.normalize("NFKC", m).lower() for m in REVIEWED_MARKS})
    if not keep.any():
        raise InputError(f"{source}: no row is marked {REVIEWED} (済 / ✓ / TRUE / 1 / はい); the other values are the "
                         "model's own predictions, so mark the rows you have checked before training on the sheet")
    return frame[keep].drop(columns=REVIEWED).reset_index(drop=True), len(frame)
