"""Real-text behaviour: non-opinions get no theme, replies are read in any register, evidence words are words of
the opinion as written, and a taxonomy without response types keeps the packaged reply phrases."""
from __future__ import annotations

import pickle

import pandas as pd
import pytest

from pipeline.evidence_words import as_written, visible_word
from pipeline.models import TaxonomyClassifier
from pipeline.non_opinion import NO_OPINION_REASON, is_non_opinion
from pipeline.reply_tokenizer import ReplyTokenizer, construction_string, phrase_forms, scanned_text
from pipeline.report import NO_OPINION, NO_OPINION_LABEL, UNSCORED, drift, standardise, theme_distribution
from pipeline.taxonomy import load_taxonomy, packaged_response_types, taxonomy_from_dict


@pytest.mark.parametrize("text", ["特になし", "特にありません。", "ご意見はございません", "以上です。", "よろしくお願いいたします。",
                                  "お世話になっております。以上、よろしくお願いします。", "ご担当者様", "（匿名希望）",
                                  "40代　女性", "別紙のとおり", "…", "ありがとうございました！"])
def test_texts_without_an_opinion_are_found(text):
    assert is_non_opinion(text)


@pytest.mark.parametrize("text", ["紙の申請を残してほしい", "反対です。", "窓口を減らさないで", "以上の理由から計画に反対します。",
                                  "特になしで済ませず、数値目標を示すべき。", "説明会を開いてください。よろしくお願いします。",
                                  "", None, "1234", "手数料を無料に" * 30])
def test_opinions_and_empty_texts_are_not_non_opinions(text):
    assert not is_non_opinion(text)


def test_a_non_opinion_row_gets_no_theme_and_says_why(model):
    scored = model.score(pd.DataFrame({"opinion": ["特になし", "窓口でスマホの使い方を教えてほしい"],
                                       "response": ["ご意見として承ります。", "今後の参考とします。"]}),
                         response_column="response")
    none, opinion = scored.iloc[0], scored.iloc[1]
    assert (none["pred_theme"], none["pred_theme_2"], none["evidence"]) == ("", "", "")
    assert none["needs_review"] and none["review_reason"] == NO_OPINION_REASON
    assert none["pred_response_type"] == "kept" and none["pred_response_basis"] == "reply"  # the reply is still read
    assert opinion["pred_theme"] and NO_OPINION_REASON not in opinion["review_reason"]


def test_report_counts_non_opinions_apart():
    scored = pd.DataFrame({"opinion": ["a", "b", "c", "d"], "pred_theme": ["digital_divide", "", "", "digital_divide"],
                           "pred_theme_score": [0.9, None, None, 0.8], "needs_review": [False, True, True, False],
                           "review_reason": ["", NO_OPINION_REASON, "empty text", ""]})
    consultation = standardise(scored, "x", "x.csv")
    table = theme_distribution(consultation, load_taxonomy()).set_index("theme")
    assert table.loc[NO_OPINION, ["label", "rows"]].tolist() == [NO_OPINION_LABEL, 1]
    assert table.loc[UNSCORED, "rows"] == 1 and table.loc["digital_divide", "rows"] == 2
    assert list(table.index[-2:]) == [UNSCORED, NO_OPINION]  # after the themes, never among them
    assert NO_OPINION not in drift(consultation, {"digital_divide": 3}, load_taxonomy())["theme"].tolist()


@pytest.mark.parametrize("replies, tokens", [
    (["修正します。", "修正する。", "修正した。", "修正いたしました。"], ["修正", "為る", "。"]),
    (["参考とさせていただきます", "参考とする", "参考といたします"], ["参考", "と", "為る"]),
    (["記載しております。", "記載している。"], ["記載", "為る", "居る", "。"]),
    (["検討してまいります", "検討していく"], ["検討", "為る", "行く"]),
])
def test_reply_tokens_are_the_same_in_every_register(replies, tokens):
    tokenizer = ReplyTokenizer()
    assert [tokenizer(reply) for reply in replies] == [tokens] * len(replies)
    assert pickle.loads(pickle.dumps(tokenizer))(replies[0]) == tokens


@pytest.mark.parametrize("tokens, expected", [
    (["修正", "為る", "ない"], "|修正|為るない|。|"), (["記載", "為る", "居る", "。"], "|記載|為る居る|。|"),
    (["ない", "修正", "。", "。"], "|ない|修正|。|"), ([], ""),
])
def test_negation_and_aspect_join_the_word_before_and_a_sentence_end_closes(tokens, expected):
    assert construction_string(tokens) == expected


def test_a_phrase_never_matches_inside_its_negation():
    tokenizer = ReplyTokenizer()
    _, phrase = phrase_forms(tokenizer("修正します"), "修正します")
    assert phrase in scanned_text("修正した", tokenizer("修正した"))
    assert phrase not in scanned_text("修正しません", tokenizer("修正しません"))


@pytest.mark.parametrize("reply, expected", [
    ("ご指摘を踏まえ、修正します。", "adopted"), ("本文を修正した。", "adopted"), ("指摘を踏まえ表現を改めた。", "adopted"),
    ("今後の施策の参考とさせていただきます。", "future"), ("今後の参考とする。", "future"), ("実施段階で検討する。", "future"),
    ("引き続き研究していく。", "future"), ("原案のとおりとする。", "kept"), ("修正は行わない。", "kept"),
    ("既に第2章に記載している。", "kept"),
])
def test_the_default_reply_model_reads_every_register(model, reply, expected):
    assert model.response_type.predict([reply])[0] == expected


def test_a_taxonomy_without_response_types_keeps_the_packaged_phrases():
    taxonomy = taxonomy_from_dict({"taxonomy": {"id": "mine", "version": "1"},
                                   "themes": [{"id": "a", "label_ja": "甲"}]})
    packaged = {entry["id"]: len(entry["phrases"]) for entry in packaged_response_types()}
    assert {r.id: len(r.phrases) for r in taxonomy.response_types} == packaged
    assert min(packaged.values()) > 10


def test_phrase_form_is_checked():
    with pytest.raises(ValueError, match="phrase_form must be 'surface' or 'tokens'"):
        TaxonomyClassifier(target="response_type", phrase_form="lemma").fit(["修正します", "検討します"],
                                                                               ["adopted", "future"])


@pytest.mark.parametrize("word, text, expected", [
    ("窓口", "窓口を残して", "窓口"), ("分かる", "分かりにくい", None), ("オン", "オンライン申請", "オンライン"),
    ("ライン", "オンライン申請", "オンライン"), ("カード", "マイナンバー・カード", "カード"),
])
def test_visible_word(word, text, expected):
    assert visible_word(word, text) == expected


@pytest.mark.parametrize("word, original, expected", [
    ("dx", "自治体ＤＸの推進", "ＤＸ"), ("pdca", "PDCAサイクル", "PDCA"), ("窓口", "窓口を残して", "窓口"),
    ("デジタルデバイド", "デジタルデバインド対策", "デジタルデバイド"),  # folded by the variant table: as normalised
])
def test_as_written(word, original, expected):
    assert as_written([word, "窓口"], original) == [expected, "窓口"]


def test_scored_evidence_is_found_in_the_opinion(model):
    opinions = ["自治体ＤＸの推進にはＰＤＣＡが必要だと思う", "オンライン申請を増やしてほしい。窓口も残してほしい"]
    for opinion, evidence in zip(opinions, model.score(opinions)["evidence"]):
        words = evidence.split("、")
        assert words and all(word in opinion for word in words), (opinion, words)


@pytest.mark.parametrize("phrase, forms", [
    ("修正します", ["修正します", "|修正|為る|"]), ("追記。", ["追記。", "|追記|。|"]),
    ("ところです", ["ところです"]),  # one token (所) would match inside 発電所: as written only
])
def test_phrase_forms(phrase, forms):
    assert phrase_forms(ReplyTokenizer()(phrase), phrase) == forms


def test_reply_tokens_are_the_same_with_and_without_the_compiled_walker():
    replies = ["御意見を踏まえ、以下のとおり修正いたします。「～を推進する」", "修正は行いません。", "今後検討", "",
               "ＤＸ推進のため、2025年度に検討していく。", "長い回答です。" * 3000]
    fast = ReplyTokenizer()
    if not fast.fast:
        pytest.skip("pipeline._mecab is not built here")
    slow = ReplyTokenizer()
    slow._fast = False  # as on a machine where the extension was not built
    assert fast.many(replies) == slow.many(replies)


@pytest.mark.parametrize("marks", [40, 100])
def test_a_long_run_of_placeholder_marks_is_judged_at_once(marks):
    # 〇〇〇… stands in for a name: the non-opinion pattern once backtracked exponentially on it (minutes at 30)
    assert is_non_opinion("〇" * marks + "について", normalized=True) is False
    assert is_non_opinion("〇" * marks, normalized=True) is True


def test_the_report_finds_non_opinions_by_their_review_code_whatever_the_reason_says():
    scored = pd.DataFrame({"opinion": ["a", "b"], "pred_theme": ["digital_divide", ""], "needs_review": [False, True],
                           "review_code": ["", "too_short;no_opinion"], "review_reason": ["", "row without an opinion"]})
    table = theme_distribution(standardise(scored, "x", "x.csv"), load_taxonomy()).set_index("theme")
    assert table.loc[NO_OPINION, "rows"] == 1 and table.loc[UNSCORED, "rows"] == 0
