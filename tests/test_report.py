"""pipeline.report / charts / pages and `pubcom report`, on tiny scored frames built here."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.report import UNSCORED, build_report, drift, make_report, standardise
from pipeline.pages import sheet_name
from pipeline.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]


def scored(rows: list[tuple], *, counts: bool = True) -> pd.DataFrame:
    """(theme, response type, opinion_count, needs_review) -> a frame shaped like `pubcom score` output."""
    frame = pd.DataFrame({
        "row_no": range(1, len(rows) + 1),
        "opinion": [f"意見その{i}について" for i in range(1, len(rows) + 1)],
        "pred_theme": [r[0] for r in rows],
        "pred_theme_score": [0.9 if r[0] else float("nan") for r in rows],
        "pred_response_type": [r[1] for r in rows],
        "needs_review": [r[3] for r in rows],
        "review_reason": ["low confidence" if r[3] else "" for r in rows],
    })
    if counts:
        frame.insert(2, "opinion_count", [r[2] for r in rows])
    return frame


# alpha: 5 rows standing for 7 opinions, one of them unscorable (empty theme)
ALPHA = scored([("digital_divide", "kept", 1, False), ("digital_divide", "future", 3, False),
                ("digital_divide", "kept", 1, True), ("online_procedures", "adopted", 1, False),
                ("", "", 1, True)])
# beta: no opinion_count (1 each); security surges against the training data below
BETA = scored([("security", "kept", 1, False)] * 4 + [("online_procedures", "future", 1, True)], counts=False)
TRAINING = pd.DataFrame({"theme": ["digital_divide"] * 10 + ["online_procedures"] * 9 + ["security"],
                         "source": "real"})


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def written(tmp_path_factory, taxonomy):
    out = tmp_path_factory.mktemp("report")
    return build_report({"alpha": ALPHA, "beta": BETA}, out, taxonomy=taxonomy, training=TRAINING)


def test_build_report_writes_every_file(written):
    from PIL import Image

    names = {Path(p).name for p in written.values()}
    assert names == {"summary.md", "summary.html", "report.xlsx", "themes-alpha.png", "heatmap-alpha.png",
                     "themes-beta.png", "heatmap-beta.png", "comparison.png"}
    assert Path(written["summary"]).name == "summary.md"
    for path in written.values():
        assert Path(path).stat().st_size > 0
        if str(path).endswith(".png"):
            with Image.open(path) as image:
                image.verify()
                assert image.format == "PNG" and image.size[0] >= 1000 and image.size[1] >= 300
    assert not list(Path(written["summary"]).parent.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_shares_are_weighted_by_opinion_count_and_unscored_rows_are_counted(taxonomy):
    report = make_report({"alpha": ALPHA, "beta": BETA}, taxonomy=taxonomy)
    alpha = report.distributions["alpha"].set_index("theme")
    assert alpha.loc["digital_divide", ["rows", "opinions", "review_rows"]].tolist() == [3, 5, 1]
    assert alpha.loc["digital_divide", "share"] == pytest.approx(5 / 7)
    assert alpha.loc["online_procedures", "share"] == pytest.approx(1 / 7)
    assert alpha.loc[UNSCORED, ["label", "rows", "opinions"]].tolist() == ["未分類", 1, 1]
    assert alpha.loc[UNSCORED, "share"] == pytest.approx(1 / 7)
    assert alpha["share"].sum() == pytest.approx(1.0)
    assert report.distributions["alpha"]["theme"].iloc[-1] == UNSCORED  # 未分類 last, whatever its size
    beta = report.distributions["beta"].set_index("theme")
    assert beta.loc["security", "share"] == pytest.approx(4 / 5)
    assert report.headlines[0] == {"consultation": "alpha", "source": "alpha", "themes_from": "predictions", "rows": 5,
                                   "opinions": 7, "unscored_rows": 1, "unscored_opinions": 1, "no_opinion_rows": 0, "review_rows": 2,
                                   "review_share": pytest.approx(2 / 5)}


def test_theme_by_response_type_and_comparison(taxonomy):
    report = make_report({"alpha": ALPHA, "beta": BETA}, taxonomy=taxonomy)
    table = report.by_response["alpha"].set_index("theme")
    assert list(table.columns) == ["label", "案を修正", "今後の参考・検討", "案のとおり", "未判定", "total"]
    assert table.loc["digital_divide", ["案を修正", "今後の参考・検討", "案のとおり", "total"]].tolist() == [0, 3, 2, 5]
    assert table.loc[UNSCORED, ["未判定", "total"]].tolist() == [1, 1]
    assert "未判定" not in report.by_response["beta"].columns  # every beta row has a response type
    both = report.comparison.set_index("theme")
    assert both.loc["security", ["alpha:opinions", "beta:opinions"]].tolist() == [0, 4]
    assert both.loc["online_procedures", "alpha:share"] == pytest.approx(1 / 7)
    queue = report.reviews["alpha"]
    assert queue["row"].tolist() == ["3", "5"] and queue["label"].tolist() == ["デジタルデバイド対策", "未分類"]


def test_drift_names_the_theme_that_surged(written, taxonomy):
    report = make_report({"alpha": ALPHA, "beta": BETA}, taxonomy=taxonomy, training=TRAINING)
    beta = report.drift["beta"].set_index("theme")
    assert beta.loc["security", ["training_rows", "rows"]].tolist() == [1, 4]
    assert beta.loc["security", "ratio"] == pytest.approx(0.8 / 0.05)
    assert beta.loc["online_procedures", "review_share"] == 1.0
    # online_procedures fell to 0.44x, but the training share predicts only 2.25 rows here: too few to call
    assert beta.loc[beta["change"] != "", "change"].to_dict() == {"security": "more"}
    assert report.drift["alpha"]["change"].eq("").all()
    summary = Path(written["summary"]).read_text(encoding="utf-8")
    assert "増加: 情報セキュリティ・業務継続（学習 5% → 80%、4行）" in summary


@pytest.mark.parametrize("rows, counts, expected", [
    (["digital_divide"] * 10, {"digital_divide": 5, "online_procedures": 5}, {"digital_divide": "more", "online_procedures": "less"}),
    (["digital_divide"] * 2 + ["security"] * 2, {"digital_divide": 5, "security": 5}, {}),  # ratios of 1
    (["other"] * 3 + ["digital_divide"] * 7, {"digital_divide": 10}, {"other": "more"}),  # never seen in training
    (["other"] * 2 + ["digital_divide"] * 8, {"digital_divide": 10}, {}),  # new, but fewer than 3 rows
])
def test_drift_rule(rows, counts, expected, taxonomy):
    c = standardise(pd.DataFrame({"pred_theme": rows}), "x", "x")
    table = drift(c, counts, taxonomy).set_index("theme")
    assert table.loc[table["change"] != "", "change"].to_dict() == expected


def test_model_card_gives_the_training_counts(taxonomy):
    card = {"training_data": {"theme_counts": {"digital_divide": 10, "online_procedures": 9, "security": 1}}}
    report = make_report({"beta": BETA}, taxonomy=taxonomy, training=card)
    assert report.training_rows == 20 and report.drift["beta"].set_index("theme").loc["security", "change"] == "more"


def test_workbook_has_one_sheet_per_table(written):
    from openpyxl import load_workbook

    book = load_workbook(written["workbook"])
    assert book.sheetnames == ["概要", "alpha テーマ", "alpha 対応区分", "alpha 要確認", "alpha 学習との比較",
                               "beta テーマ", "beta 対応区分", "beta 要確認", "beta 学習との比較", "比較", "全意見"]
    sheet = book["alpha テーマ"]
    assert sheet.auto_filter.ref == f"A1:F{sheet.max_row}" and len(sheet._charts) == 1  # an Excel chart, not a picture
    drift = book["beta 学習との比較"]
    ratio = [c.value for c in drift[1]].index("倍率")
    ratios = [drift.cell(r, ratio + 1) for r in range(2, drift.max_row + 1)]
    assert all(c.number_format == "0.00" for c in ratios) and any(isinstance(c.value, float) for c in ratios)
    opinions = book["全意見"]
    header = [c.value for c in opinions[1]]
    assert header[:6] == ["意見募集", "行", "テーマ", "対応区分", "対応区分の根拠", "確信度"]
    assert opinions.max_row == 1 + len(ALPHA) + len(BETA) and opinions.freeze_panes == "A2"
    assert [opinions.cell(r, 2).value for r in (2, 3)] == [1, 2]  # row numbers as numbers, not text
    assert opinions.cell(2, 3).value == "デジタルデバイド対策" and opinions.cell(2, 6).number_format == "0.00"
    assert [c.value for c in sheet[1]] == ["テーマID", "テーマ", "行数", "意見数", "割合", "要確認（行）"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet["A2"].value == "digital_divide" and sheet["E2"].value == pytest.approx(5 / 7)
    assert sheet["E2"].number_format == "0.0%"
    assert sheet.column_dimensions["B"].width >= 20  # fits 「行政手続のオンライン化・窓口改革」-like labels


def test_guesses_made_before_any_reply_are_kept_apart(taxonomy):
    frame = BETA.assign(pred_response_basis=["reply", "reply", "opinion", "opinion", "opinion"])
    report = make_report({"beta": frame}, taxonomy=taxonomy)
    replies, guesses = report.by_response["beta"], report.guesses["beta"]
    assert replies["total"].sum() == 2 and guesses["total"].sum() == 3  # never added together
    assert make_report({"alpha": ALPHA}, taxonomy=taxonomy).guesses == {}  # no basis column: labels or replies
    page = build_report({"beta": frame}, Path(tempfile.mkdtemp()) / "beta", taxonomy=taxonomy)["summary_html"]
    assert "回答前の予測（3件）" in page.read_text(encoding="utf-8")


def test_html_page_embeds_the_charts(written):
    page = Path(written["summary_html"]).read_text(encoding="utf-8")
    for chart in ("themes-alpha.png", "heatmap-beta.png", "comparison.png"):  # inside the page: it travels alone
        assert f'data-chart="{chart}"' in page
    assert page.count('<img src="data:image/png;base64,') == 5 and "<img src=\"themes" not in page
    assert "<th>割合</th>" in page and "71.4%" in page  # alpha's digital_divide share, 5 of 7 opinions


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_reads_scored_files_in_each_format(tmp_path, suffix, taxonomy):
    from pipeline.score import write_output

    path = tmp_path / f"alpha.scored{suffix}"
    write_output(ALPHA, path)
    report = make_report([path], taxonomy=taxonomy)
    assert report.headlines[0]["consultation"] == "alpha"
    assert report.distributions["alpha"].set_index("theme").loc["digital_divide", "opinions"] == 5
    assert report.headlines[0]["review_rows"] == 2 and report.headlines[0]["unscored_rows"] == 1


def test_labelled_file_uses_the_theme_column(taxonomy):
    labelled = ALPHA.assign(theme=["security"] * 5)
    report = make_report({"l": labelled}, taxonomy=taxonomy)
    assert report.headlines[0]["themes_from"] == "labels"
    assert report.distributions["l"].set_index("theme").loc["security", "opinions"] == 7


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"opinion": ["a"]}), r"x: no theme column \(theme or pred_theme; columns: opinion\)"),
    (ALPHA.assign(opinion_count=["1", "two", "1", "1", "1"]), r"x: row 2: opinion_count 'two' is not a whole number"),
    (ALPHA.assign(opinion_count=[1, 0, 1, 1, 1]), r"x: row 2: opinion_count 0 "),
    (ALPHA.assign(needs_review=["True", "maybe", "", "0", "1"]), r"x: row 2: needs_review 'maybe' is not true/false"),
])
def test_input_errors_say_what_and_where(frame, message):
    with pytest.raises(InputError, match=message):
        standardise(frame, "x", "x")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        make_report([tmp_path / "nope.csv"])


@pytest.mark.parametrize("name, taken, expected", [
    ("alpha テーマ", set(), "alpha テーマ"),
    ("a/b:c テーマ", set(), "a_b_c テーマ"),
    ("x" * 40, set(), "x" * 31),
    ("x" * 40, {"x" * 31}, "x" * 28 + "~2"),
])
def test_sheet_names_follow_excel_rules(name, taken, expected):
    assert sheet_name(name, taken) == expected


def test_top_terms_are_the_words_each_label_learnt():
    from pipeline.models import TaxonomyClassifier

    texts = ["猫が好き", "猫を飼う", "猫と遊ぶ", "犬が好き", "犬を飼う", "犬と遊ぶ", "鳥が好き", "鳥を飼う"]
    labels = ["cat", "cat", "cat", "dog", "dog", "dog", "bird", "bird"]
    three = TaxonomyClassifier(use_taxonomy=False).fit(texts, labels).top_terms(1)
    assert three == {"bird": ["鳥"], "cat": ["猫"], "dog": ["犬"]}
    two = TaxonomyClassifier(use_taxonomy=False).fit(texts[:6], labels[:6]).top_terms(1)
    assert two == {"cat": ["猫"], "dog": ["犬"]}  # a binary model keeps one row of weights


# ---------------------------------------------------------------- CLI
def pubcom(*args, home: Path):
    env = {**os.environ, "PUBCOM_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=home, timeout=120)


def test_cli_report_writes_the_report(tmp_path):
    ALPHA.to_csv(tmp_path / "alpha.scored.csv", index=False)
    BETA.to_csv(tmp_path / "beta.scored.csv", index=False)
    result = pubcom("report", "alpha.scored.csv", "beta.scored.csv", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1 and "drift" not in result.stdout  # no model: no drift
    assert "report on 2 file(s)" in result.stdout and "5 charts" in result.stdout
    folder = tmp_path / "reports" / "alpha-beta"  # a comparison's own folder
    assert (folder / "summary.html").exists() and (folder / "comparison.png").exists()


def test_cli_report_gives_each_consultation_its_folder_and_replaces_it_whole(tmp_path):
    ALPHA.to_csv(tmp_path / "alpha.scored.csv", index=False)
    BETA.to_csv(tmp_path / "beta.scored.csv", index=False)
    assert pubcom("report", "alpha.scored.csv", home=tmp_path).returncode == 0
    assert pubcom("report", "beta.scored.csv", home=tmp_path).returncode == 0
    alpha, beta = tmp_path / "reports" / "alpha", tmp_path / "reports" / "beta"
    assert (alpha / "themes-alpha.png").exists() and (beta / "themes-beta.png").exists()
    (alpha / "themes-old.png").write_bytes(b"a chart of an earlier run")
    again = pubcom("report", "alpha.scored.csv", home=tmp_path)
    assert again.returncode == 0 and "replaced" in again.stdout
    assert not (alpha / "themes-old.png").exists() and (alpha / "summary.html").exists()
    refused = pubcom("report", "beta.scored.csv", "--out", "reports/alpha", home=tmp_path)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "already holds the report of" in refused.stderr and "--replace" in refused.stderr
    assert (alpha / "themes-alpha.png").exists()  # the refused run changed nothing
    forced = pubcom("report", "beta.scored.csv", "--out", "reports/alpha", "--replace", home=tmp_path)
    assert forced.returncode == 0 and sorted(p.name for p in alpha.glob("*.png")) == ["heatmap-beta.png", "themes-beta.png"]
    assert not list((tmp_path / "reports").glob(".*"))  # no staging folder left behind


def test_cli_report_uses_the_latest_model_for_drift(tmp_path):
    from pipeline.registry import save_model
    from pipeline.train import train

    save_model(train(), tmp_path / "models")
    BETA.to_csv(tmp_path / "beta.scored.csv", index=False)
    result = pubcom("report", "beta.scored.csv", "--out", "out", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "drift against dx-ja-" in result.stdout
    assert "学習データ（40行）との比較" in (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["missing.csv"], "pubcom report: error: missing.csv: no such file"),
    (["alpha.csv", "--model", "nowhere"], "no such model folder"),
])
def test_cli_report_errors_are_one_line(tmp_path, args, message):
    ALPHA.to_csv(tmp_path / "alpha.csv", index=False)
    result = pubcom("report", *args, home=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_empty_and_all_unscored_inputs_still_report(tmp_path, taxonomy):
    empty = pd.DataFrame({"opinion": pd.Series([], dtype=str), "pred_theme": pd.Series([], dtype=str),
                          "needs_review": pd.Series([], dtype=bool)})
    blank = pd.DataFrame({"opinion": ["", "abc"], "pred_theme": ["", ""], "needs_review": [True, True]})
    written = build_report({"empty": empty, "blank": blank}, tmp_path, taxonomy=taxonomy, training={"security": 3})
    report = make_report({"empty": empty, "blank": blank}, taxonomy=taxonomy, training={"security": 3})
    assert report.headlines[0]["rows"] == 0 and report.headlines[0]["review_share"] == 0.0
    unscored = report.distributions["blank"].set_index("theme").loc[UNSCORED]
    assert unscored[["rows", "opinions", "share"]].tolist() == [2, 2, 1.0]
    assert report.drift["blank"]["change"].eq("").all()  # nothing scored: nothing to compare
    assert "未分類 2行（2件）" in Path(written["summary"]).read_text(encoding="utf-8")


def test_empty_label_column_falls_back_to_predictions():
    """Ingested documents carry an empty response_type column; the predictions must be used, not 未判定."""
    import pandas as pd

    from pipeline.report import standardise

    frame = pd.DataFrame({"opinion": ["a", "b"], "response_type": ["", ""], "pred_theme": ["other", "paperless"],
                          "pred_response_type": ["kept", "adopted"], "needs_review": [False, True]})
    consultation = standardise(frame, "x", "x.csv")
    assert consultation.frame["response_type"].tolist() == ["kept", "adopted"]


def test_a_consultation_that_is_training_data_is_not_compared_with_itself(taxonomy):
    trained = BETA.assign(consultation_id="beta-round")
    other = ALPHA.assign(consultation_id="alpha-round")
    training = TRAINING.assign(consultation_id="beta-round")
    report = make_report({"beta": trained, "alpha": other}, taxonomy=taxonomy, training=training)
    assert report.in_training == ("beta",) and list(report.drift) == ["alpha"]
    card = {"training_data": {"theme_counts": {"security": 3}, "consultations": ["beta-round"]}}
    assert make_report({"beta": trained}, taxonomy=taxonomy, training=card).drift == {}


def test_cli_report_refuses_predictions_of_another_taxonomy_than_latest(tmp_path, model_dir):
    """Predictions made with the user's own taxonomy, reported with models/latest taken by default (another
    taxonomy), were drawn with latest's theme list at zero and their own themes as bare ids: refused, with the fix;
    the model named with --model is the user's choice."""
    import shutil

    from pipeline.registry import set_latest

    (tmp_path / "models").mkdir()
    set_latest(Path(shutil.copytree(model_dir, tmp_path / "models" / model_dir.name)))
    scored([("weather", "kept", 1, False), ("parks", "future", 1, False)]).to_csv(tmp_path / "own.scored.csv", index=False)
    refused = pubcom("--lang", "en", "report", "own.scored.csv", home=tmp_path)
    assert refused.returncode == 2 and refused.stderr.strip() == (
        "pubcom report: error: own.scored.csv: themes not in taxonomy dx-ja of models/latest: parks, weather; "
        "pass --model with the model that scored it")
    ALPHA.to_csv(tmp_path / "alpha.scored.csv", index=False)  # latest's own themes: reported as before
    assert pubcom("report", "alpha.scored.csv", home=tmp_path).returncode == 0
    named = pubcom("report", "own.scored.csv", "--model", f"models/{model_dir.name}", home=tmp_path)
    assert named.returncode == 0, named.stderr


def test_cli_report_with_latest_accepts_a_row_that_holds_no_opinion(tmp_path, model_dir):
    """A 特になし row is reported apart as 意見なし (#14a); the check against models/latest's taxonomy took its
    marker for a theme of another taxonomy and refused every file that had one."""
    import shutil

    from pipeline.non_opinion import NO_OPINION_REASON
    from pipeline.registry import set_latest

    (tmp_path / "models").mkdir()
    set_latest(Path(shutil.copytree(model_dir, tmp_path / "models" / model_dir.name)))
    frame = scored([("digital_divide", "kept", 1, False), ("", "", 1, True)])
    frame.loc[1, ["opinion", "review_reason"]] = ["特になし", NO_OPINION_REASON]
    frame.to_csv(tmp_path / "town.scored.csv", index=False)
    done = pubcom("report", "town.scored.csv", "--out", "town", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "意見なし" in (tmp_path / "town" / "summary.md").read_text(encoding="utf-8")


def test_the_opinion_list_names_the_rows_without_an_opinion_in_japanese(taxonomy):
    """The page's opinion list (#16) built its theme names without #14a's 意見なし: the section and the theme
    filter read '(no opinion)'."""
    from pipeline.browse import opinion_list
    from pipeline.non_opinion import NO_OPINION_REASON
    from pipeline.report import NO_OPINION, NO_OPINION_LABEL

    frame = scored([("digital_divide", "kept", 1, False), ("", "", 1, True)])
    frame.loc[1, ["opinion", "review_reason"]] = ["特になし", NO_OPINION_REASON]
    listed = opinion_list(make_report({"town": frame}, taxonomy=taxonomy), taxonomy)
    assert f">{NO_OPINION}<" not in listed  # shown nowhere; the id stays only in the filter's value
    assert f'<option value="{NO_OPINION}">{NO_OPINION_LABEL}</option>' in listed
    assert f"{NO_OPINION_LABEL}<span" in listed


def test_the_workbook_and_the_groups_name_rows_without_an_opinion_in_japanese(taxonomy):
    """report.xlsx's 全意見 sheet (#16) and the largest groups (#17) named their themes each with their own map,
    without #14a's 意見なし: a 特になし row (two of them, grouped) read '(no opinion)' as its theme."""
    from pipeline.group_report import largest_groups
    from pipeline.non_opinion import NO_OPINION_REASON
    from pipeline.report import NO_OPINION, NO_OPINION_LABEL
    from pipeline.report_sheets import opinions_frame

    frame = scored([("digital_divide", "kept", 1, False), ("", "", 1, True), ("", "", 1, True)])
    frame.loc[[1, 2], ["opinion", "review_reason"]] = ["特になし", NO_OPINION_REASON]
    frame["group_id"] = ["1", "2", "2"]
    report = make_report({"town": frame}, taxonomy=taxonomy)
    sheet = opinions_frame(report, taxonomy)
    assert sheet["label"].tolist() == ["デジタルデバイド対策", NO_OPINION_LABEL, NO_OPINION_LABEL]
    assert sheet["theme"].tolist()[1:] == [NO_OPINION, NO_OPINION]  # the id column keeps the id
    assert largest_groups(report.consultations, taxonomy)["town"]["label"].tolist() == [NO_OPINION_LABEL]


def test_a_report_that_fails_to_move_into_place_leaves_the_previous_one(tmp_path, monkeypatch):
    from pathlib import Path

    from pipeline.report_folder import staged

    folder = tmp_path / "town"
    with staged(folder, ["a.csv"]) as stage:
        (stage / "summary.html").write_text("old", encoding="utf-8")
    real_rename = Path.rename

    def failing(self, target):
        if self.name.startswith(".town.tmp-"):
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(OSError), staged(folder, ["a.csv"]) as stage:
        (stage / "summary.html").write_text("new", encoding="utf-8")
    assert (folder / "summary.html").read_text(encoding="utf-8") == "old"
