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


@pytest.mark.parametrize("line, verdict", [
    # a dictionary word whose later feature fields are quoted CSV: the lemma (field 7) is read, the pos joined
    ("円\t名詞,普通名詞,助数詞可能,*,*,*,エン,円-助数詞,円,エン,円,エン,漢,*,*,*,*,エン,エン,エン,エン,*,\"B4WW,B\",1,C3,*",
     ("円", "円")),
    # an unknown word has six feature fields and no lemma: its surface stands in
    ("ぴえん\t名詞,普通名詞,一般,*,*,*", ("ぴえん", "ぴえん")),
    # a symbol whose surface has a comma is quoted in the features too
    (',"\t記号,一般,*,*,*,*', (None, None)),
    ("EOS", ()),
])
def test_verdict_reads_our_mecab_format(tok, line, verdict):
    assert tok._verdict(line) == verdict


def test_output_format_ships_with_the_package():
    from importlib.resources import files

    assert "node-format-pubcom" in files("pipeline").joinpath("pubcom.mecabrc").read_text(encoding="utf-8")
