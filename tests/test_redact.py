"""Personal-data masks: each kind masked with its type kept, ordinary numbers and words left alone, and
`--redact` leaving none of the made-up personal data in any file it writes."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline import cli
from pipeline.redact import describe, my_number_valid, redact, redact_frame


def _with_check_digit(body: str) -> str:
    """The one 12-digit My Number with these 11 digits (computed, so the test does not trust a constant)."""
    valid = [body + d for d in "0123456789" if my_number_valid(body + d)]
    assert len(valid) == 1
    return valid[0]


MY_NUMBER = _with_check_digit("52839104776")
NOT_MY_NUMBER = MY_NUMBER[:11] + str((int(MY_NUMBER[11]) + 1) % 10)


@pytest.mark.parametrize("text, expected, counts", [
    ("山田太郎さんから電話がありました。", "〔氏名〕さんから電話がありました。", {"name": 1}),
    ("担当の佐藤様と鈴木氏に伺いました", "担当の〔氏名〕様と〔氏名〕氏に伺いました", {"name": 2}),
    ("ジョンさんの提案", "〔氏名〕さんの提案", {"name": 1}),
    ("職員さんと市民の皆様に感謝", "職員さんと市民の皆様に感謝", {}),
    ("連絡先 03-1234-5678 まで", "連絡先 〔電話番号〕 まで", {"phone": 1}),
    ("携帯は09012345678です", "携帯は〔電話番号〕です", {"phone": 1}),
    ("０８０－９８７６－５４３２に", "〔電話番号〕に", {"phone": 1}),
    ("070ー1111ー2222", "〔電話番号〕", {"phone": 1}),
    ("代表0134-32-4111へ", "代表〔電話番号〕へ", {"phone": 1}),
    ("hanako.suzuki@example.jp へ送付", "〔メール〕 へ送付", {"email": 1}),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "〔メール〕", {"email": 1}),
    ("〒047-8660 小樽市花園2丁目12番1号", "〔郵便番号〕 〔住所〕", {"postal_code": 1, "address": 1}),
    ("東京都千代田区霞が関1-2-3に住む", "〔住所〕に住む", {"address": 1}),
    ("札幌市中央区北1条西2丁目1番地の3です", "〔住所〕です", {"address": 1}),
    ("郵便番号 123-4567", "郵便番号 〔郵便番号〕", {"postal_code": 1}),
    (f"私の番号は{MY_NUMBER}です", "私の番号は〔マイナンバー〕です", {"my_number": 1}),
    (f"{MY_NUMBER[:4]}-{MY_NUMBER[4:8]}-{MY_NUMBER[8:]}", "〔マイナンバー〕", {"my_number": 1}),
    # ordinary numbers and words that only look like personal data stay
    (f"受付番号{NOT_MY_NUMBER}の件", f"受付番号{NOT_MY_NUMBER}の件", {}),
    ("本市の2番目の意見、1-2ページ", "本市の2番目の意見、1-2ページ", {}),
    ("令和5年度予算は1,234,567円、2025-2026年", "令和5年度予算は1,234,567円、2025-2026年", {}),
    ("小樽市は令和3年に1-2回実施", "小樽市は令和3年に1-2回実施", {}),
    ("マイナンバーカードの手続をオンラインで", "マイナンバーカードの手続をオンラインで", {}),
])
def test_masks_keep_the_type(text, expected, counts):
    assert redact(text) == (expected, counts)


@pytest.mark.parametrize("digits, valid", [
    (MY_NUMBER, True), (NOT_MY_NUMBER, False), ("123456789018", True), ("123456789012", False),
    ("12345678901", False), ("12345678901a", False),
])
def test_my_number_check_digit(digits, valid):
    assert my_number_valid(digits) is valid


def test_redact_frame_counts_and_keeps_other_columns():
    frame = pd.DataFrame({"no": [1, 2], "意見": ["山田太郎です", "特になし"], "連絡先": ["03-1234-5678", ""]})
    out, counts = redact_frame(frame)
    assert out["意見"].tolist() == ["〔氏名〕です", "特になし"]
    assert out["連絡先"].tolist() == ["〔電話番号〕", ""]
    assert out["no"].tolist() == [1, 2] and counts == {"phone": 1, "name": 1}
    assert describe(counts) == "電話番号 1, 氏名 1"
    with pytest.raises(Exception, match="column\\(s\\) 氏名 not found"):
        redact_frame(frame, ["氏名"])


def test_a_very_long_text_is_tagged_in_pieces():
    text = "山田太郎さんの意見です。" * 5000  # 60,000 chars: over the tokenizer's 20,000-char piece
    masked, counts = redact(text)
    assert counts == {"name": 5000} and "山田" not in masked


# ---------------------------------------------------------------- end to end: nothing personal written
SECRETS = ["山田太郎", "090-1234-5678", "taro.yamada@example.jp", "047-8660", "花園2丁目12番1号", MY_NUMBER]
OTARU_WITH_PII = (
    "# 小樽市テスト計画（案）に対する意見\n"
    "1\t意見等の件数\t2件\n"
    "2\t備考\t連絡は山田太郎（090-1234-5678）まで\n"
    "No.\t意見の概要\t市の考え方\n"
    "1\t山田太郎です。マイナンバー" + MY_NUMBER + "の手続をオンライン化してほしい。\t参考にします。\n"
    "2\t〒047-8660 小樽市花園2丁目12番1号在住、taro.yamada@example.jp から窓口の電子申請を要望\t今後検討します。\n"
    "* 連絡先 090-1234-5678（山田太郎）\n"
)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from pipeline.registry import save_model
    from pipeline.train import train

    return save_model(train(), tmp_path_factory.mktemp("models"), point_latest=False)


def _all_output_text(folder) -> str:
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(folder.rglob("*")) if p.is_file())


def test_ingest_and_score_with_redact_write_no_personal_data(tmp_path, model_dir, capsys):
    source = tmp_path / "pii-consultation.txt"
    source.write_text(OTARU_WITH_PII, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["ingest", str(source), "--out", str(out), "--redact"]) == 0
    printed = capsys.readouterr().out
    assert "2 rows" in printed and "masked: " in printed
    meta = json.loads((out / "pii-consultation.meta.json").read_text(encoding="utf-8"))
    assert meta["redaction"] == {"my_number": 1, "email": 1, "phone": 1, "postal_code": 1, "address": 1, "name": 2}
    records = out / "pii-consultation.records.csv"
    scored = out / "scored.csv"
    assert cli.main(["score", str(records), "--model", str(model_dir), "--out", str(scored), "--redact"]) == 0

    raw = tmp_path / "raw.csv"
    pd.DataFrame({"意見": [OTARU_WITH_PII.splitlines()[4]], "email": ["taro.yamada@example.jp"]}).to_csv(raw, index=False)
    assert cli.main(["score", str(raw), "--model", str(model_dir), "--out", str(out / "raw.scored.csv"), "--redact"]) == 0
    assert cli.main(["redact", str(raw), "--out", str(out / "raw.redacted.csv")]) == 0
    assert "masked: " in capsys.readouterr().err

    written = _all_output_text(out)
    assert len(list(out.iterdir())) == 5
    for secret in SECRETS:
        assert secret not in written
    assert "〔氏名〕" in written and "〔マイナンバー〕" in written and "〔住所〕" in written


def test_without_redact_the_data_is_kept_as_published(tmp_path):
    """The control for the test above: the same input without --redact does carry the personal data."""
    source = tmp_path / "pii-consultation.txt"
    source.write_text(OTARU_WITH_PII, encoding="utf-8")
    assert cli.main(["ingest", str(source), "--out", str(tmp_path / "out")]) == 0
    written = _all_output_text(tmp_path / "out")
    assert all(secret in written for secret in SECRETS)


@pytest.mark.parametrize("jobs", [1, 2])
def test_score_redacts_every_chunk_in_whichever_process_scores_it(tmp_path, model_dir, jobs):
    from pipeline.stream import score_file

    rows = [f"山田太郎様の電話は03-1234-{i:04d}です。窓口を残してください。" for i in range(25)]
    source = tmp_path / "in.csv"
    pd.DataFrame({"No": [f"03-0000-{i:04d}" for i in range(25)], "ご意見": rows}).to_csv(source, index=False)
    counts = score_file(str(model_dir), source, tmp_path / "out.csv", jobs=jobs, chunk_rows=4, id_column="No",
                        redact=True)
    written = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert counts["rows"] == 25 and counts["masked"]["phone"] == 25 and counts["masked"]["name"] >= 25
    assert "03-1234-" not in written and "山田" not in written
    assert "03-0000-0024" in written  # the id column is kept as it was
