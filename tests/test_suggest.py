"""Reply suggestions: the vote of the most similar answered opinions, the columns, the CLI, the review loop."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.review import SHEET
from pipeline.errors import InputError
from pipeline.suggest import SUGGEST_COLUMNS, ReplySuggester, _most_similar, answered_frame, reply_key

WINDOW = "窓口での手続は引き続き残します。"
GUIDE = "手続の案内を分かりやすくいたします。"
LATER = "今後の参考とさせていただきます。"
ANSWERED = pd.DataFrame({
    "No": [1, 2, 3, 4, 5],
    "ご意見": ["高齢者はスマホを使えないので窓口を残してほしい", "紙の申請書で窓口の手続も続けてください",
             "マイナンバーカードの暗証番号を忘れた時の手続を簡単に", "公園のベンチを増やしてほしい",
             "スマホが苦手な人のために対面の窓口を残すべき"],
    "市の考え方": [WINDOW, WINDOW, GUIDE, LATER, WINDOW + " "],
    "theme": ["digital_divide", "digital_divide", "mynumber_auth", "other", "digital_divide"],
    "response_type": ["kept", "kept", "future", "future", "kept"],
})


@pytest.fixture(scope="module")
def suggester():
    return ReplySuggester().fit(answered_frame(ANSWERED, source="test", consultation_id="r1"))


@pytest.mark.parametrize("a, b, same", [(WINDOW, WINDOW + " ", True), ("ご意見ありがとうございます。", "ご意見 ありがとう\nございます。", True),
                                        ("ＡＢＣを修正します。", "ABCを修正します。", True), (WINDOW, GUIDE, False),
                                        ("a \u0301", "\u00e1", True)])  # the mark joins its letter once the space goes
def test_reply_key_is_normalised_text_without_spaces(a, b, same):
    assert (reply_key(a) == reply_key(b)) is same


def test_template_reply_is_one_candidate_with_its_supporters(suggester):
    found = suggester.suggest(["スマホを持っていない高齢者のために窓口を残して"])
    assert list(found.columns) == SUGGEST_COLUMNS
    assert found.at[0, "suggested_reply"] == WINDOW  # three answered rows, one reply (the trailing space is not a new one)
    assert found.at[0, "suggested_reply_type"] == "kept"
    assert found.at[0, "suggested_reply_source"] in ("r1:1", "r1:5")
    listed = json.loads(found.at[0, "suggested_replies"])
    assert [r["reply"] for r in listed].count(WINDOW) == 1 and listed[0]["support"] == 3
    assert set(listed[0]) == {"reply", "score", "source", "support"}


def test_scores_are_shares_of_the_vote_best_first(suggester):
    found = suggester.suggest(["暗証番号を忘れたときの窓口の手続", "窓口を残して"])
    for cell in found["suggested_replies"]:
        scores = [r["score"] for r in json.loads(cell)]
        assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0001 and len(scores) <= 3
    assert found["suggested_reply_score"].between(0, 1).all()


def test_no_shared_word_gives_no_suggestion(suggester):
    found = suggester.suggest(["hello world", "窓口"])
    assert found.at[0, "suggested_reply"] == "" and np.isnan(found.at[0, "suggested_reply_score"])
    assert found.at[0, "suggested_replies"] == "" and found.at[1, "suggested_reply"] == WINDOW


def test_the_same_theme_breaks_an_even_vote():
    answered = pd.DataFrame({"opinion": ["駐車場について", "駐車場について"], "response": ["回答甲です。", "回答乙です。"],
                             "theme": ["a", "b"]})
    suggester = ReplySuggester().fit(answered_frame(answered, source="t"))
    found = suggester.suggest(["駐車場について", "駐車場について", "駐車場について"], themes=["a", "b", ""])
    assert found["suggested_reply"].tolist() == ["回答甲です。", "回答乙です。", "回答甲です。"]  # no theme: the earlier row
    assert found.at[0, "suggested_reply_score"] == pytest.approx(1.5 / 2.5)


def test_deterministic_and_picklable(suggester):
    texts = ["窓口を残して", "暗証番号の手続", "ベンチが少ない"]
    again = pickle.loads(pickle.dumps(suggester))
    pd.testing.assert_frame_equal(suggester.suggest(texts), again.suggest(texts))


@pytest.mark.parametrize("similarity, expected", [
    ([[0.0, 0.5, 0.5, 0.9]], [[3, 1, 2]]),  # equal similarities: the earlier answered row first
    ([[0.0, 0.0, 0.0, 0.0]], [[0, 1, 2]]),
])
def test_most_similar_breaks_ties_by_order(similarity, expected):
    assert _most_similar(np.array(similarity, dtype=np.float32), 3).tolist() == expected


def test_records_share_the_reply_above_and_unanswered_rows_are_counted():
    records = pd.DataFrame({"consultation_id": ["r2"] * 3, "row_no": [1, 2, 3],
                            "opinion": ["意見一です", "意見二です", "意見三です"], "response": [GUIDE, "", ""],
                            "response_shared_with": [pd.NA, 1, pd.NA]})
    answered = answered_frame(records, source="records")
    assert answered["response"].tolist() == [GUIDE, GUIDE]
    assert answered["source"].tolist() == ["r2:1", "r2:2"]
    assert answered.attrs["unanswered"] == 1


def test_a_table_without_replies_is_refused():
    with pytest.raises(InputError, match="no reply column"):
        answered_frame(pd.DataFrame({"opinion": ["窓口を残して"]}), source="new.csv")


def test_not_fitted_is_refused():
    with pytest.raises(ValueError, match="not fitted"):
        ReplySuggester().suggest(["窓口"])


def test_model_suggest_matches_score_with_suggestions(model):
    from pipeline.suggest import build_suggester

    texts = ["スマホを持っていない高齢者のために窓口を残して", "", "暗証番号の再設定を簡単にしてほしい"]
    suggested = model.suggest(texts, ANSWERED)
    assert list(suggested.columns) == ["text", *SUGGEST_COLUMNS]
    scored = model.score(texts, suggest_from=build_suggester(model, ANSWERED))
    pd.testing.assert_frame_equal(suggested, scored[["text", *SUGGEST_COLUMNS]])
    assert suggested.at[0, "suggested_reply"] == WINDOW and suggested.at[1, "suggested_reply"] == ""
    assert suggested.at[2, "suggested_reply"] == GUIDE


def _answered_csv(path):
    ANSWERED.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_cli_score_suggest_from_and_review_round_trip(tmp_path, model_dir, capsys):
    new = tmp_path / "new.csv"
    pd.DataFrame({"opinion": ["窓口を残してほしい", "暗証番号の手続を簡単に", ""]}).to_csv(new, index=False)
    out, sheet = tmp_path / "new.scored.csv", tmp_path / "review.xlsx"
    answered = _answered_csv(tmp_path / "round1.csv")
    assert main(["score", str(new), "--model", str(model_dir), "--suggest-from", str(answered), "--out", str(out)]) == 0
    scored = pd.read_csv(out, keep_default_na=False)
    assert scored.columns[-5:].tolist() == SUGGEST_COLUMNS
    assert scored["suggested_reply"].tolist() == [WINDOW, GUIDE, ""]
    assert scored.at[0, "suggested_reply_source"].startswith("round1:")
    assert main(["review-sheet", str(out), "--out", str(sheet)]) == 0
    review = pd.read_excel(sheet, sheet_name=SHEET, dtype=str, keep_default_na=False)
    drafted = review.set_index("意見")
    assert drafted.at["窓口を残してほしい", "回答"] == WINDOW  # the draft staff accept or edit
    assert drafted.at["窓口を残してほしい", "対応区分"] == "案のとおり"  # kept, as staff read it
    _mark_reviewed(sheet, ["窓口を残してほしい", "暗証番号の手続を簡単に"])
    again = tmp_path / "again.csv"
    assert main(["score", str(new), "--model", str(model_dir), "--suggest-from", str(sheet), "--out", str(again)]) == 0
    assert "from 2 answered opinions" in capsys.readouterr().err
    assert pd.read_csv(again, keep_default_na=False)["suggested_reply_source"].str.startswith("new:").sum() == 2  # the round the sheet reviewed


def _mark_reviewed(sheet, opinions):
    """Mark 済 in 確認済み on the rows of `sheet` holding `opinions`, as staff do in Excel."""
    import openpyxl

    book = openpyxl.load_workbook(sheet)
    rows = book[SHEET]
    heading = [c.value for c in rows[1]]
    for row in rows.iter_rows(min_row=2):
        if row[heading.index("意見")].value in opinions:
            row[heading.index("確認済み")].value = "済"
    book.save(sheet)


def test_suggest_from_a_review_sheet_reads_only_its_checked_rows(tmp_path, model_dir, capsys):
    """A review sheet's 回答 holds the drafts of the last suggestion until staff check them: suggesting from the
    unchecked rows fed the suggester its own guesses back as answers."""
    new, out, sheet = tmp_path / "new.csv", tmp_path / "new.scored.csv", tmp_path / "review.xlsx"
    pd.DataFrame({"opinion": ["窓口を残してほしい", "暗証番号の手続を簡単に"]}).to_csv(new, index=False)
    answered = _answered_csv(tmp_path / "round1.csv")
    assert main(["score", str(new), "--model", str(model_dir), "--suggest-from", str(answered), "--out", str(out)]) == 0
    assert main(["review-sheet", str(out), "--out", str(sheet)]) == 0
    again = tmp_path / "again.csv"
    capsys.readouterr()
    assert main(["--lang", "en", "score", str(new), "--model", str(model_dir), "--suggest-from", str(sheet), "--out",
                 str(again)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no row is marked 確認済み" in err
    _mark_reviewed(sheet, ["窓口を残してほしい"])
    assert main(["--lang", "en", "score", str(new), "--model", str(model_dir), "--suggest-from", str(sheet), "--out",
                 str(again)]) == 0
    assert "from 1 answered opinions" in capsys.readouterr().err


def test_cli_answered_file_without_replies_is_one_line(tmp_path, model_dir, capsys):
    new = tmp_path / "new.csv"
    pd.DataFrame({"opinion": ["窓口を残してほしい"]}).to_csv(new, index=False)
    assert main(["score", str(new), "--model", str(model_dir), "--suggest-from", str(new), "--out",
                 str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no reply column" in err


def test_report_review_queue_carries_the_suggestion():
    from pipeline.report import make_report

    scored = pd.DataFrame({"opinion": ["窓口を残して", "ベンチ"], "pred_theme": ["digital_divide", "other"],
                           "pred_theme_score": [0.9, 0.2], "needs_review": [False, True],
                           "suggested_reply": [WINDOW, LATER]})
    report = make_report({"r": scored})
    assert report.reviews["r"]["suggestion"].tolist() == [LATER]
    assert report.headlines[0]["suggested_rows"] == 2


def test_the_same_suggestions_at_any_jobs(tmp_path, model):
    from pipeline.stream import score_file
    from pipeline.suggest import build_suggester

    new = tmp_path / "new.csv"
    pd.DataFrame({"opinion": ["窓口を残してほしい", "暗証番号の手続を簡単に", "ベンチを増やして"] * 4}).to_csv(new, index=False)
    suggester = build_suggester(model, ANSWERED)
    outs = [tmp_path / f"jobs{jobs}.csv" for jobs in (1, 2)]
    for jobs, out in zip((1, 2), outs):
        score_file(model, new, out, jobs=jobs, chunk_rows=5, suggest_from=suggester)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert "suggested_replies" in outs[0].read_text(encoding="utf-8-sig").splitlines()[0]


@given(st.text(max_size=40))
def test_reply_key_is_idempotent(text):
    assert reply_key(reply_key(text)) == reply_key(text)


@pytest.mark.parametrize("settings", [{"neighbours": 0}, {"top": 0}])
def test_settings_below_one_are_refused(settings):
    with pytest.raises(ValueError, match="must be 1 or more"):
        ReplySuggester(**settings).fit(answered_frame(ANSWERED, source="t"))


def test_a_published_document_is_answered_data(otaru_path):
    from pipeline.suggest import read_answered

    answered = read_answered([otaru_path])
    assert len(answered) + answered.attrs["unanswered"] == 40
    assert answered["source"].iloc[0].endswith(":1") and (answered["response"] != "").all()


@pytest.mark.parametrize("paths, message", [(["-"], "not stdin"), ([], "no answered file")])
def test_read_answered_refuses(paths, message):
    from pipeline.suggest import read_answered

    with pytest.raises(InputError, match=message):
        read_answered(paths)


def test_benchmark_rows_and_a_clean_skip_without_the_real_data(tmp_path, monkeypatch):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "suggest.py"
    spec = importlib.util.spec_from_file_location("suggest_benchmark", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "REALDEV", tmp_path / "absent")
    rows = bench.sections(n=40)
    assert [row["metric"] for row in rows] == ["seconds to suggest (index + suggest)"]
    assert list(rows[0]) == ["test", "metric", "model", "baseline", "note"]


def test_a_review_sheet_drafts_no_reply_over_a_shared_one():
    """An ingested row whose reply cell is empty because it shares the row above's reply (response_shared_with) has
    a reply: the review sheet drafted the suggestion (#18) over it, with the suggestion's response type."""
    from pipeline.review import review_frame
    from pipeline.taxonomy import load_taxonomy

    scored = pd.DataFrame({"row_no": ["1", "2"], "opinion": ["窓口を残してほしい", "窓口を減らさないで"],
                           "response": [WINDOW, ""], "response_shared_with": ["", "1"],
                           "pred_theme": ["online_procedures"] * 2, "pred_response_type": ["kept"] * 2,
                           "suggested_reply": [GUIDE, GUIDE], "suggested_reply_type": ["future", "future"]})
    sheet = review_frame(scored, load_taxonomy()).set_index("row_no")
    assert sheet.loc[["1", "2"], "response"].tolist() == [WINDOW, WINDOW]
    assert sheet.loc[["1", "2"], "response_type"].tolist() == ["案のとおり", "案のとおり"]
