"""Scoring: the output contract, every row in order, empty and unusable rows flagged, files in and out."""
from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.score import PRED_COLUMNS, read_input

COMMENTS = ["マイナンバーカードの手続をオンラインでできるようにしてほしい", "", "高齢の母は携帯電話を持っていません",
            "hello world", "庁内の会議資料を紙で配るのをやめてはどうか"]


def test_contract_columns_and_order(model):
    scored = model.score(pd.DataFrame({"No": [10, 11, 12, 13, 14], "ご意見": COMMENTS}))
    assert list(scored.columns) == ["No", "ご意見", *PRED_COLUMNS]
    assert scored["No"].tolist() == [10, 11, 12, 13, 14]
    assert scored.at[0, "pred_theme"] in ("mynumber_auth", "online_procedures")
    assert scored.at[2, "pred_theme"] == "digital_divide"
    assert scored.at[0, "pred_response_basis"] == "opinion"


@pytest.mark.parametrize("index, code, reason", [(1, "empty_text", "本文が空"), (3, "not_japanese", "日本語の本文ではない")])
def test_unusable_rows_kept_and_flagged(model, index, code, reason):
    scored = model.score(COMMENTS)
    assert len(scored) == len(COMMENTS)
    assert scored.at[index, "needs_review"]
    assert scored.at[index, "review_code"].split(";")[0] == code and reason in scored.at[index, "review_reason"]


def test_labels_and_reasons_in_japanese_beside_the_ids(model):
    from pipeline.score import REVIEW_CODES

    scored = model.score(COMMENTS)
    labels = model.taxonomy.theme_labels()
    assert [labels[t] for t in scored["pred_theme"] if t] == [v for v in scored["pred_theme_label"] if v]
    types = model.taxonomy.response_labels()
    assert all(types[t] == v for t, v in zip(scored["pred_response_type"], scored["pred_response_type_label"]) if t)
    for codes, reason in zip(scored["review_code"], scored["review_reason"]):
        assert [REVIEW_CODES[c] for c in codes.split(";") if c] == [r.split("（")[0] for r in reason.split("、") if r]


def test_reply_basis_when_a_reply_exists(model):
    frame = pd.DataFrame({"opinion": ["用語の説明を加えてほしい", "窓口を残してほしい"],
                          "response": ["御意見を踏まえ、用語解説を追加いたします。", ""]})
    scored = model.score(frame, response_column="response")
    assert scored["pred_response_basis"].tolist() == ["reply", "opinion"]
    assert scored.at[0, "pred_response_type"] == "adopted"


def test_evidence_and_scores(model):
    scored = model.score(["一人暮らしの高齢者はスマホの使い方がわからず困っている"])
    assert scored.at[0, "evidence"]
    top, second = scored.at[0, "pred_theme_score"], scored.at[0, "pred_theme_2_score"]
    assert 0 < top <= 1
    # a one-theme opinion names no second theme; a named one is less likely than the first
    assert (second != second and scored.at[0, "pred_theme_2"] == "") or 0.05 <= second <= top


@pytest.mark.parametrize("scores, named", [
    ([0.30, 0.05, 0.049], ["b", "c", ""]),  # from SECOND_THEME_MIN up the runner-up is named, below it is not
    ([0.0], [""]),
])
def test_a_second_theme_is_named_only_when_likely(scores, named):
    from pipeline import config
    from pipeline.score import _second_if_likely

    assert config.SECOND_THEME_MIN == 0.05
    themes, kept = _second_if_likely(["b", "c", "d"][:len(scores)], scores)
    assert themes == named
    assert [k == k for k in kept] == [bool(n) for n in named]  # NaN where no second theme is named


def test_cp932_csv_and_xlsx_with_japanese_heading(tmp_path, model_dir):
    frame = pd.DataFrame({"番号": [1, 2, 3], "ご意見": ["電子申請を増やして", "", "ペーパーレス会議を進めて"]})
    csv_path = tmp_path / "sjis.csv"
    csv_path.write_bytes(frame.to_csv(index=False).encode("cp932"))
    xlsx_path = tmp_path / "book.xlsx"
    frame.to_excel(xlsx_path, index=False)
    for source, out in ((csv_path, tmp_path / "a.csv"), (xlsx_path, tmp_path / "b.xlsx")):
        assert main(["score", str(source), "--model", str(model_dir), "--out", str(out)]) == 0
        scored = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False) if out.suffix == ".csv" else pd.read_excel(out)
        assert scored["番号"].tolist() == [1, 2, 3]
        assert bool(scored["needs_review"].iloc[1]) and scored["review_code"].iloc[1] == "empty_text"


def test_jsonl_output(tmp_path, model_dir):
    source = tmp_path / "lines.txt"
    source.write_text("オープンデータを増やして\nAIの活用\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_missing_text_column_lists_the_columns(tmp_path, model_dir, capsys):
    source = tmp_path / "cols.csv"
    source.write_text("No,件名,備考\n1,a,b\n", encoding="utf-8")
    assert main(["score", str(source), "--model", str(model_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "No, 件名, 備考" in err and "--text-column" in err


def test_stdin_to_stdout(model_dir):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-m", "pipeline", "score", "-", "--model", str(model_dir), "--out", "-"],
                            input="マイナンバーカードの手続をオンラインで\n", capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("text,pred_theme,") and len(lines) == 2


def test_read_input_stdin_lines():
    import io

    assert read_input("-", stdin=io.StringIO("a\nb\n"))["text"].tolist() == ["a", "b"]


@pytest.mark.parametrize("piped, headings", [
    ("番号,ご意見,市の考え方\n1,バスを増やしてほしい,検討します\n", "番号, ご意見, 市の考え方"),
    ("No\t意見の概要\n1\t歩道が狭い\n", "No, 意見の概要"),
    ("id,text\n1,歩道が狭い\n", "id, text"),
])
def test_a_table_piped_to_stdin_is_refused_not_scored_line_by_line(piped, headings):
    """stdin is one comment per line: a piped CSV had its heading line scored as an opinion (a 0.94-confident
    theme for 「番号,ご意見,市の考え方」) and each row's number and reply scored with its text."""
    import io

    from pipeline.errors import InputError

    with pytest.raises(InputError, match=rf"stdin: the first line is a table's headings \({headings}\); .*score the file"):
        read_input("-", stdin=io.StringIO(piped))


@pytest.mark.parametrize("comments", [
    "意見を聞いてほしい,回答もほしい\n",  # a comment with a comma that names heading words is still a comment
    "バス,電車,自転車の便を良くして\n", "意見\n回答\n"])
def test_comments_with_commas_or_heading_words_stay_comments(comments):
    import io

    assert read_input("-", stdin=io.StringIO(comments))["text"].tolist() == comments.splitlines()


def test_shared_reply_of_ingested_records_is_used(model):
    from pipeline import config
    from pipeline.ingest import read_document

    records = read_document(config.DEFAULT_DOCUMENT).records
    scored = model.score(records, response_column="response").set_index("row_no")
    assert scored.at[9, "pred_response_basis"] == "reply"
    assert scored.at[9, "pred_response_type"] == scored.at[8, "pred_response_type"]
    assert scored.at[9, "response"] == ""  # the input column itself is kept as published


@pytest.mark.parametrize("headings, expected", [
    (["意見番号", "ご意見の内容", "ご意見に対する市の考え方（案）"], ("ご意見の内容", "ご意見に対する市の考え方（案）", "意見番号")),
    (["No", "意見", "市の考え方"], ("意見", "市の考え方", "No")),  # exact names still come first
    (["整理番号", "対応区分", "提出者"], (None, None, "整理番号")),  # 対応区分 is a category, not a reply
])
def test_columns_are_found_by_their_head_word_as_the_document_readers_find_them(headings, expected):
    from pipeline.ingest.tables import ID_COLUMNS, RESPONSE_COLUMNS, TEXT_COLUMNS, find_column

    frame = pd.DataFrame(columns=headings)
    found = tuple(find_column(frame, None, c, what="x", source="s", option="o", required=False)
                  for c in (TEXT_COLUMNS, RESPONSE_COLUMNS, ID_COLUMNS))
    assert found == expected


@pytest.mark.parametrize("given, message", [
    ("ご意", r"column 'ご意' not found in t.csv \(columns: 番号, ご意見, 市の考え方\); did you mean 'ご意見'\?$"),
    ("市の考えかた", r"\(columns: 番号, ご意見, 市の考え方\); did you mean '市の考え方'\?$"),
    ("xyz", r"column 'xyz' not found in t.csv \(columns: 番号, ご意見, 市の考え方\)$"),  # nothing close: no guess
])
def test_a_mistyped_column_name_suggests_the_close_one(given, message):
    from pipeline.errors import InputError
    from pipeline.ingest.tables import TEXT_COLUMNS, find_column

    frame = pd.DataFrame(columns=["番号", "ご意見", "市の考え方"])
    with pytest.raises(InputError, match=message):
        find_column(frame, given, TEXT_COLUMNS, what="opinion text", source="t.csv", option="--text-column")
