"""Themes found in unlabelled opinions (`pipeline.discovery`, `pubcom taxonomy discover`)."""
from __future__ import annotations

import itertools

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sklearn.metrics import adjusted_mutual_info_score

from pipeline.cli import main
from pipeline.discovery import assignments, discover, draft_toml
from pipeline.review import REVIEWED, SHEET
from pipeline.taxonomy import load_taxonomy

TOPICS = {
    "bus": (["路線バスの本数", "バスの運賃", "バス停の屋根", "循環バスの路線"],
            ["を増やしてほしい。", "が高齢者には不便です。", "について見直しを求めます。"]),
    "library": (["図書館の開館時間", "図書館の蔵書", "図書館の司書", "分館の閲覧席"],
                ["を増やしてほしい。", "が学生には足りません。", "について充実を求めます。"]),
    "park": (["公園の遊具", "公園のトイレ", "公園の街灯", "公園の花壇"],
             ["を新しくしてほしい。", "が子どもには危険です。", "について改修を求めます。"]),
}


def corpus() -> tuple[list[str], list[str]]:
    texts, truth = [], []
    for topic, (subjects, endings) in TOPICS.items():
        for subject, ending in itertools.product(subjects, endings):
            texts.append(subject + ending)
            truth.append(topic)
    return texts, truth


def test_three_written_topics_are_found():
    texts, truth = corpus()
    found = discover(texts, themes=3, seed=0)
    assert adjusted_mutual_info_score(truth, found.labels) > 0.8
    assert sorted(rows for _, rows in found.sizes) == [12, 12, 12]
    assert found.chosen_by == "given"


def test_same_seed_same_themes():
    texts, _ = corpus()
    assert discover(texts, themes=3, seed=7).labels.tolist() == discover(texts, themes=3, seed=7).labels.tolist()


def test_copies_and_empty_rows_keep_their_place():
    texts, _ = corpus()
    texts = texts + [texts[0], "", "　" + texts[0].replace("。", "．")]
    found = discover(texts, themes=3, seed=0)
    assert len(found.labels) == len(texts)
    assert found.labels[-3] == found.labels[0] == found.labels[-1]
    assert found.labels[-2] == -1
    assert sum(distinct for distinct, _ in found.sizes) == 36  # each copy counts once when themes are found


def test_draft_is_a_valid_taxonomy_with_representatives():
    texts, _ = corpus()
    found = discover(texts, themes=3, seed=0)
    text = draft_toml(found, texts, taxonomy_id="town", source="town.csv")
    assert text.count("# 例: ") == 9 and text.count("[[themes]]") == 3
    assert '"図書館"' in text  # a suggested word of the library theme


def test_assignments_hold_every_row():
    texts, _ = corpus()
    frame = pd.DataFrame({"no": range(len(texts) + 1), "opinion": texts + [""]})
    found = discover(frame["opinion"].tolist(), themes=3, seed=0)
    out = assignments(frame, found)
    assert out.columns.tolist() == ["no", "opinion", "pred_theme", "pred_theme_score"]
    assert out["pred_theme"].iloc[-1] == "" and set(out["pred_theme"].iloc[:-1]) == {"theme_1", "theme_2", "theme_3"}


def test_discover_review_sheet_train(tmp_path, capsys):
    texts, _ = corpus()
    source = tmp_path / "town.csv"
    pd.DataFrame({"opinion": texts}).to_csv(source, index=False)
    draft, assigned, review = tmp_path / "draft.toml", tmp_path / "assigned.csv", tmp_path / "review.xlsx"
    assert main(["taxonomy", "discover", str(source), "--themes", "3", "--out", str(draft),
                 "--assignments", str(assigned)]) == 0
    assert "found 3 themes (given" in capsys.readouterr().err
    assert load_taxonomy(draft).theme_ids == ["theme_1", "theme_2", "theme_3"]
    assert main(["review-sheet", str(assigned), "--taxonomy", str(draft), "--out", str(review)]) == 0
    _mark_reviewed(review)  # a reviewer accepts the sheet as it is: only marked rows are learnt
    assert main(["train", str(review), "--taxonomy", str(draft), "--out", str(tmp_path / "models"), "--cv", "2"]) == 0
    assert (tmp_path / "models" / "latest").exists()


def _mark_reviewed(path) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    column = [c.value for c in sheet[1]].index(REVIEWED) + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column, value="済")
    book.save(path)


def test_auto_chooses_a_number_of_themes():
    texts, _ = corpus()
    found = discover(texts * 2 + [t + "よろしくお願いします。" for t in texts], themes="auto", seed=0)
    assert found.chosen_by == "eigengap" and 5 <= len(found.sizes) <= 30


@pytest.mark.parametrize("argv, message", [
    (["--themes", "1"], "--themes must be 2 or more"),
    (["--themes", "many"], "--themes must be a whole number or auto"),
    (["--themes", "30"], "too few to find 30 or more themes"),
    (["--out", "draft.txt"], "name it .toml"),
    (["--text-column", "nope"], "column 'nope' not found"),
])
def test_discover_mistakes_are_one_line(tmp_path, capsys, argv, message):
    texts, _ = corpus()
    source = tmp_path / "town.csv"
    pd.DataFrame({"opinion": texts}).to_csv(source, index=False)
    options = dict(zip(argv[::2], argv[1::2]))
    out = options.pop("--out", str(tmp_path / "draft.toml"))
    extra = [item for pair in options.items() for item in pair]
    assert main(["taxonomy", "discover", str(source), "--out", out, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_opinions_outside_the_sample_join_the_nearest_theme():
    from scipy.sparse import csr_matrix

    from pipeline.discovery import _nearest_theme

    matrix = csr_matrix([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0.1], [0, 0.9, 0.2], [0.8, 0, 0.1], [0.1, 0.7, 0]])
    found = _nearest_theme(matrix, np.array([0, 1, 2, 3]), np.array([1, 1, 0, 0]), 2)
    assert found.tolist() == [1, 1, 0, 0, 1, 0]


def test_many_opinions_are_sampled_with_the_seed(monkeypatch):
    import pipeline.discovery as discovery

    texts, _ = corpus()
    monkeypatch.setattr(discovery, "FIT_MAX", 24)
    assert discovery._sample(36, 0).tolist() == discovery._sample(36, 0).tolist()
    assert len(discovery._sample(36, 0)) == 24 and discovery._sample(20, 0).tolist() == list(range(20))
    found = discover(texts, themes=3, seed=0)
    assert (found.labels >= 0).all() and sum(rows for _, rows in found.sizes) == 36


@pytest.mark.parametrize("words, label", [
    (["変わる", "市役所", "遣る", "窓口", "職員"], "市役所・窓口・職員"),
    (["止まる", "回線"], "回線・止まる"),
    ([], "テーマ4"),
])
def test_labels_put_nouns_first(words, label):
    from pipeline.discovery import _label

    assert _label(words, 4, set()) == label


def test_a_label_already_taken_gets_its_number():
    from pipeline.discovery import _label

    assert _label(["回線"], 2, {"回線"}) == "回線（2）"
