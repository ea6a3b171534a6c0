"""The scoring fast path, streaming and --jobs give exactly what the plain path gives; the CLI starts light."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.evidence_words import visible_word
from pipeline.features import KeywordMatcher, token_vectorizer
from pipeline.normalize import normalize
from pipeline.score import read_input, score_frame, write_output
from pipeline.stream import iter_input, score_file
from pipeline.tokenizer import JapaneseTokenizer
from pipeline.tokens import tfidf

ROOT = Path(__file__).resolve().parent.parent
OPINIONS = [
    "マイナンバーカードの手続をオンラインでできるようにしてほしい。",
    "スマホを持っていない高齢者はどうすればいいのですか。置いていかれるのが心配です。",
    "",
    "hello world",
    "紙の申請書を減らして、窓口の待ち時間を短くしてください。",
    "あい",
    "公開型GISで道路や避難所の情報を見られるようにしてほしい。オープンデータも増やしてほしい。",
    "AIやRPAで職員の事務作業を減らし、相談の時間を増やすべきだ。",
    "個人情報の漏えいが不安です。セキュリティ対策を徹底してください。",
    "テレワークやペーパーレスで職員の働き方を変えてほしい。",
    "2025年度までに100件の手続をオンライン化する目標は良い。",
]


def _rows(n: int) -> pd.DataFrame:
    texts = [OPINIONS[i % len(OPINIONS)] + ("" if i < len(OPINIONS) else f"第{i}号の意見です。") for i in range(n)]
    return pd.DataFrame({"No": [str(i + 1) for i in range(n)], "ご意見": texts})


# ---------------------------------------------------------------- fast path = the sklearn / plain computation
@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2)])
def test_tfidf_from_tokens_equals_vectorizer_transform(ngram_range):
    tokenizer = JapaneseTokenizer(normalized=True)
    texts = [normalize(t) for t in OPINIONS]
    vectorizer = token_vectorizer(tokenizer, ngram_range=ngram_range).fit(texts[:6])
    ours = tfidf([tokenizer(t) for t in texts], vectorizer.vocabulary_, vectorizer.idf_,
                 ngram_range=ngram_range, sublinear_tf=vectorizer.sublinear_tf, norm=vectorizer.norm)
    theirs = vectorizer.transform(texts)
    assert np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)  # bit for bit: the probabilities must not move


@pytest.mark.parametrize("text, expected", [
    ("マイナンバーカードを使う", {0: 2, 1: 1}),   # both マイナンバー and マイナンバーカード, counted once each
    ("カードとマイナンバー", {0: 1, 1: 1}),        # one keyword in two labels
    ("窓口で窓口", {1: 1}),                      # a keyword found twice counts once
    ("市", {2: 1}),                             # one-character keyword
    ("関係のない文", {}),
    ("", {}),
])
def test_keyword_hits_equal_plain_substring_search(text, expected):
    groups = [("a", ["マイナンバー", "マイナンバーカード"]), ("b", ["窓口", "マイナンバー"]), ("c", ["市"])]
    matcher = KeywordMatcher(groups=groups).fit()
    plain = {j: n for j, words in enumerate(matcher.keywords_) if (n := sum(w in text for w in words))}
    counts = matcher.transform([text, text]).toarray()  # two rows: matches must not run across texts
    found = {j: int(round(np.expm1(v))) for j, v in enumerate(counts[0]) if v}
    assert found == plain == expected and np.array_equal(counts[0], counts[1])
    index = matcher.index()
    found = index.matches_many([text])
    assert all(found.get((0, j), []) == sorted((w for w in words if w in text), key=len, reverse=True)
               for j, words in enumerate(matcher.keywords_))


def _plain_matches(matcher, text: str, label) -> list[str]:
    words = matcher.keywords_[list(matcher.labels_).index(label)]
    return sorted((w for w in words if w in text), key=len, reverse=True)


def _plain_evidence(estimator, text: str, label, k: int = 5) -> list[str]:
    """The evidence computation one row at a time, as it was before the batched version, with each word as the
    text writes it (`visible_word`)."""
    normal = normalize(text)
    row = estimator.features([normal]).tocsr()
    index = list(estimator.classes_).index(label)
    coef = estimator.classifier_.coef_
    coef = coef[index] if len(estimator.classes_) > 2 else coef[0] * (1 if index else -1)
    names = estimator.feature_names_()
    scored = sorted(((row.data[i] * coef[j], names[j]) for i, j in enumerate(row.indices)), reverse=True)
    words: list[str] = []
    for weight, name in scored:
        if weight <= 0 or len(words) >= k:
            break
        visible = [visible_word(name, normal)] if not name.startswith("kw:") else []
        for word in (_plain_matches(estimator.matcher_, normal, name[3:]) if name.startswith("kw:") else visible):
            if word and word != "<num>" and not any(word in chosen for chosen in words):
                words.append(word)
    return words[:k]


def test_batched_evidence_equals_row_by_row(model):
    estimator = model.theme
    texts = [normalize(t) for t in OPINIONS if t]
    labels = [estimator.classes_[i % len(estimator.classes_)] for i in range(len(texts))]
    batched = estimator.evidence_many(estimator.features(texts), texts, labels, k=4)
    assert batched == [_plain_evidence(estimator, t, lab, k=4) for t, lab in zip(texts, labels)]
    assert any(batched)


def test_tokenizer_word_memory_changes_nothing_and_is_not_pickled():
    import pickle

    warm = JapaneseTokenizer()
    first = [warm(t) for t in OPINIONS]
    assert [warm(t) for t in OPINIONS] == first == JapaneseTokenizer().many(OPINIONS)
    cold = pickle.loads(pickle.dumps(warm))
    assert warm._word_surface and cold._word_surface == [] and cold._table.names == []


# ---------------------------------------------------------------- streaming = whole-file path
def _whole(model, path, out, **options) -> bytes:
    frame = read_input(path)
    response = "response" if "response" in frame.columns else None
    write_output(score_frame(model, frame, response_column=response, **options), out)
    return Path(out).read_bytes()


@pytest.mark.parametrize("suffix, encoding", [(".csv", "utf-8-sig"), (".csv", "cp932"), (".tsv", "utf-8"),
                                              (".txt", "utf-8")])
@pytest.mark.parametrize("out_suffix", [".csv", ".jsonl"])
def test_streamed_output_equals_score_frame(model, tmp_path, suffix, encoding, out_suffix):
    frame = _rows(23)
    frame.loc[3, "ご意見"] = "複数行の\n意見です。"
    path = tmp_path / f"in{suffix}"
    if suffix == ".txt":
        path.write_text("\r\n".join(t.replace("\n", " ") for t in frame["ご意見"]) + "\n\n", encoding=encoding)
    else:
        frame.to_csv(path, sep="\t" if suffix == ".tsv" else ",", index=False, encoding=encoding)
    counts = score_file(model, path, tmp_path / f"streamed{out_suffix}", chunk_rows=5)
    expected = _whole(model, path, tmp_path / f"whole{out_suffix}")
    assert (tmp_path / f"streamed{out_suffix}").read_bytes() == expected
    assert counts["rows"] == len(read_input(path))


def test_streamed_replies_and_header_only_csv(model, tmp_path):
    path = tmp_path / "replies.csv"
    frame = _rows(12).assign(response=["御意見を踏まえ、手続のオンライン化を進めます。", ""] * 6)
    frame.to_csv(path, index=False)
    score_file(model, path, tmp_path / "s.csv", chunk_rows=4)
    assert (tmp_path / "s.csv").read_bytes() == _whole(model, path, tmp_path / "w.csv")
    assert "reply" in pd.read_csv(tmp_path / "s.csv")["pred_response_basis"].tolist()
    empty = tmp_path / "empty.csv"
    empty.write_text("No,ご意見\n", encoding="utf-8")
    for suffix in (".csv", ".jsonl"):
        assert score_file(model, empty, tmp_path / f"e{suffix}")["rows"] == 0
        assert (tmp_path / f"e{suffix}").read_bytes() == _whole(model, empty, tmp_path / f"we{suffix}")


def test_stdin_streams_in_chunks_to_stdout(model):
    lines = "".join(t.replace("\n", " ") + "\n" for t in _rows(9)["ご意見"])
    out = io.StringIO()
    score_file(model, "-", "-", chunk_rows=2, stdin=io.StringIO(lines), stdout=out)
    whole = io.StringIO()
    write_output(score_frame(model, read_input("-", stdin=io.StringIO(lines))), "-", stdout=whole)
    assert out.getvalue() == whole.getvalue()
    assert len(list(iter_input("-", chunk_rows=2, stdin=io.StringIO(lines)))) == 5


@pytest.mark.parametrize("content, message", [(b"", "the file is empty"), (b" \n\n", "the file is empty"),
                                              (bytes(range(256)) * 8, "binary file")])
@pytest.mark.parametrize("jobs", [1, 2])
def test_streamed_input_errors(model, tmp_path, content, message, jobs):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        score_file(model, path, tmp_path / "out.csv", jobs=jobs)
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_missing_id_column_is_reported_before_output(model, tmp_path, jobs):
    path = tmp_path / "in.csv"
    _rows(3).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"column 'id' not found in input \(columns: No, ご意見\)"):
        score_file(model, path, tmp_path / "out.csv", id_column="id", jobs=jobs)
    assert not (tmp_path / "out.csv").exists()


def test_bad_output_and_jobs_are_refused_before_work(model, tmp_path):
    path = tmp_path / "in.csv"
    _rows(3).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"unknown output format '\.parquet'"):
        score_file(model, path, tmp_path / "out.parquet")
    with pytest.raises(InputError, match="--jobs must be 1 or more, got 0"):
        score_file(model, path, tmp_path / "out.csv", jobs=0)
    assert not (tmp_path / "out.csv").exists()


# ---------------------------------------------------------------- --jobs and the command line
def _cli(*args, stdin: str | None = None, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PUBCOM_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=300)


def test_jobs_2_output_equals_jobs_1_and_score_frame(model, model_dir, tmp_path):
    path = tmp_path / "in.csv"
    _rows(40).to_csv(path, index=False, encoding="utf-8-sig")
    for jobs in (1, 2):
        done = _cli("score", str(path), "--model", str(model_dir), "--out", str(tmp_path / f"j{jobs}.csv"),
                    "--jobs", str(jobs), home=tmp_path)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "j2.csv").read_bytes() == (tmp_path / "j1.csv").read_bytes()
    assert (tmp_path / "j1.csv").read_bytes() == _whole(model, path, tmp_path / "whole.csv")


def test_parallel_pieces_in_process_keep_order(model, tmp_path):
    path = tmp_path / "in.csv"
    _rows(30).to_csv(path, index=False)
    score_file(model, path, tmp_path / "p.jsonl", jobs=2, chunk_rows=7)
    rows = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["No"] for r in rows] == [str(i) for i in range(1, 31)]
    assert (tmp_path / "p.jsonl").read_bytes() == _whole(model, path, tmp_path / "w.jsonl")


@pytest.mark.parametrize("start_methods, jobs", [(["fork", "spawn"], 3), (["spawn"], 2)])
def test_forked_and_loky_workers_give_the_same_output(model_dir, model, tmp_path, monkeypatch, start_methods, jobs):
    """Linux forks the workers after the model is loaded; elsewhere they are loky processes that load it."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: start_methods)
    path = tmp_path / "in.csv"
    _rows(45).to_csv(path, index=False)
    monkeypatch.setattr("pipeline.stream.CHUNK_ROWS", 16)  # pieces of 16 // (4 * jobs) rows: many pieces
    score_file(str(model_dir), path, tmp_path / "p.csv", jobs=jobs, chunk_rows=10)
    assert (tmp_path / "p.csv").read_bytes() == _whole(model, path, tmp_path / "w.csv")


def test_one_comment_from_stdin_on_the_command_line(model_dir, tmp_path):
    done = _cli("score", "-", "--model", str(model_dir), "--out", "-", stdin=OPINIONS[0], home=tmp_path)
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(io.StringIO(done.stdout))
    assert len(scored) == 1 and scored.loc[0, "pred_theme"] == "mynumber_auth"


def test_importing_the_cli_loads_no_heavy_library():
    heavy = ["matplotlib", "openpyxl", "pdfplumber", "docx", "sklearn", "pandas", "numpy", "scipy", "fugashi", "joblib"]
    code = f"import sys, pipeline, pipeline.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_streamed_euc_jp_is_decoded_like_the_whole_file_reader(tmp_path):
    """Hiragana-only EUC-JP also decodes as CP932 (into half-width kana): both readers must choose EUC-JP."""
    from pipeline.ingest.tables import read_table
    from pipeline.stream import iter_input

    path = tmp_path / "euc.csv"
    path.write_bytes("ご意見\nまどぐちをのこしてください\nあいうえお\n".encode("euc_jp"))
    streamed = pd.concat(list(iter_input(path)), ignore_index=True)
    assert streamed["ご意見"].tolist() == ["まどぐちをのこしてください", "あいうえお"]
    assert streamed.equals(read_table(path))


def test_streamed_nul_in_a_cell_is_scored_like_the_whole_file_reader(model, tmp_path):
    """Valid UTF-8 with a stray NUL is text for both readers (the CLI used to refuse it as binary)."""
    path = tmp_path / "ctrl.csv"
    path.write_bytes("意見\n\"窓口の\x00デジタル化を進めてほしい\"\nマイナンバーカードの手続\n".encode())
    counts = score_file(model, path, tmp_path / "out.csv")
    assert counts["rows"] == counts["read"] == 2


# ---------------------------------------------------------------- shared replies (ingested records files)
def _records(n: int) -> pd.DataFrame:
    """Records where every third row answers the two before it ("同趣旨" rows point at it, as ingest writes them)."""
    rows = []
    for i in range(1, n + 1):
        head = i % 3 == 1
        rows.append({"row_no": str(i), "opinion": OPINIONS[i % len(OPINIONS)] or "窓口の待ち時間を短くして。",
                     "response": f"ご意見を踏まえ、第{i}項に追記します。" if head else "",
                     "response_shared_with": "" if head else str(i - (i - 1) % 3)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("size", [1, 2, 4, 5])
def test_pieces_never_part_a_row_from_the_reply_it_shares(size):
    from pipeline.stream import _split

    records = _records(14)
    pieces = list(_split(records, size))
    assert pd.concat(pieces, ignore_index=True).equals(records)
    for piece in pieces:
        assert set(piece["response_shared_with"]) - {""} <= set(piece["row_no"])


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_records_file_scores_its_shared_replies_across_chunks(model, tmp_path, jobs):
    path = tmp_path / "records.csv"  # read back as text: row_no "9" must still find response_shared_with "8"
    _records(14).to_csv(path, index=False, encoding="utf-8-sig")
    score_file(model, path, tmp_path / "out.csv", chunk_rows=5, jobs=jobs)
    scored = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert (scored["pred_response_basis"] == "reply").all()
    assert (tmp_path / "out.csv").read_bytes() == _whole(model, path, tmp_path / "whole.csv")


def test_the_help_parser_loads_no_heavy_library():
    heavy = ["matplotlib", "openpyxl", "pdfplumber", "docx", "sklearn", "pandas", "scipy", "fugashi", "joblib"]
    code = f"import sys, pipeline.cli; pipeline.cli.build_parser(); print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_pieces_cut_the_last_chunk_finer_and_lose_no_row():
    from pipeline.stream import _pieces

    chunks = [pd.DataFrame({"No": range(start, start + 10)}) for start in (0, 10, 20)]
    pieces = list(_pieces(iter(chunks), 4))
    assert [len(p) for p in pieces] == [4, 4, 2, 4, 4, 2] + [1] * 10
    assert pd.concat(pieces)["No"].tolist() == list(range(30))
    assert [len(p) for p in _pieces(iter(chunks[:1]), 8)] == [2] * 5  # a single chunk is the last one
    assert list(_pieces(iter([]), 4)) == []


@pytest.mark.parametrize("data, message", [
    ("窓口を残して\n".encode("cp932"), "stdin: not UTF-8 text"),
    (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "stdin: looks like binary data"),
])
def test_bad_bytes_on_stdin_are_one_clear_error(model, tmp_path, data, message):
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)), encoding="utf-8", errors="surrogateescape")
    with pytest.raises(InputError, match=message):
        score_file(model, "-", tmp_path / "out.csv", stdin=stdin)


def test_stdin_is_read_as_utf8_whatever_the_locale(model, tmp_path):
    data = "\ufeff窓口を残して\r\n紙の申請\n".encode("utf-8")
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)), encoding="ascii", errors="surrogateescape")
    score_file(model, "-", tmp_path / "out.csv", stdin=stdin)
    assert pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")["text"].tolist() == ["窓口を残して", "紙の申請"]


def test_reply_links_that_name_no_row_are_ignored_not_fatal():
    from pipeline.ingest import resolve_responses
    from pipeline.ingest._common import reply_cuts

    records = pd.DataFrame({"row_no": ["1", "2", "3", "4", "5"], "response": ["a", "", "", "", "e"],
                            "response_shared_with": ["", "1", "inf", "x", "2.5"]})
    assert resolve_responses(records).tolist() == ["a", "a", "", "", "e"]
    assert reply_cuts(records).tolist() == [0, 2, 3, 4, 5]  # only rows 1 and 2 stay together


def test_a_sheet_for_a_file_that_has_none_is_refused(model, tmp_path):
    from pipeline.train import read_labelled

    path = tmp_path / "in.csv"
    _rows(3).to_csv(path, index=False)
    with pytest.raises(InputError, match="--sheet 'S' applies to an XLSX workbook"):
        score_file(model, path, tmp_path / "out.csv", sheet="S")
    with pytest.raises(InputError, match="--sheet 'S' applies to an XLSX workbook"):
        read_labelled([path], sheet="S")
