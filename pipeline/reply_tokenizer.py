"""The reply model's tokenizer: what a reply *does* (modifies, will consider, keeps) is said by its constructions,
not by its topic words, and the same construction comes in every register. 修正します / 修正する / 修正した /
修正し、 all read 修正 為る; 参考とさせていただきます / 参考とする read 参考 と 為る; 記載しております /
記載している read 記載 為る 居る; 修正は行いません / 修正しない end in ない.

It is `JapaneseTokenizer` (the same MeCab pass, the same compiled fast path) with another verdict per word: every
word's lemma is kept, particles included, while politeness, tense and humble forms are dropped (ます, です, た,
させていただく, 致す -> 為る, てまいる -> 行く) and negation is kept as ない. Word n-grams over these tokens are the
constructions (`pipeline.train.DEFAULT_PARAMS`). No stop lemmas: 検討, 記載, 今後 and 対応 are what replies say.
"""
from __future__ import annotations

from .tokenizer import JapaneseTokenizer

REPLY_TOKENIZER_NAME = "ja-unidic-construction"
REPLY_TOKENIZER_VERSION = 1

_NEGATION = frozenset({"ない", "ず", "ぬ", "ん", "無い"})
# auxiliaries that only mark politeness, tense, voice or wish: the same act in every register
_DROPPED_AUXILIARIES = frozenset({"ます", "です", "た", "だ", "せる", "させる", "れる", "られる", "う", "よう", "たい",
                                  "べし", "らしい", "まい"})
# verbs that follow て as auxiliaries: humble (いただく, くださる) say nothing; aspect says much (ております: already
# done, kept; てまいります / ていく: from now on, future), so it is kept in one form whatever the register
_AUXILIARY_VERBS = {"頂く": None, "下さる": None, "貰う": None, "申し上げる": None, "差し上げる": None,
                    "致す": "為る", "参る": "行く", "行く": "行く", "居る": "居る", "来る": "来る", "置く": "置く"}
_JOINED = frozenset({"ない", "居る", "行く", "来る", "置く"})  # negation and aspect: part of the word before
_DROPPED_PARTICLES = frozenset({"て", "で"})  # 接続助詞 joining a verb to its auxiliary


class ReplyTokenizer(JapaneseTokenizer):
    """Callable reply text -> construction tokens (see the module docstring); picklable like `JapaneseTokenizer`."""

    name = REPLY_TOKENIZER_NAME
    version = REPLY_TOKENIZER_VERSION

    def __init__(self, *, compounds: bool = True, content_pos=None, stop_lemmas=(), normalized: bool = False,
                 cache_size: int = 0):
        super().__init__(compounds=compounds, content_pos=content_pos or (), stop_lemmas=stop_lemmas,
                         normalized=normalized, cache_size=cache_size)

    def __repr__(self) -> str:
        return f"ReplyTokenizer(name={self.name!r}, version={self.version})"

    def _token(self, surface: str, lemma: str, pos: str) -> str | None:
        if pos == "名詞-数詞" or surface.isdigit():
            return "<num>"
        lemma = (lemma or surface).split("-")[0] or surface
        if pos.startswith("補助記号-句点"):
            return "。"  # a sentence end: 追記。 (summary register) says what 追記します says
        if pos.startswith(("補助記号", "空白", "記号")) or not lemma.strip():
            return None
        if pos.startswith("助動詞"):
            return "ない" if lemma in _NEGATION else (None if lemma in _DROPPED_AUXILIARIES else lemma)
        if pos.startswith("動詞-非自立可能") and lemma in _AUXILIARY_VERBS:
            return _AUXILIARY_VERBS[lemma]
        if pos.startswith("助詞") and lemma in _DROPPED_PARTICLES:
            return None
        if pos.startswith("接頭辞") and lemma in ("御", "ご", "お"):
            return None  # ご意見 / 御意見 / 意見
        if pos.startswith("名詞-固有名詞-人名") or lemma in self.stop_lemmas or (len(lemma) == 1 and lemma.isascii()):
            return None
        return lemma


def construction_string(tokens) -> str:
    """A reply's tokens as one string in which reply phrases are looked for (`KeywordIndex`): each token between
    '|', so that a phrase matches whole tokens only, and a negation or an aspect joined to the word before it
    (修正 為る ない -> |修正|為るない|, 記載 為る 居る -> |記載|為る居る|), so that 修正します never matches inside
    修正しません, nor 記載します inside 記載しております."""
    words: list[str] = []
    for token in tokens:
        if token in _JOINED and words:
            words[-1] += token
        elif token != "。" or (words and words[-1] != "。"):
            words.append(token)
    if words and words[-1] != "。":
        words.append("。")  # a table cell often ends without one: 用語解説を追記
    return "|" + "|".join(words) + "|" if words else ""


def phrase_forms(phrase_tokens: list[str], phrase: str) -> list[str]:
    """What a reply phrase is looked for as: the phrase as written, and its construction string (without the
    sentence end the construction string adds, unless the phrase has it) when it has two tokens or more. One token
    alone is too loose: 所 of ところです would match inside 発電所; one verb (改める, 考えております) lowered the
    real replies of ../shared/realdev/ from 0.932 to 0.916, plain verbs only (改める, 削る) to 0.929."""
    construction = construction_string(phrase_tokens)
    if not phrase.endswith("。"):
        construction = construction[: -len("。|")]
    return [phrase, construction] if construction.count("|") > 2 else [phrase]


def scanned_text(text: str, tokens) -> str:
    """The string reply phrases are looked for in: the text's construction string, then the text itself (a phrase
    as written has no '|', a construction string starts and ends with one: neither matches across the two)."""
    return construction_string(tokens) + "\n" + text


def scanned_texts(texts, tokens) -> list[str]:
    """`scanned_text` of each text, its tokens a `TokenBatch` or lists of tokens."""
    lists = tokens.lists() if hasattr(tokens, "lists") else tokens
    return [scanned_text(text, words) for text, words in zip(texts, lists)]
