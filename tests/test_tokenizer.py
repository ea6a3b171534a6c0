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
    tok("テスト")  # builds the tagger: the compiled walker, or fugashi's for the text output
    assert tok._fast or tok._tagger is not None
    for dumped in (pickle.dumps(tok), None):
        clone = pickle.loads(dumped) if dumped else joblib.load(_dump(tok))
        assert clone._tagger is None and clone._fast is None and clone._cache == {}
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


# ---------------------------------------------------------------- word ids: compiled walker = MeCab's text output
MIXED = [
    "マイナンバーカードの申請をオンラインで行えるようにしてほしい。",
    "高齢者向けのスマホ教室を市役所の窓口で開いてください！！",
    "ＧＩＳで公開されるオープンデータ（2024年度版）を活用すべき",
    "ｶﾞｲﾄﾞﾌﾞｯｸ、\"引用\"、記号,カンマ；<b>太字</b>&amp;",
    "ぴえん超えてぱおん、デジタルデバイド対策よろ",
    "",
    "   ",
    "AI chatbot for 市民 services 123",
    "長い意見です。" * 3000,  # longer than one MeCab call takes: tokenized in pieces
]


def _text_output_tokenizer(**settings) -> JapaneseTokenizer:
    tokenizer = JapaneseTokenizer(**settings)
    tokenizer._fast = False  # as on a machine where the extension was not built
    return tokenizer


@pytest.mark.parametrize("settings", [{}, {"compounds": False}])
def test_compiled_walker_gives_the_text_outputs_tokens(settings):
    fast = JapaneseTokenizer(**settings)
    if not fast.fast:
        pytest.skip("pipeline._mecab is not built here")
    assert fast.many(MIXED) == _text_output_tokenizer(**settings).many(MIXED)
    assert fast.many(MIXED) == [fast(text) for text in MIXED]  # a batch = one call per text


def test_compiled_parts_are_built_where_a_compiler_is():
    import shutil
    import sysconfig

    if not (shutil.which(sysconfig.get_config_var("CC").split()[0] if sysconfig.get_config_var("CC") else "cc")):
        pytest.skip("no C compiler: the package installs without the walker, and reads MeCab's text output")
    import pipeline._keywords  # noqa: F401  (setup.py builds both; a failed build is only a warning there)

    assert JapaneseTokenizer().fast, "pipeline._mecab was not built or does not match fugashi's MeCab"


def test_word_memory_is_bounded_and_forgetting_changes_no_token(monkeypatch):
    import pipeline.tokenizer as module

    full = JapaneseTokenizer()
    expected = full.many(MIXED)
    monkeypatch.setattr(module, "_MEMO_WORDS", 10)
    small = JapaneseTokenizer()
    got = [small.many([text])[0] for text in MIXED * 2]
    assert got == expected * 2
    remembered = len(small._word_surface) + len(small._compounds)
    assert remembered < len(full._word_surface) + len(full._compounds)


def test_tokens_of_gives_every_texts_tokens_and_fills_the_cache_as_far_as_it_goes():
    expected = dict(zip(MIXED, JapaneseTokenizer().many(MIXED)))
    cached = JapaneseTokenizer(cache_size=3)
    assert cached.tokens_of(MIXED + MIXED[:2]) == expected
    assert len(cached._cache) == 3 and all(cached._cache[text] == expected[text] for text in cached._cache)
    assert cached.tokens_of(list(cached._cache)) == {text: expected[text] for text in cached._cache}
    assert JapaneseTokenizer().tokens_of(MIXED) == expected  # cache off: nothing kept


@pytest.mark.parametrize("fast", [None, False])  # None: the walker where it is built
def test_a_failed_batch_leaves_the_tokenizer_sound(fast):
    tokenizer = JapaneseTokenizer(normalized=True)
    tokenizer._fast = fast
    with pytest.raises(UnicodeEncodeError):
        tokenizer.many(["窓口の申請をオンラインで", "surrogate \ud800 here"])
    assert tokenizer.many(MIXED[:5]) == JapaneseTokenizer(normalized=True).many(MIXED[:5])


def test_an_uninitialised_walker_refuses_to_parse():
    walker = pytest.importorskip("pipeline._mecab", reason="pipeline._mecab is not built here")
    with pytest.raises(RuntimeError, match="not initialised"):
        walker.Words.__new__(walker.Words).ids(["窓口"])
