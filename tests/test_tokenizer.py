"""The tokenizer: lemmas of content words, compounds visible, numbers folded, picklable, safe on long input."""
from __future__ import annotations

import pickle

import joblib
import pytest

from pipeline.tokenizer import JapaneseTokenizer, _split_long


@pytest.fixture(scope="module")
def tok():
    return JapaneseTokenizer()


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("マイナンバーカードの暗証番号を忘れた", ["マイナンバーカード", "暗証番号", "忘れる", "カード"], ["の", "を"]),
        ("スマホ教室を2回やってほしい", ["スマホ教室", "<num>", "欲しい"], ["2"]),
        ("ＡＩを活用する", ["ai", "活用"], ["ＡＩ", "為る"]),
        ("本計画について検討する", [], ["計画", "検討", "について"]),
    ],
)
def test_tokens(tok, text, present, absent):
    tokens = tok(text)
    assert all(isinstance(t, str) for t in tokens)
    for word in present:
        assert word in tokens, (word, tokens)
    for word in absent:
        assert word not in tokens, (word, tokens)


def test_pickle_keeps_settings_only(tok):
    tok("テスト")  # builds the tagger
    assert tok._tagger is not None
    for dumped in (pickle.dumps(tok), None):
        clone = pickle.loads(dumped) if dumped else joblib.load(_dump(tok))
        assert clone._tagger is None
        assert clone("高齢者のデジタルデバイド") == tok("高齢者のデジタルデバイド")


def _dump(obj):
    import io

    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    return buffer


def test_long_text_is_split_and_tokenized(tok):
    text = "窓口の手続をオンライン化してください。" * 3000  # 57,000 characters
    pieces = _split_long(text, 20_000)
    assert "".join(pieces) == text and max(map(len, pieces)) <= 20_000
    assert tok(text).count("窓口") == 3000


def test_split_without_sentence_ends():
    text = "あ" * 45_000
    pieces = _split_long(text, 20_000)
    assert "".join(pieces) == text and max(map(len, pieces)) <= 20_000


def test_cache_is_not_pickled():
    tok = JapaneseTokenizer(cache_size=10)
    tok("キャッシュ")
    assert tok._cache
    assert pickle.loads(pickle.dumps(tok))._cache == {}
