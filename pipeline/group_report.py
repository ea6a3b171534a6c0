"""What the report shows of grouped opinions (`pubcom group`, `pubcom score --group`): distinct opinions per theme
and the largest groups, 「同趣旨 N件」 as staff publish them.

A group counts once in each theme its rows have: copies are usually scored alike, and where they are not, the
group shows in both themes rather than disappearing from one.
"""
from __future__ import annotations

import pandas as pd

LARGEST = 10


def with_distinct(table: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """A theme table with distinct_opinions after its opinions column when `frame`'s rows are grouped; else as is."""
    if not frame["group"].ne("").any():
        return table
    table = table.copy()
    table.insert(table.columns.get_loc("opinions") + 1, "distinct_opinions", distinct_opinions(frame, table["theme"]))
    return table


def group_keys(frame: pd.DataFrame) -> pd.Series:
    """Each row's group; a row without one is a group of its own."""
    return frame["group"].where(frame["group"] != "", "row:" + frame.index.astype(str))


def distinct_opinions(frame: pd.DataFrame, themes: pd.Series) -> list[int]:
    """Per theme in `themes`: the number of distinct groups among its rows (a row without a group counts alone)."""
    counts = group_keys(frame).groupby(frame["theme"]).nunique()
    return [int(counts.get(theme, 0)) for theme in themes]


def largest_groups(consultations, taxonomy=None, *, n: int = LARGEST) -> dict[str, pd.DataFrame]:
    """Per grouped consultation: its `n` largest groups of two or more rows: 同趣旨 (rows), theme, label, text (the
    longest text of the group)."""
    from .report import _labels

    labels = _labels(taxonomy)  # a group of 特になし rows is named 意見なし, as everywhere in the report
    out = {}
    for c in consultations:
        f = c.frame[c.frame["group"] != ""]
        if f.empty:
            continue
        sizes = f.groupby("group", sort=False)["group"].transform("size")
        longest = f.assign(size=sizes, length=f["text"].str.len()).sort_values(
            ["size", "length"], ascending=[False, False], kind="stable")
        top = longest.drop_duplicates("group")
        top = top[top["size"] > 1].head(n)
        theme = top["theme"].tolist()
        out[c.name] = pd.DataFrame({"group": top["group"].tolist(), "同趣旨": [f"{s}件" for s in top["size"]],
                                    "theme": theme, "label": [labels.get(t, t) for t in theme],
                                    "text": top["text"].tolist()})
    return out
