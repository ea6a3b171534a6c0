"""The retraining loop: taxonomy init / check, review sheet, train on the corrected sheet, compare, `latest`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.evaluate import _splits, evaluate
from pipeline.taxonomy import load_taxonomy
from pipeline.train import read_labelled

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = ROOT / "data" / "raw" / "examples" / "school-reorg-sample.csv"
SCHOOL_TOML = ROOT / "data" / "raw" / "examples" / "school-reorg.toml"


def _pubcom(home: Path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PUBCOM_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=home, env=env,
                          capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------- taxonomy init / check
LABELS = """No,ご意見,theme
1,通学路の歩道が狭くて危ないので安全対策をしてほしい。,通学路の安全
2,通学路に信号機を増やしてください。,通学路の安全
3,スクールバスの運行本数を増やしてほしい。,スクールバス
4,スクールバスの停留所が遠い。,スクールバス
5,部活動の種類が減るのが心配です。,club
"""


def test_taxonomy_init_drafts_a_valid_keyword_free_taxonomy(tmp_path, capsys):
    labels = tmp_path / "labels.csv"
    labels.write_text(LABELS, encoding="utf-8")
    out = tmp_path / "draft.toml"
    assert main(["taxonomy", "init", "--from-labels", str(labels), "--out", str(out)]) == 0
    assert "通学路の安全 -> theme_1" in capsys.readouterr().err  # the renamed labels are said
    taxonomy = load_taxonomy(out)
    assert taxonomy.theme_ids == ["theme_1", "theme_2", "club"]
    assert taxonomy.theme_labels()["theme_2"] == "スクールバス"
    assert all(theme.keywords == () for theme in taxonomy.themes)
    suggested = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("# 候補")]
    assert len(suggested) == 3 and '"スクールバス"' in suggested[1]
    # labels files keep the Japanese labels: they map to ids by label_ja
    assert taxonomy.to_ids(["通学路の安全", "club", ""]) == ["theme_1", "club", ""]


def test_taxonomy_check_prints_one_line(tmp_path, capsys):
    assert main(["taxonomy", "check", str(SCHOOL_TOML)]) == 0
    out = capsys.readouterr().out.strip()
    assert "\n" not in out and "9 themes" in out and "0 keywords" in out


@pytest.mark.parametrize("text, message", [
    ("[taxonomy]\nid = 'x'\n", "needs a non-empty 'version'"),
    ("[taxonomy]\nid='x'\nversion='1'\n[[themes]]\nid='Bad Id'\nlabel_ja='a'\n", "must be lower-case"),
    ("[taxonomy]\nid='x'\nversion='1'\n[[themes]]\nid='a'\nlabel_ja='a'\nsuggested=[]\n", "unknown keys"),
    ("x =", "not valid TOML"),
    ("[taxonomy]\nid='x'\nversion='1'\n[[themes]]\nid='a'\nlabel_ja='a'\n[[response_type]]\nid='b'\nlabel_ja='b'\n",
     "unknown top-level table 'response_type'"),
    ("[taxonomy]\nid='x'\nversion='1'\ndescripton='typo'\n[[themes]]\nid='a'\nlabel_ja='a'\n",
     "unknown [taxonomy] key 'descripton'"),
])
def test_taxonomy_check_invalid_exits_2_with_one_line(tmp_path, capsys, text, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    assert main(["taxonomy", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_taxonomy_init_needs_two_labels(tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("ご意見,theme\n通学路が危ない。,a\nバスが遠い。,a\n", encoding="utf-8")
    assert main(["taxonomy", "init", "--from-labels", str(one)]) == 2


def test_taxonomy_init_on_texts_without_a_word_drafts_the_labels_without_suggestions(tmp_path):
    """Texts of kana particles and symbols leave the vectoriser no vocabulary: still a draft, never a traceback."""
    labels = tmp_path / "labels.csv"
    labels.write_text("ご意見,theme\nあ,a\nい。,b\n…,b\n", encoding="utf-8")
    out = tmp_path / "draft.toml"
    assert main(["taxonomy", "init", "--from-labels", str(labels), "--out", str(out)]) == 0
    assert load_taxonomy(out).theme_ids == ["a", "b"]


# ---------------------------------------------------------------- consultations, splits
def _two_rounds(tmp_path) -> list[Path]:
    school = pd.read_csv(SCHOOL, dtype=str, keep_default_na=False)
    paths = []
    for name, part in (("round-a", school.iloc[:36]), ("round-b", school.iloc[36:72])):
        paths.append(tmp_path / f"{name}.csv")
        part.to_csv(paths[-1], index=False)
    return paths


def test_records_keep_consultation_and_loco_is_reported(tmp_path):
    frame = read_labelled(_two_rounds(tmp_path))
    assert sorted(frame["consultation_id"].unique()) == ["round-a", "round-b"]
    metrics = evaluate(frame, taxonomy=SCHOOL_TOML, cv=2, n_boot=20)
    assert set(metrics["theme"]["per_consultation"]) == {"round-a", "round-b"}
    loco = metrics["leave_one_consultation_out"]
    assert loco["cv"] == "group:consultation_id" and {"theme", "response_type"} <= set(loco)
    assert sum(v["n"] for v in loco["theme"]["per_consultation"].values()) == 72


def test_group_column_keeps_groups_on_one_side():
    frame = pd.DataFrame({"g": list("aabbccddee"), "y": list("xyxyxyxyxy")})
    for train, test in _splits(frame, frame["y"], 3, "g"):
        assert not set(frame["g"].iloc[train]) & set(frame["g"].iloc[test])


def test_impossible_splits_are_one_clear_error(tmp_path):
    from pipeline.errors import InputError

    frame = pd.DataFrame({"g": list("aabbccddee"), "y": list("xyxyxyxyxy")})
    with pytest.raises(InputError, match="--group-column 'nosuch' is not a column"):
        _splits(frame, frame["y"], 3, "nosuch")
    labelled = _labelled(tmp_path, {"opinion": [f"バスの本数 {i}" if i % 2 else f"通学路の安全 {i}" for i in range(10)],
                                    "theme": ["bus" if i % 2 else "road" for i in range(10)]})
    with pytest.raises(InputError, match="--cv 11 needs at least 11 labelled rows; there are 10"):
        evaluate(labelled, taxonomy=_two_themes(), cv=11)


def test_a_target_with_fewer_labels_than_folds_is_still_cross_validated(tmp_path):
    """12 rows with a theme, 4 of them with a response type: --cv 5 gives the themes 5 folds, the response types
    one row a fold, instead of refusing the whole evaluation."""
    labelled = _labelled(tmp_path, {"opinion": [f"バスの本数 {i}" if i % 2 else f"通学路の安全 {i}" for i in range(12)],
                                    "theme": ["bus" if i % 2 else "road" for i in range(12)],
                                    "response": [("増便を今後検討します", "案のとおり運行します")[i % 2] if i < 4 else ""
                                                 for i in range(12)],
                                    "response_type": [("future", "kept")[i % 2] if i < 4 else "" for i in range(12)]})
    metrics = evaluate(labelled, taxonomy=_two_themes(), cv=5, n_boot=10)
    assert metrics["theme"]["n"] == 12 and metrics["response_type"]["n"] == 4


def _labelled(tmp_path, columns: dict) -> pd.DataFrame:
    path = tmp_path / "labels.csv"
    pd.DataFrame(columns).to_csv(path, index=False)
    return read_labelled([path])


def _two_themes():
    from pipeline.taxonomy import taxonomy_from_dict

    return taxonomy_from_dict({"taxonomy": {"id": "t", "version": "1"},
                               "themes": [{"id": "bus", "label_ja": "バス"}, {"id": "road", "label_ja": "通学路"}]})


def test_train_with_an_unreadable_latest_saves_the_model_and_keeps_latest(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text(LABELS.replace(",club", ",スクールバス"), encoding="utf-8")
    _pubcom(tmp_path, "taxonomy", "init", "--from-labels", labels, "--out", tmp_path / "t.toml")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "latest").symlink_to("gone")
    done = _pubcom(tmp_path, "train", labels, "--taxonomy", tmp_path / "t.toml", "--cv", "loo")
    assert done.returncode == 0, done.stderr
    assert "the current latest cannot be read" in done.stdout
    assert len([p for p in (tmp_path / "models").iterdir() if p.is_dir() and not p.is_symlink()]) == 1


# ---------------------------------------------------------------- review sheet
def _scored() -> pd.DataFrame:
    return pd.DataFrame({
        "No": ["1", "2", "3"],
        "ご意見": ["スクールバスの停留所が遠い。", "部活動が減るのが心配。", "説明会を休日にも開いてほしい。"],
        "市の考え方": ["検討してまいります。", "案のとおりとします。", "休日にも開催します。"],
        "pred_theme": ["theme_1", "theme_6", "theme_4"], "pred_theme_score": [0.9, 0.7, 0.3],
        "pred_theme_2": ["theme_2", "theme_1", "theme_8"], "pred_theme_2_score": [0.05, 0.1, 0.25],
        "pred_response_type": ["future", "kept", "future"], "pred_response_type_score": [0.8, 0.9, 0.6],
        "pred_response_basis": ["reply"] * 3, "needs_review": ["False", "False", "True"],
        "review_reason": ["", "", "low confidence"], "evidence": ["バス", "部活動", "説明会"],
    })


def _mark(path, marks: dict, themes: dict | None = None) -> None:
    """Play the reviewer: put `marks` {row: value} in 確認済み and `themes` {row: label} in テーマ, then save."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["確認"]
    header = [c.value for c in sheet[1]]
    for row, value in marks.items():
        sheet.cell(row, header.index("確認済み") + 1).value = value
    for row, value in (themes or {}).items():
        sheet.cell(row, header.index("テーマ") + 1).value = value
    book.save(path)


def test_review_sheet_is_japanese_with_dropdowns_of_labels(tmp_path):
    from openpyxl import load_workbook

    from pipeline.review import write_review_sheet

    taxonomy = load_taxonomy(SCHOOL_TOML)
    out = write_review_sheet(_scored(), tmp_path / "review.xlsx", taxonomy, consultation_id="school")
    book = load_workbook(out)
    sheet = book["確認"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["確認済み", "テーマ", "対応区分", "意見", "回答"] and "要確認の理由" in header
    assert sheet.freeze_panes == "B2" and book["選択肢"].sheet_state == "hidden" and sheet.auto_filter.ref
    assert [sheet.cell(r, header.index("No") + 1).value for r in (2, 3, 4)] == ["3", "2", "1"]  # flagged, then least sure
    assert sheet.cell(2, 1).fill.start_color.rgb.endswith("FCE4D6")
    labels = taxonomy.theme_labels()
    assert [sheet.cell(r, 2).value for r in (2, 3, 4)] == [labels["theme_4"], labels["theme_6"], labels["theme_1"]]
    assert sheet.cell(2, header.index("確信度") + 1).number_format == "0.00"
    rules = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert rules["B2:B4"] == "=選択肢!$A$2:$A$10" and rules["A2:A4"] == "=選択肢!$C$2:$C$2"
    hidden = sheet.column_dimensions[sheet.cell(1, header.index("pred_theme") + 1).column_letter].hidden
    assert hidden and header[-3:] == ["consultation_id", "pred_theme", "pred_response_type"]


def test_review_sheet_marks_flagged_rows_and_keeps_the_inputs_own_true_false(tmp_path):
    from openpyxl import load_workbook

    from pipeline.review import write_review_sheet

    scored = _scored().assign(paper_form=[True, False, True])  # a column of the input's own
    out = write_review_sheet(scored, tmp_path / "review.xlsx", load_taxonomy(SCHOOL_TOML))
    sheet = load_workbook(out)["確認"]
    header = [c.value for c in sheet[1]]
    column = lambda name: [sheet.cell(r, header.index(name) + 1).value for r in (2, 3, 4)]  # noqa: E731
    assert column("要確認").count("要確認") == 1  # needs_review True on one row of three
    assert sorted(column("paper_form")) == [False, True, True]


def test_a_review_sheet_with_nothing_marked_is_refused(tmp_path):
    from pipeline.errors import InputError
    from pipeline.review import write_review_sheet

    out = write_review_sheet(_scored(), tmp_path / "review.xlsx", load_taxonomy(SCHOOL_TOML))
    with pytest.raises(InputError, match="no row is marked 確認済み .*mark the rows you have checked"):
        read_labelled([out])
    scored = tmp_path / "new.scored.csv"
    _scored().assign(theme=_scored()["pred_theme"]).to_csv(scored, index=False)
    with pytest.raises(InputError, match=r"holds the model's predictions \(pred_theme\) and no 確認済み column"):
        read_labelled([scored])


@pytest.mark.parametrize("mark, used", [("済", True), ("✓", True), (True, True), (1, True), ("はい", True),
                                        ("ＴＲＵＥ", True), ("", False), ("未", False), (0, False)])
def test_only_rows_marked_reviewed_are_read_back(tmp_path, mark, used):
    from pipeline.review import write_review_sheet
    from pipeline.train import label_ids

    taxonomy = load_taxonomy(SCHOOL_TOML)
    out = write_review_sheet(_scored(), tmp_path / "review.xlsx", taxonomy, consultation_id="school")
    # row 2 is checked and corrected by the reviewer, row 3 carries the mark under test, row 4 is left alone
    _mark(out, {2: "済", 3: mark}, themes={2: taxonomy.theme_labels()["theme_2"]})
    back = label_ids(read_labelled([out]), taxonomy)
    assert back["theme"].tolist() == ["theme_2", "theme_6"][: 1 + used]
    assert back["response"].tolist()[0] == "休日にも開催します。" and back["consultation_id"].eq("school").all()
    assert back.attrs["review_sheets"] == [(str(out), 1 + used, 3)]


@pytest.mark.parametrize("given, shown", [
    (["theme_2", "", "theme_3"], ["theme_3", "theme_6", "theme_2"]),  # ids kept; an empty label falls back
    (["", "", ""], ["theme_4", "theme_6", "theme_1"]),  # no label: the predictions
])
def test_review_sheet_keeps_the_themes_a_labelled_table_already_has(tmp_path, given, shown):
    """A labelled table scored again carries its own `theme` beside `pred_theme`: the sheet shows the label, as
    it does a given response_type (the labels used to be replaced by the predictions without a word)."""
    from openpyxl import load_workbook

    from pipeline.review import write_review_sheet

    taxonomy = load_taxonomy(SCHOOL_TOML)
    labels = taxonomy.theme_labels()
    given = [labels[g] if g == "theme_3" else g for g in given]  # a label_ja is as good as an id
    out = write_review_sheet(_scored().assign(theme=given), tmp_path / "review.xlsx", taxonomy)
    sheet = load_workbook(out)["確認"]
    assert [sheet.cell(r, 2).value for r in (2, 3, 4)] == [labels[t] for t in shown]  # flagged row 3 comes first


def test_review_sheet_refuses_predictions_outside_the_taxonomy(tmp_path):
    from pipeline.errors import TaxonomyError
    from pipeline.review import write_review_sheet

    with pytest.raises(TaxonomyError, match="predicted theme 'theme_1' is not in taxonomy dx-ja.*--taxonomy"):
        write_review_sheet(_scored(), tmp_path / "r.xlsx", load_taxonomy())


# ---------------------------------------------------------------- latest only when no worse
def test_promotion_keeps_latest_when_new_model_scores_lower(tmp_path):
    from pipeline.compare import promotion
    from pipeline.train import train

    taxonomy = load_taxonomy(SCHOOL_TOML)
    frame = read_labelled([_two_rounds(tmp_path)[0]])
    latest = train(frame, taxonomy=taxonomy)
    worse = {"theme": {"macro_f1": 0.0}}
    decision = promotion(worse, taxonomy, latest, frame)
    assert decision["latest"] is False and "latest kept" in decision["reason"]
    assert "optimistic" in decision["reason"]  # latest was trained on this round: said so
    assert promotion(worse, taxonomy, latest, frame, force=True)["latest"] is True
    other = promotion(worse, load_taxonomy(), latest, frame)
    assert other["latest"] is False and "other labels" in other["reason"]


def test_end_to_end_score_review_train_compare(tmp_path):
    from openpyxl import load_workbook

    school = pd.read_csv(SCHOOL, dtype=str, keep_default_na=False)
    school.iloc[:45].to_csv(tmp_path / "past.csv", index=False)
    unseen = school.iloc[45:120]
    unseen[["No", "ご意見", "市の考え方"]].to_csv(tmp_path / "new.csv", index=False)
    tax = tmp_path / "school.toml"
    tax.write_text(SCHOOL_TOML.read_text(encoding="utf-8"), encoding="utf-8")

    first = _pubcom(tmp_path, "train", "past.csv", "--taxonomy", tax, "--cv", "2")
    assert first.returncode == 0, first.stderr
    assert "latest: now" in first.stdout and "there was no latest" in first.stdout
    scored = _pubcom(tmp_path, "score", "new.csv", "--out", "new.scored.csv")
    assert scored.returncode == 0, scored.stderr
    sheet = _pubcom(tmp_path, "review-sheet", "new.scored.csv", "--out", "review.xlsx", "--taxonomy", tax)
    assert sheet.returncode == 0, sheet.stderr
    assert f"pubcom train review.xlsx --taxonomy {tax}`" in sheet.stdout  # the next step names the taxonomy too

    # a reviewer checks the first 30 rows (correcting their themes), leaves the others as predicted
    taxonomy = load_taxonomy(tax)
    truth = dict(zip(unseen["No"], unseen["theme"]))  # label_ja, as the drop-down shows them
    refused = _pubcom(tmp_path, "train", "review.xlsx", "--taxonomy", tax, "--cv", "2")
    assert refused.returncode == 2 and "no row is marked 確認済み" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    book = load_workbook(tmp_path / "review.xlsx")
    rows = book["確認"]
    header = [c.value for c in rows[1]]
    no, theme = header.index("No") + 1, header.index("テーマ") + 1
    checked = {r: truth[rows.cell(r, no).value] for r in range(2, 32)}
    _mark(tmp_path / "review.xlsx", dict.fromkeys(checked, "済"), themes=checked)
    corrected = read_labelled([tmp_path / "review.xlsx"])
    assert len(corrected) == 30 and sorted(corrected["theme"]) == sorted(checked.values())

    second = _pubcom(tmp_path, "train", "review.xlsx", "past.csv", "--taxonomy", tax, "--cv", "2")
    assert second.returncode == 0, second.stderr
    assert "30 of 75 rows marked 確認済み are used; the other 45 are left out" in second.stdout
    assert "read 75 rows" in second.stdout  # 30 reviewed + 45 past
    assert "theme macro-F1 on these 75 rows: new" in second.stdout
    names = sorted(p.name for p in (tmp_path / "models").iterdir() if p.name != "latest")
    latest = os.readlink(tmp_path / "models" / "latest")
    assert latest == (names[-1] if "latest: now" in second.stdout else names[0])

    compared = _pubcom(tmp_path, "compare", f"models/{names[0]}", f"models/{names[1]}", "review.xlsx", "--taxonomy", tax)
    assert compared.returncode == 0, compared.stderr
    assert "theme: macro-F1 A" in compared.stdout and "response_type: macro-F1 A" in compared.stdout
    assert "theme_1" in compared.stdout  # per-class lines
    listed = _pubcom(tmp_path, "models")
    assert "school-reorg v1" in listed.stdout and "rows=45" in listed.stdout and "rows=75" in listed.stdout


def test_a_label_outside_the_taxonomy_names_its_row_before_any_fit(tmp_path):
    from pipeline.errors import TaxonomyError
    from pipeline.train import label_ids

    labels = tmp_path / "labels.csv"
    labels.write_text(LABELS.replace("5,部活動の種類が減るのが心配です。,club", "5,天気の話,weather"), encoding="utf-8")
    from pipeline.taxonomy import taxonomy_from_dict

    taxonomy = taxonomy_from_dict({"taxonomy": {"id": "t", "version": "1"}, "themes": [
        {"id": "road", "label_ja": "通学路の安全"}, {"id": "bus", "label_ja": "スクールバス"}]})
    frame = read_labelled([labels])
    with pytest.raises(TaxonomyError, match=r"'weather' \(row 5\)"):
        label_ids(frame, taxonomy)



def test_training_on_no_labelled_row_is_refused_and_such_a_model_never_loads(tmp_path):
    import json

    import joblib

    from pipeline import registry
    from pipeline._io import file_sha256
    from pipeline.errors import InputError, ModelError
    from pipeline.taxonomy import taxonomy_from_dict
    from pipeline.train import train

    taxonomy = taxonomy_from_dict({"taxonomy": {"id": "t", "version": "1"},
                                   "themes": [{"id": "a", "label_ja": "バス"}, {"id": "b", "label_ja": "道路"}]})
    (tmp_path / "header.csv").write_text("row_no,opinion,theme\n", encoding="utf-8")
    with pytest.raises(InputError, match="nothing to learn from"):
        train(read_labelled([tmp_path / "header.csv"]), taxonomy=taxonomy, examples=pd.DataFrame())
    # a model without estimators, as an older version saved one, with a card that vouches for it
    folder = registry.save_model(train(), tmp_path / "models")
    model = joblib.load(folder / registry.MODEL_FILE)
    model.theme = model.response_type = model.response_type_from_opinion = None
    joblib.dump(model, folder / registry.MODEL_FILE)
    (folder / registry.SCORER_FILE).unlink()
    card = registry.read_card(folder)
    card["files"] = {registry.MODEL_FILE: file_sha256(folder / registry.MODEL_FILE)}
    (folder / registry.CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="no fitted estimator"):
        registry.load_scorer(folder)
