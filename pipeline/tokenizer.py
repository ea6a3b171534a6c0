"""Japanese tokenizer: fugashi + unidic-lite -> lemmas of content words, compound nouns kept visible.

Picklable: it stores only its settings and builds the MeCab tagger lazily (after unpickling too, and once in
every worker process). It reads surface, lemma and part of speech from the one output string MeCab writes per
text, in an output format of our own (pipeline/pubcom.mecabrc: the surface and the stored feature string). That
is about twice as fast as touching each node's feature, and a fifth faster than unidic's own output format.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from .normalize import normalize

TOKENIZER_NAME = "ja-unidic-lemma"
TOKENIZER_VERSION = 1

# Parts of speech whose lemmas carry meaning here (unidic pos1).
CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞")
# Frequent lemmas that say nothing about a theme: administrative boilerplate and light verbs.
STOP_LEMMAS = frozenset(
    """
    為る 居る 成る 有る 在る 言う 思う 考える 致す 下さる 頂く 御座る 参る 申す 出来る 行う 図る 於く 係る 付く 因る 伴う
    事 物 者 方 所 為 様 等 中 上 下 前 後 時 点 際 件 的 化 性 達 頃 毎 共 ら 度 目 分 内 外 他 皆 是 其れ 此れ 何 無い 良い 多い
    御 お ご 本 当 各 同 今 今後 現在 必要 重要 実施 対応 推進 取り組み 取組 取組み 検討 記載 意見 考え 市 町 村 県 区 国 市民 本市 当市
    方針 計画 案 本方針 本計画 について 全体 以下 以上 及び 又 又は 並びに 特に ため よう こと もの
    """.split()
)
_NUMBER_POS = "名詞-数詞"
_MAX_CHUNK = 20_000  # MeCab crashes the process on very long input: tokenize in pieces at sentence ends
_SENTENCE_END = re.compile(r"(?<=[。．！？!?\n])")
_MEMO_LINES = 200_000  # distinct MeCab lines remembered per tokenizer (a few tens of MB at most)
_SKIP = ()
_MECABRC = Path(__file__).with_name("pubcom.mecabrc")
_LEMMA = 7  # unidic feature fields: pos1-4, cType, cForm, lForm, lemma, ...


def _split_long(text: str, limit: int = _MAX_CHUNK) -> list[str]:
    if len(text) <= limit:
        return [text]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > limit:  # a sentence longer than the limit is cut where it must be
            pieces.append(current + sentence[: limit - len(current)])
            sentence, current = sentence[limit - len(current):], ""
        if len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces


class JapaneseTokenizer:
    """Callable text -> list of str tokens (lemmas, joined compound nouns, numbers folded to '<num>').

    Parameters
    ----------
    compounds : also emit each run of two or more nouns joined (マイ+ナンバー+カード -> マイナンバーカード).
    content_pos : unidic pos1 values whose lemmas are kept.
    stop_lemmas : lemmas dropped.
    normalized : the input is already normalised (skip `normalize`).
    cache_size : remember the tokens of this many recent texts (cross-validation tokenizes each text once per
        fold otherwise); 0 turns the cache off. The cache is never pickled.
    """

    name = TOKENIZER_NAME
    version = TOKENIZER_VERSION

    def __init__(self, *, compounds: bool = True, content_pos=CONTENT_POS, stop_lemmas=STOP_LEMMAS, normalized: bool = False,
                 cache_size: int = 0):
        self.compounds = compounds
        self.content_pos = tuple(content_pos)
        self.stop_lemmas = frozenset(stop_lemmas)
        self.normalized = normalized
        self.cache_size = cache_size
        self._tagger = None
        self._cache: dict[str, list[str]] = {}
        self._line_memo: dict = {}

    # -- pickling: the MeCab tagger is a C object; keep settings only
    def __getstate__(self):
        state = self.__dict__.copy()
        state["_tagger"] = None
        state["_cache"] = {}
        state["_line_memo"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._tagger = None
        self._cache = {}
        self._line_memo = {}

    def __repr__(self) -> str:
        return f"JapaneseTokenizer(name={self.name!r}, version={self.version}, compounds={self.compounds})"

    @property
    def tagger(self):
        if self._tagger is None:
            import fugashi  # imported here so that unpickling and `pubcom --help` stay light
            import unidic_lite

            # the unidic-lite dictionary always (fugashi.Tagger() would prefer full unidic when installed)
            self._tagger = fugashi.GenericTagger(f'-r "{_MECABRC}" -O pubcom -d "{unidic_lite.DICDIR}"')
        return self._tagger

    def __call__(self, text: str) -> list[str]:
        if self.cache_size and text in self._cache:
            return self._cache[text]
        tokens = self._tokenize(text)
        if self.cache_size:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[text] = tokens
        return tokens

    def many(self, texts) -> list[list[str]]:
        """The tokens of each text, bypassing the cache (scoring sees each text once; caching would only cost)."""
        return [self._tokenize(text) for text in texts]

    def _tokenize(self, text: str) -> list[str]:
        normal = text if self.normalized else normalize(text)
        if len(normal) <= _MAX_CHUNK:  # the usual case: one MeCab call, no splitting
            return self._tokens(self.tagger.parse(normal)) if normal.strip() else []
        tokens: list[str] = []
        for piece in _split_long(normal):
            if piece.strip():
                tokens.extend(self._tokens(self.tagger.parse(piece)))
        return tokens

    def _tokens(self, parsed: str) -> list[str]:
        tokens: list[str] = []
        run: list[str] = []
        # Every decision depends on the MeCab line alone, and words repeat (Zipf): remember each line's verdict
        # instead of re-splitting it and re-testing its part of speech.
        memo = self._line_memo
        for line in parsed.split("\n"):
            verdict = memo.get(line)
            if verdict is None:
                if len(memo) >= _MEMO_LINES:
                    memo.clear()
                verdict = memo[line] = self._verdict(line)
            if verdict is _SKIP:
                continue
            noun, token = verdict
            if noun is not None:
                run.append(noun)
            elif run:
                self._flush(run, tokens)
                run = []
            if token:
                tokens.append(token)
        self._flush(run, tokens)
        return tokens

    def _verdict(self, line: str):
        """(surface when the line continues a noun run else None, token or None), or _SKIP for EOS."""
        surface, _, feature = line.partition("\t")
        if not feature:  # EOS
            return _SKIP
        # a field with a comma in it is quoted (CSV); only symbols' features have them
        fields = next(csv.reader([feature])) if '"' in feature else feature.split(",")
        pos = "-".join(field for field in fields[:4] if field != "*")
        # unknown words have no lemma field: the surface stands in, as in unidic's own format
        lemma = fields[_LEMMA] if len(fields) > _LEMMA else surface
        is_noun = pos.startswith(("名詞", "接頭辞", "接尾辞-名詞的")) and pos != _NUMBER_POS
        return (surface if is_noun and surface.strip() else None), self._token(surface, lemma, pos)

    def _token(self, surface: str, lemma: str, pos: str) -> str | None:
        if pos == _NUMBER_POS or surface.isdigit():
            return "<num>"
        if not pos.startswith(self.content_pos) or pos.startswith("名詞-固有名詞-人名"):
            return None
        lemma = (lemma or surface).split("-")[0] or surface  # unidic: カード-card -> カード
        if lemma in self.stop_lemmas or not lemma.strip() or (len(lemma) == 1 and lemma.isascii()):
            return None
        return lemma

    def _flush(self, run: list[str], tokens: list[str]) -> None:
        if self.compounds and len(run) > 1:
            compound = "".join(run)
            if compound not in self.stop_lemmas:
                tokens.append(compound)
