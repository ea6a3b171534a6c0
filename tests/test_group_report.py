"""Grouped opinions in `pubcom score --group`, the report and the review sheet."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.report import make_report
from pipeline.review import review_frame
from pipeline.taxonomy import load_taxonomy

CAMPAIGN = "駅前の駐輪場が足りません。朝は通勤する人で満車になり、歩道に自転車があふれています。市で増設してください。"


def _scored(groups: list[int], themes: list[str]) -> pd.DataFrame:
    sizes = pd.Series(groups).map(pd.Series(groups).value_counts())
    first = ~pd.Series(groups).duplicated()
    return pd.DataFrame({"opinion": [f"意見{i}です。" for i in range(len(groups))], "pred_theme": themes,
                         "pred_theme_score": 0.9, "needs_review": False, "group_id": groups,
                         "group_size": sizes, "group_representative": first})


def test_theme_table_counts_rows_and_distinct_opinions():
    scored = _scored([1, 1, 1, 2, 3], ["digital_divide"] * 4 + ["online_procedures"])
    report = make_report({"town": scored}, taxonomy=load_taxonomy())
    table = report.distributions["town"].set_index("theme")
    assert table.loc["digital_divide", ["rows", "opinions", "distinct_opinions"]].tolist() == [4, 4, 2]
    assert table.loc["online_procedures", "distinct_opinions"] == 1
    assert report.headlines[0]["distinct_opinions"] == 3
    largest = report.groups["town"]
    assert largest["同趣旨"].tolist() == ["3件"] and largest["group"].tolist() == ["1"]


def test_ungrouped_report_unchanged():
    scored = _scored([1, 2], ["digital_divide", "digital_divide"]).drop(
        columns=["group_id", "group_size", "group_representative"])
    report = make_report({"town": scored}, taxonomy=load_taxonomy())
    assert "distinct_opinions" not in report.distributions["town"].columns
    assert report.groups == {} and "distinct_opinions" not in report.headlines[0]


@pytest.mark.parametrize("flag", [True, "True", "true"])
def test_review_sheet_has_one_row_per_group_with_its_size(flag):
    scored = _scored([1, 1, 2], ["digital_divide"] * 3)
    scored["group_representative"] = [flag, False if flag is True else "False", flag]
    frame = review_frame(scored, load_taxonomy())
    assert len(frame) == 2 and sorted(frame["group_size"].tolist()) == [1, 2]
    assert "group_representative" not in frame.columns


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_score_group_writes_groups_and_report_lists_them(tmp_path, model_dir, capsys, suffix):
    source = tmp_path / "town.csv"
    texts = [CAMPAIGN, "市長様。" + CAMPAIGN, "図書館の開館時間を夜まで延ばしてほしい。", CAMPAIGN + "（山田）"]
    pd.DataFrame({"opinion": texts}).to_csv(source, index=False)
    scored = tmp_path / f"town.scored{suffix}"
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(scored), "--group"]) == 0
    assert "4 rows in 2 opinions" in capsys.readouterr().err  # the tests' language; Japanese: test_grouping
    read = {".csv": pd.read_csv, ".xlsx": pd.read_excel, ".jsonl": lambda p: pd.read_json(p, lines=True)}[suffix]
    frame = read(scored)
    assert frame.columns.tolist()[0] == "opinion" and frame["opinion"].tolist() == texts
    assert frame["group_size"].tolist() == [3, 3, 1, 3] and "pred_theme" in frame.columns
    assert main(["report", str(scored), "--out", str(tmp_path / "report"), "--model", str(model_dir)]) == 0
    page = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    assert "同趣旨の意見" in page and "3件" in page


def test_score_group_needs_a_file(tmp_path, model_dir, capsys):
    source = tmp_path / "town.csv"
    pd.DataFrame({"opinion": [CAMPAIGN]}).to_csv(source, index=False)
    assert main(["score", str(source), "--model", str(model_dir), "--out", "-", "--group"]) == 2
    assert "--group reads the scored rows again" in capsys.readouterr().err


def test_score_group_keeps_the_inputs_own_group_columns(tmp_path, model_dir):
    """`score --group` keeps an input column named group_id (a city's own numbering) as input_group_id, as #13
    keeps every column the output takes; it was silently replaced by the computed groups."""
    source, scored = tmp_path / "town.csv", tmp_path / "town.scored.csv"
    pd.DataFrame({"opinion": [CAMPAIGN, "図書館の開館時間を夜まで延ばしてほしい。"], "group_id": ["市-A", "市-B"],
                  "group_size": ["大", "小"]}).to_csv(source, index=False)
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(scored), "--group"]) == 0
    frame = pd.read_csv(scored, dtype=str, keep_default_na=False)
    assert frame["input_group_id"].tolist() == ["市-A", "市-B"] and frame["input_group_size"].tolist() == ["大", "小"]
    assert frame["group_id"].tolist() == ["1", "2"] and len(set(frame.columns)) == len(frame.columns)


def test_score_without_group_passes_the_groups_of_pubcom_group_through(tmp_path, model_dir):
    source, grouped, scored = tmp_path / "town.csv", tmp_path / "town.grouped.csv", tmp_path / "town.scored.csv"
    pd.DataFrame({"opinion": [CAMPAIGN, "市長様。" + CAMPAIGN]}).to_csv(source, index=False)
    assert main(["group", str(source), "--out", str(grouped)]) == 0
    assert main(["score", str(grouped), "--model", str(model_dir), "--out", str(scored)]) == 0
    frame = pd.read_csv(scored, dtype=str, keep_default_na=False)
    assert frame["group_size"].tolist() == ["2", "2"] and "input_group_id" not in frame.columns


def test_score_group_groups_the_opinion_column_when_its_name_was_taken(tmp_path, model_dir):
    """--text-column names an input column the output also takes (kept as input_needs_review): the grouping that
    follows scoring read the output's column of that name, and grouped two different opinions as one ("True")."""
    source, scored = tmp_path / "town.csv", tmp_path / "town.scored.csv"
    pd.DataFrame({"needs_review": ["特になし", "以上です。"]}).to_csv(source, index=False)  # both flagged
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(scored), "--group",
                 "--text-column", "needs_review"]) == 0
    frame = pd.read_csv(scored, dtype=str, keep_default_na=False)
    assert frame["input_needs_review"].tolist() == ["特になし", "以上です。"] and frame["needs_review"].tolist() == ["True"] * 2
    assert frame["group_size"].tolist() == ["1", "1"]
