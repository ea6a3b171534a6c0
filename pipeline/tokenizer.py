"""Japanese tokenizer: fugashi + unidic-lite -> lemmas of content words, compound nouns kept visible.

Picklable: it stores only its settings and builds the MeCab tagger lazily (after unpickling too, and once in
every worker process). Each distinct word (surface + dictionary entry) is judged once, from the line MeCab's text
output has for it (pipeline/pubcom.mecabrc: the surface, a tab, the stored feature string): content word or not,
its lemma, whether it continues a compound noun. Texts then become word ids, and tokens follow from the ids with
numpy (`batch`). The word ids come from the compiled walker `pipeline._mecab` when it is built (it reads MeCab's
best path in C, about twice as fast), else from MeCab's text output split into lines; the tokens are the same.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .normalize import normalize
from .pieces import _MAX_CHUNK, _MAX_RUN, _split_long  # noqa: F401  (_MAX_CHUNK: read by callers)
from .tokens import TokenBatch, TokenTable

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
_MEMO_WORDS = 200_000  # distinct words and noun runs remembered per tokenizer (a few tens of MB at most)
_SKIP = ()
_SETTINGS = ("compounds", "content_pos", "stop_lemmas", "normalized", "cache_size")  # all that is pickled
_PROBE = ("マイナンバーカードの申請をオンラインで行えるようにしてほしい。高齢者には窓口での支援が必要だと思います。"
          "ＧＩＳで公開されるオープンデータ（2024年度）を活用し、AIチャットボットを導入すべき!!")
_MECABRC = Path(__file__).with_name("pubcom.mecabrc")
_LEMMA = 7  # unidic feature fields: pos1-4, cType, cForm, lForm, lemma, ...


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
        self._tagger = self._fast = None
        self._cache: dict[str, list[str]] = {}
        self._reset_words()

    # -- pickling: the MeCab tagger is a C object, the rest is derived; keep the settings only
    def __getstate__(self):
        return {k: self.__dict__[k] for k in _SETTINGS}

    def __setstate__(self, state):
        self.__init__(**{k: v for k, v in state.items() if k in _SETTINGS})

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

    def batch(self, texts) -> TokenBatch:
        """The tokens of many texts as arrays (`pipeline.tokens.TokenBatch`), bypassing the cache (scoring sees
        each text once). `batch(texts).lists()` is what calling the tokenizer on each text gives."""
        pieces, owner = [], []
        for row, text in enumerate(texts):
            normal = text if self.normalized else normalize(text)
            # MeCab crashes on very long input and slows down on long unbroken runs: such a text goes in pieces
            for piece in (normal,) if len(normal) <= _MAX_RUN else _split_long(normal):
                if piece.strip():
                    pieces.append(piece)
                    owner.append(row)
        if len(self._word_surface) + len(self._compounds) > _MEMO_WORDS:
            self._reset_words()  # bounded memory: forget every word, at a batch boundary only
        ids = self._word_ids(pieces)
        return self._assemble(ids, np.asarray(owner, dtype=np.int64), len(texts))

    def tokens_of(self, texts) -> dict[str, list[str]]:
        """text -> tokens for each distinct text: from the cache, the others in one batch (then cached, as far as
        the cache goes). Fitting uses it instead of a call per text: a batch is much faster."""
        distinct = dict.fromkeys(texts)
        found = {text: self._cache[text] for text in distinct if text in self._cache}
        todo = [text for text in distinct if text not in found]
        found.update(zip(todo, self.batch(todo).lists()))
        if self.cache_size and todo:
            if len(self._cache) + len(todo) > self.cache_size:
                self._cache.clear()
            self._cache.update((text, found[text]) for text in todo[: self.cache_size])
        return found

    def many(self, texts) -> list[list[str]]:
        """The tokens of each text, bypassing the cache."""
        return self.batch(texts).lists()

    def _tokenize(self, text: str) -> list[str]:
        return self.batch([text]).lists()[0]

    # -- words: MeCab's best path as word ids; each distinct word's verdict is decided once
    @property
    def fast(self) -> bool:
        """True when MeCab's words come from the compiled walker (`pipeline._mecab`), False when they are read
        from MeCab's text output (the same tokens, about twice as slow)."""
        if self._fast is None:
            self._fast = _fast_words()
        return self._fast is not False

    def _reset_words(self) -> None:
        self._words: dict = {}  # MeCab line -> word id (the text-output path)
        self._word_surface: list = []  # per word id: its surface when a noun (it continues a noun run), else None
        # per word id: its token's id in the table (-1 for none), and 1 when a noun; one slot more than there are
        # words, holding -1 / 0 for the id -1 that ends each piece; grown by doubling (indexed per batch)
        self._word_token = np.full(1024, -1, dtype=np.int32)
        self._word_noun = np.zeros(1024, dtype=np.int8)
        self._compounds: dict = {}  # joined noun run -> token id, -1 for none
        self._table = TokenTable()
        if self._fast not in (None, False):
            self._fast.clear()

    def _add_word(self, line: str) -> None:
        noun, token = self._verdict(line)
        i = len(self._word_surface)
        if i + 1 >= len(self._word_token):
            self._word_token = np.concatenate([self._word_token, np.full(len(self._word_token), -1, np.int32)])
            self._word_noun = np.concatenate([self._word_noun, np.zeros(len(self._word_noun), np.int8)])
        self._word_surface.append(noun)
        self._word_token[i], self._word_noun[i] = (self._table.id(token) if token else -1), noun is not None

    def _word_ids(self, pieces: list[str]) -> np.ndarray:
        """Each piece's word ids, each piece followed by -1."""
        if self.fast:
            try:
                raw, new = self._fast.ids(pieces)
                for surface, feature in new:
                    self._add_word(f"{surface}\t{feature}")  # the line MeCab's text output has for it
            except BaseException:  # the walker may have learnt words that were never judged here: forget all
                self._reset_words()
                raise
            return np.frombuffer(raw, dtype=np.int32)
        ids, words, parse = [], self._words, self.tagger.parse
        for piece in pieces:
            for line in parse(piece).split("\n"):
                found = words.get(line)
                if found is None:
                    if line == "EOS":
                        found = -1
                    else:
                        found = len(self._word_surface)
                        self._add_word(line)
                    words[line] = found
                ids.append(found)
        return np.array(ids, dtype=np.int32)

    def _assemble(self, ids: np.ndarray, owner: np.ndarray, n: int) -> TokenBatch:
        """Tokens from word ids (-1 ends a piece): each word's own token, and after each run of two or more nouns
        the run joined (when `compounds`), placed right after the run's last word's token."""
        end = ids < 0
        piece = np.cumsum(end, dtype=np.int32) - end
        known = len(self._word_surface)
        token = self._word_token[:known + 1][ids]  # id -1 reads the slot after the last word: -1
        single = np.flatnonzero(token >= 0)
        place, tokens = [2 * single], [token[single]]
        if self.compounds:
            noun = self._word_noun[:known + 1][ids]  # id -1 reads the slot after the last word: 0
            edges = np.diff(noun, prepend=np.int8(0), append=np.int8(0))  # int8 throughout: 1 byte a word
            starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
            runs = stops - starts > 1
            starts, stops = starts[runs], stops[runs]
            joined = self._join(ids, starts, stops)
            kept = joined >= 0
            place.append(2 * stops[kept] - 1)
            tokens.append(joined[kept])
        place, tokens = np.concatenate(place), np.concatenate(tokens)
        order = np.argsort(place, kind="stable")
        rows = owner[piece[place[order] // 2]]  # a compound's place, halved, is its run's last word
        return TokenBatch(rows, tokens[order], self._table, n)

    def _join(self, ids: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        """The token id of each noun run ids[start:stop] joined, -1 when it is a stop lemma."""
        lengths = stops - starts
        ends = np.cumsum(lengths)
        inside = np.repeat(starts - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends) else 0)
        surfaces = list(map(self._word_surface.__getitem__, ids[inside].tolist()))
        compounds, out = self._compounds, []
        for start, stop in zip((ends - lengths).tolist(), ends.tolist()):
            joined = "".join(surfaces[start:stop])
            found = compounds.get(joined)
            if found is None:
                found = compounds[joined] = -1 if joined in self.stop_lemmas else self._table.id(joined)
            out.append(found)
        return np.array(out, dtype=np.int64)

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


def _fast_words():
    """A `pipeline._mecab.Words` on fugashi's own MeCab library and unidic-lite, or False when the extension is not
    built, the library is not where fugashi's wheel puts it, or the walker misreads it (a MeCab build whose word
    struct differs): the tokenizer then reads MeCab's text output. The check: the probe text's words must spell
    the probe and carry unidic feature strings."""
    try:
        from . import _mecab
    except ImportError:
        return False
    import fugashi
    import unidic_lite

    package = Path(fugashi.__file__).resolve().parent
    libraries = [*sorted(package.parent.glob("fugashi.libs/libmecab*")), *sorted(package.glob(".dylibs/libmecab*")),
                 *sorted(package.glob("libmecab*"))]
    for library in libraries:
        try:
            words = _mecab.Words(str(library), ["pubcom", "-r", str(_MECABRC), "-d", unidic_lite.DICDIR])
            raw, new = words.ids([_PROBE])
        except (OSError, RuntimeError, UnicodeError):
            continue
        ids = np.frombuffer(raw, dtype=np.int32)
        spelt = "".join(new[i][0] for i in ids[:-1])
        if spelt == "".join(_PROBE.split()) and all(feature.count(",") >= 5 for _, feature in new) and ids[-1] == -1:
            words.clear()
            return words
    return False
