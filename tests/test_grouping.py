"""Grouping opinions that say the same thing (`pipeline.grouping`, `pubcom group`)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from datasketch import MinHash

from pipeline.cli import main
from pipeline.group_table import group_file, group_frame
from pipeline.grouping import Grouper, grouping_key, shingle_hashes, signatures

BASE = "駅前の駐輪場が足りません。朝は通勤する人で満車になり、歩道に自転車があふれています。市で増設してください。"
OTHER = "図書館の開館時間を夜九時まで延ばしてほしい。仕事帰りに本を借りられる日がありません。"


@pytest.mark.parametrize("text", [BASE, OTHER, "abcdefghijklmn"])
@pytest.mark.parametrize("num_perm", [16, 128])
def test_signatures_are_datasketch_minhash(text, num_perm):
    sketch = MinHash(num_perm=num_perm, seed=1, hashfunc=int)
    sketch.update_batch([int(h) for h in shingle_hashes(text)])
    assert np.array_equal(signatures([text], num_perm=num_perm)[0], sketch.hashvalues)


def test_signatures_of_a_chunk_equal_one_by_one():
    texts = [BASE, OTHER, BASE[:20], "あいうえおかきくけこさし"]
    together = signatures(texts)
    assert all(np.array_equal(together[i], signatures([t])[0]) for i, t in enumerate(texts))


@pytest.mark.parametrize("text, key", [
    ("「駐輪場」を、増やして。", "駐輪場を増やして"),
    ("ＡＢＣ　１２３！", "abc123"),
    ("一行目\n二行目", "一行目二行目"),
])
def test_grouping_key_leaves_out_punctuation_width_and_spaces(text, key):
    assert grouping_key(text) == key


@pytest.mark.parametrize("copy", [
    BASE,  # verbatim
    BASE.replace("、", "，").replace("。", "．"),  # punctuation variants
    BASE.replace("駐輪場", "駐輪場 ").translate({ord("朝"): "朝"}) + "\n",  # spacing
    "いつもお世話になっております。" + BASE,  # a greeting
    BASE + "（北区　山田花子）",  # a signature
    BASE.replace("歩道に自転車があふれています。", "歩道に自転車があふれて危ないです。"),  # a small edit
])
def test_copies_join_the_original(copy):
    grouped = group_frame(pd.DataFrame({"opinion": [BASE, OTHER, copy]}))
    assert grouped["group_id"].tolist() == [1, 2, 1]


def test_different_opinions_and_short_texts_stay_apart():
    texts = ["賛成です", "反対です", "賛成です。", BASE, OTHER, "", "図書館の蔵書について充実を求めます。",
             "図書館の司書について充実を求めます。"]
    grouped = group_frame(pd.DataFrame({"opinion": texts}))
    assert grouped["group_id"].tolist() == [1, 2, 1, 3, 4, 5, 6, 7]
    assert grouped["group_size"].tolist() == [2, 1, 2, 1, 1, 1, 1, 1]


def test_every_row_and_column_kept_in_order_with_the_longest_text_representing():
    longest = "市長様。" + BASE + "どうかよろしくお願いします。"
    frame = pd.DataFrame({"no": [10, 11, 12, 13], "opinion": [BASE, OTHER, longest, BASE]})
    grouped = group_frame(frame)
    assert grouped.columns.tolist() == ["no", "opinion", "group_id", "group_size", "group_representative"]
    assert grouped["no"].tolist() == [10, 11, 12, 13]
    assert grouped["group_representative"].tolist() == [False, True, True, False]
    assert grouped["group_size"].tolist() == [3, 1, 3, 3]


def test_a_copy_edited_two_ways_joins_two_groups():
    start = "公園のトイレが古く、夜は暗くて使えません。照明をつけ、洋式に改修してください。子どもも高齢者も困っています。"
    left = start + "毎朝散歩で使う者として、強くお願いします。ベンチも増やしてください。"
    right = "いつも公園を利用している者です。市の担当課の皆様、" + start
    apart = Grouper()
    apart.add([left, right])  # each is near `start`, not near enough to each other
    assert apart.labels().tolist() == [1, 2]
    joined = Grouper()
    joined.add([left, right, start])
    assert joined.labels().tolist() == [1, 1, 1]
    assert joined.summary()["groups"] == 1 and joined.columns(0, 3)["group_size"].tolist() == [3, 3, 3]


def test_chunks_give_the_same_groups_as_one_frame(tmp_path):
    texts = [BASE, OTHER, "ご担当者様 " + BASE, "賛成です", "", OTHER + "以上です。", BASE]
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": range(len(texts)), "opinion": texts}).to_csv(source, index=False)
    summary = group_file(source, tmp_path / "out.csv", chunk_rows=2)
    chunked = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    whole = group_frame(pd.DataFrame({"id": range(len(texts)), "opinion": texts}))
    assert chunked["group_id"].tolist() == whole["group_id"].tolist()
    assert summary == {"rows": 7, "groups": 4, "shared_groups": 2, "shared_rows": 5, "largest": 3, "threshold": 0.6}


def test_grouping_a_file_onto_itself_replaces_its_group_columns(tmp_path):
    source = tmp_path / "in.csv"
    pd.DataFrame({"opinion": [BASE, BASE, OTHER], "group_id": [9, 9, 9]}).to_csv(source, index=False)
    group_file(source, source)
    again = pd.read_csv(source)
    assert again.columns.tolist() == ["opinion", "group_id", "group_size", "group_representative"]
    assert again["group_id"].tolist() == [1, 1, 2]


def test_group_command_summary_in_japanese(tmp_path, capsys):
    source = tmp_path / "in.csv"
    pd.DataFrame({"意見": [BASE, BASE, OTHER]}).to_csv(source, index=False)
    assert main(["--lang", "ja", "group", str(source), "--out", str(tmp_path / "out.xlsx")]) == 0
    err = capsys.readouterr().err
    assert "3行を2件の意見にまとめました" in err and "しきい値 0.6" in err
    assert pd.read_excel(tmp_path / "out.xlsx")["group_size"].tolist() == [2, 2, 1]


@pytest.mark.parametrize("lang, expected", [
    ("en", "3 rows in 2 opinions (1 groups of 2 or more: 2 rows; the largest 2 alike; similarity threshold 0.6) -> "),
    ("ja", "3行を2件の意見にまとめました（2行以上のグループ 1件・2行、最大 同趣旨 2件、類似度のしきい値 0.6） -> "),
])
def test_group_summary_in_the_readers_language(tmp_path, capsys, lang, expected):
    """The summary was written in Japanese in the code (#17, before the catalogue): `--lang en` printed it so."""
    source = tmp_path / "in.csv"
    pd.DataFrame({"意見": [BASE, BASE, OTHER]}).to_csv(source, index=False)
    assert main(["--lang", lang, "group", str(source), "--out", str(tmp_path / "out.csv")]) == 0
    assert capsys.readouterr().err.strip() == expected + str(tmp_path / "out.csv")


@pytest.mark.parametrize("argv, message", [
    (["--threshold", "0"], "--threshold must be above 0 and at most 1"),
    (["--threshold", "1.5"], "--threshold must be above 0 and at most 1"),
    (["--text-column", "nope"], "column 'nope' not found"),
    (["--out", "x.txt"], "unknown output format '.txt'"),
])
def test_group_mistakes_are_one_line(tmp_path, capsys, argv, message):
    source = tmp_path / "in.csv"
    pd.DataFrame({"opinion": [BASE]}).to_csv(source, index=False)
    assert main(["group", str(source), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_threshold_checked_by_the_library():
    with pytest.raises(ValueError, match="threshold must be above 0"):
        Grouper(threshold=0)


def test_signature_batches_give_the_same_groups(monkeypatch):
    import pipeline.grouping as grouping

    texts = [BASE, OTHER, "市長様。" + BASE, OTHER + "よろしくお願いします。", BASE * 3]
    whole = group_frame(pd.DataFrame({"opinion": texts}))["group_id"].tolist()
    monkeypatch.setattr(grouping, "BATCH_CHARS", 40)
    assert group_frame(pd.DataFrame({"opinion": texts}))["group_id"].tolist() == whole == [1, 2, 1, 2, 1]


def test_json_lines_are_read_as_records(tmp_path):
    source = tmp_path / "scored.jsonl"
    pd.DataFrame({"opinion": [BASE, "市長様。" + BASE], "needs_review": [True, False]}).to_json(
        source, orient="records", lines=True, force_ascii=False)
    group_file(source, source)
    again = pd.read_json(source, lines=True)
    assert again["group_id"].tolist() == [1, 1] and again["needs_review"].tolist() == [True, False]


@pytest.mark.parametrize("content, message", [(None, "no such file"), ('{"a":', "not readable JSON lines")])
def test_unreadable_json_lines_are_one_error(tmp_path, content, message):
    from pipeline.errors import InputError

    source = tmp_path / "scored.jsonl"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        group_file(source, tmp_path / "out.csv")


@pytest.mark.parametrize("flags", [["true", "false", ""], ["1", "0", "0"], ["True", "", "False"]])
def test_a_scored_file_with_flags_written_any_way_groups_and_keeps_them(tmp_path, flags):
    source, out = tmp_path / "x.csv", tmp_path / "y.csv"
    texts = ["窓口を残してほしい", "窓口を残してほしい", "紙の申請書も使えるようにしてほしい"]
    pd.DataFrame({"opinion": texts, "needs_review": flags}).to_csv(source, index=False)
    assert main(["group", str(source), "--out", str(out)]) == 0
    grouped = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert grouped["needs_review"].tolist() == flags and grouped["group_size"].tolist() == ["2", "2", "1"]
