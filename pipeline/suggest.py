"""Reply suggestions: for each new opinion, the replies already given to the most similar answered opinions.

Most replies of a consultation repeat or adapt an earlier one, and a template reply answers dozens of opinions.
So a reply is one *candidate* however many opinions received it, and each of those opinions is evidence for it:

1. Answered opinions (earlier rounds, a corrected review sheet) and new opinions become TF-IDF vectors of the
   project's own tokens (lemmas of content words, `pipeline.tokenizer`), idf from the answered opinions.
2. For a new opinion, the `neighbours` most similar answered opinions (cosine) vote for their replies with weight
   similarity ** `power`, multiplied by `same_theme` when the answered opinion has the new one's theme.
3. ``suggested_reply_score`` is the share of the neighbours' weight that went to the reply: 0 to 1 (1: every
   similar answered opinion got this reply). Replies are "the same" when equal after `reply_key` (NFKC,
   whitespace removed).

The settings were chosen by measurement (`benchmarks/suggest.py`: K-fold on a real consultation; BM25, word
bigrams, character n-grams, replies' own text, reply centroids, a classifier over frequent replies and a prior for
frequent replies scored no better than this). The same inputs always give the same suggestions (among equally
similar neighbours, the earlier answered row ranks first).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import InputError
from .ingest.tables import (
    ID_COLUMNS,
    RESPONSE_COLUMNS,
    RESPONSE_TYPE_COLUMNS,
    TEXT_COLUMNS,
    THEME_COLUMNS,
    find_column,
)
from .normalize import normalize
from .tokens import TokenBatch, tfidf

SUGGEST_COLUMNS = ["suggested_reply", "suggested_reply_type", "suggested_reply_score", "suggested_reply_source",
                   "suggested_replies"]
ANSWERED_COLUMNS = ["opinion", "response", "source", "theme", "response_type"]
_SPACE = re.compile(r"\s+")
_BLOCK_ROWS = 1_000  # new opinions compared at once: a dense block of _BLOCK_ROWS x answered similarities


def reply_key(text: str) -> str:
    """What makes two replies the same reply: equal after NFKC normalisation with all whitespace removed."""
    key = _SPACE.sub("", normalize(text or ""))
    for _ in range(3):  # removing a space can join a mark to the letter before it, which NFKC then composes
        again = _SPACE.sub("", normalize(key))
        if again == key:
            break
        key = again
    return key


# ---------------------------------------------------------------- answered data
def answered_frame(frame: pd.DataFrame, *, source: str, consultation_id: str = "") -> pd.DataFrame:
    """Rows of a table that carry both an opinion and its reply, as ANSWERED_COLUMNS (``source``:
    ``consultation:row``). An ingested records file's empty reply cell takes the reply it shares
    (``response_shared_with``). How many rows had no reply is in ``attrs["unanswered"]``."""
    from .score import _replies

    opinion = find_column(frame, None, TEXT_COLUMNS, what="opinion text", source=source, option="")
    reply = find_column(frame, None, RESPONSE_COLUMNS, what="reply", source=source, option="", required=False)
    if reply is None:
        raise InputError(f"{source}: no reply column (市の考え方, 回答, response...) to suggest replies from "
                         f"(columns: {', '.join(map(str, frame.columns))})")
    frame = frame.reset_index(drop=True)
    replies = pd.Series(_replies(frame.rename(columns={reply: "response"}), "response")).fillna("").astype(str)
    consultation = _column(frame, ("consultation_id",), consultation_id)
    rows = _column(frame, ID_COLUMNS, "")
    rows = [r or str(i) for i, r in enumerate(rows, start=1)]
    out = pd.DataFrame({
        "opinion": frame[opinion].fillna("").astype(str).str.strip(),
        "response": replies.str.strip(),
        "source": [f"{c or consultation_id}:{r}" for c, r in zip(consultation, rows)],
        "theme": _column(frame, THEME_COLUMNS, ""),
        "response_type": _column(frame, RESPONSE_TYPE_COLUMNS, ""),
    })
    answered = out[(out["opinion"] != "") & (out["response"] != "")].reset_index(drop=True)
    answered.attrs["unanswered"] = int(len(out) - len(answered))
    return answered


def _column(frame: pd.DataFrame, names, default: str) -> list[str]:
    found = find_column(frame, None, names, what="", source="", option="", required=False)
    if found is None:
        return [default] * len(frame)
    return [s.removesuffix(".0") for s in frame[found].fillna("").astype(str).str.strip()]


def read_answered(paths, *, sheet: str | None = None) -> pd.DataFrame:
    """Answered opinions from tables, review sheets, ingested records or published documents, several rounds at
    once; each file's rows are named by its ``consultation_id`` column or its file name. A file with no answered
    row is an error that names it."""
    from .report import consultation_name
    from .score import read_input

    frames, unanswered = [], 0
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        if str(path) == "-":
            raise InputError("--suggest-from reads files, not stdin")
        table = read_input(path, sheet=sheet)
        if Path(path).suffix.lower() == ".txt" and list(table.columns) == ["text"]:
            from .ingest import read_document

            table = read_document(path).records  # a published table saved as text (the Otaru form), not one per line
        table = _checked_rows(table, path)
        frame = answered_frame(table, source=str(path), consultation_id=consultation_name(path))
        if not len(frame):
            raise InputError(f"{path}: no row has both an opinion and a reply to suggest from")
        frames.append(frame)
        unanswered += frame.attrs["unanswered"]
    if not frames:
        raise InputError("no answered file given to suggest replies from")
    answered = pd.concat(frames, ignore_index=True)
    answered.attrs["unanswered"] = unanswered
    return answered


def _checked_rows(table: pd.DataFrame, path) -> pd.DataFrame:
    """A review sheet's rows marked 確認済み; other tables whole. Until staff check a row, its 回答 is the draft of
    an earlier suggestion (`pipeline.review`), and suggesting from it would give the suggester's guesses back as
    answers."""
    from .review import REVIEWED, is_review_sheet, reviewed_rows

    if not is_review_sheet(table):
        return table
    try:
        return reviewed_rows(table, str(path))[0]
    except InputError:
        raise InputError(f"{path}: no row is marked {REVIEWED}; its replies are drafts until checked, so mark the "
                         "rows you have checked before suggesting from the sheet") from None


# ---------------------------------------------------------------- the suggester
class ReplySuggester:
    """Suggests replies from answered opinions (see the module docstring for the method).

    Parameters
    ----------
    tokenizer : callable text -> tokens, or one with ``batch`` (`JapaneseTokenizer`); texts reach it normalised.
    neighbours, power, same_theme : the vote (module docstring). top : how many replies `suggested_replies` lists.
    """

    def __init__(self, *, tokenizer=None, neighbours: int = 10, power: float = 2.0, same_theme: float = 1.5,
                 top: int = 3):
        self.tokenizer = tokenizer
        self.neighbours, self.power, self.same_theme, self.top = neighbours, power, same_theme, top

    def tokens(self, texts) -> TokenBatch:
        """Tokens of normalised texts (the interface `pipeline.score` shares tokens through)."""
        batch = getattr(self.tokenizer, "batch", None)
        return batch(texts) if batch else TokenBatch.from_lists([self.tokenizer(t) for t in texts])

    def shares_tokenizer(self, other) -> bool:
        mine, theirs = self.tokenizer, getattr(other, "tokenizer", None)
        state = getattr(mine, "__getstate__", None)
        return mine is theirs or (type(mine) is type(theirs) and state is not None and state() == theirs.__getstate__())

    def fit(self, answered: pd.DataFrame, *, themes=None, reply_types=None) -> ReplySuggester:
        """Index `answered` (ANSWERED_COLUMNS: opinion, response, source; theme and response_type optional).
        `themes`: each answered opinion's theme (default: its theme column); `reply_types`: callable replies ->
        response types, for replies that no answered row labels."""
        if self.tokenizer is None:
            from .tokenizer import JapaneseTokenizer

            self.tokenizer = JapaneseTokenizer(normalized=True)
        if not len(answered):
            raise InputError("no answered opinion to suggest replies from")
        if self.neighbours < 1 or self.top < 1:
            raise ValueError(f"neighbours and top must be 1 or more, got {self.neighbours} and {self.top}")
        texts = [normalize(t) for t in answered["opinion"]]
        self.vocabulary_, self.idf_, self.matrix_ = _index(self.tokens(texts))
        keys = [reply_key(r) for r in answered["response"]]
        codes, uniques = pd.factorize(pd.Series(keys), sort=False)  # replies in order of first appearance
        first = pd.Series(range(len(keys))).groupby(codes).first().to_numpy()
        self.reply_of_ = codes.astype(np.int64)
        self.replies_ = answered["response"].to_numpy()[first].tolist()  # each reply as first written
        self.support_ = np.bincount(codes, minlength=len(uniques))
        self.sources_ = answered["source"].astype(str).tolist()
        theme = themes if themes is not None else answered.get("theme", pd.Series([""] * len(answered)))
        self.themes_ = np.asarray(pd.Series(list(theme)).fillna("").astype(str))
        self.types_ = _reply_types(answered, codes, len(uniques), self.replies_, reply_types)
        return self

    def suggest(self, texts, *, themes=None, tokens=None) -> pd.DataFrame:
        """SUGGEST_COLUMNS for each normalised text (empty where no answered opinion shares a word with it).
        `themes`: each text's theme (predicted), `tokens`: their tokens when already computed."""
        if not hasattr(self, "matrix_"):
            raise ValueError("ReplySuggester is not fitted; call fit(answered) first")
        texts = list(texts)
        tokens = self.tokens(texts) if tokens is None else tokens
        query = tfidf(tokens, self.vocabulary_, self.idf_)
        themes = np.asarray(["" if t is None else str(t) for t in themes] if themes is not None else [""] * len(texts))
        picks = []
        for start in range(0, len(texts), _BLOCK_ROWS):
            stop = min(start + _BLOCK_ROWS, len(texts))
            picks += self._block(query[start:stop], themes[start:stop])
        return self._columns(picks)

    def _block(self, query, themes) -> list[list[tuple]]:
        """Per row: up to `top` (reply index, score, answered row of its most similar supporter), best first."""
        similarity = (query @ self.matrix_.T).toarray().astype(np.float32)
        near = _most_similar(similarity, min(self.neighbours, similarity.shape[1]))
        sims = np.take_along_axis(similarity, near, axis=1).astype(np.float64)
        weights = np.maximum(sims, 0.0) ** self.power
        same = (self.themes_[near] == themes[:, None]) & (themes[:, None] != "")
        weights = np.where(same, weights * self.same_theme, weights)
        return [self._vote(n, w) for n, w in zip(near.tolist(), weights.tolist())]

    def _vote(self, near: list[int], weights: list[float]) -> list[tuple]:
        total = sum(weights)
        if total <= 0:
            return []
        votes: dict[int, list] = {}  # reply -> [weight, first (most similar) supporter]; insertion: similarity order
        for row, weight in zip(near, weights):
            if weight > 0:
                vote = votes.setdefault(int(self.reply_of_[row]), [0.0, row])
                vote[0] += weight
        ranked = sorted(votes.items(), key=lambda item: -item[1][0])  # stable: ties keep similarity order
        return [(reply, weight / total, row) for reply, (weight, row) in ranked[: self.top]]

    def _columns(self, picks: list[list[tuple]]) -> pd.DataFrame:
        def listed(pick):
            return json.dumps([{"reply": self.replies_[r], "score": round(s, 4), "source": self.sources_[row],
                                "support": int(self.support_[r])} for r, s, row in pick], ensure_ascii=False)

        return pd.DataFrame({
            "suggested_reply": [self.replies_[p[0][0]] if p else "" for p in picks],
            "suggested_reply_type": [self.types_[p[0][0]] if p else "" for p in picks],
            "suggested_reply_score": [round(p[0][1], 4) if p else np.nan for p in picks],
            "suggested_reply_source": [self.sources_[p[0][2]] if p else "" for p in picks],
            "suggested_replies": [listed(p) if p else "" for p in picks],
        })


def _most_similar(similarity: np.ndarray, k: int) -> np.ndarray:
    """The columns of each row's `k` largest values, largest first, the first column among equal values: `k`
    passes of argmax. Faster than argpartition here, which slows down on the many equal similarities (zeros) of a
    row, and ties are broken the same way every time."""
    similarity = similarity.copy()
    rows = np.arange(len(similarity))
    near = np.empty((len(similarity), k), dtype=np.int64)
    for i in range(k):
        near[:, i] = similarity.argmax(axis=1)
        similarity[rows, near[:, i]] = -np.inf
    return near


def _index(tokens: TokenBatch):
    """Vocabulary, smoothed idf (as scikit-learn's TfidfVectorizer) and the l2-normalised TF-IDF of the answered."""
    names = tokens.table.names
    present = np.unique(tokens.token)
    vocabulary = {names[i]: j for j, i in enumerate(sorted(present.tolist(), key=names.__getitem__))}
    counts = tokens.counts(vocabulary)
    df = np.bincount(counts.indices, minlength=len(vocabulary))
    idf = np.log((1 + counts.shape[0]) / (1 + df)) + 1.0
    return vocabulary, idf, sp.csr_matrix(tfidf(tokens, vocabulary, idf))


def _reply_types(answered: pd.DataFrame, codes, n: int, replies: list[str], predict) -> list[str]:
    """Each reply's response type: the most common label among its rows, else `predict`'s, else blank."""
    labels = answered["response_type"].fillna("").astype(str) if "response_type" in answered else pd.Series([""] * len(codes))
    types = [""] * n
    counted = pd.DataFrame({"reply": codes, "type": labels.to_numpy()})
    counted = counted[counted["type"] != ""]
    for reply, group in counted.groupby("reply", sort=False):
        types[int(reply)] = group["type"].value_counts().index[0]
    missing = [i for i in range(n) if not types[i]]
    if missing and predict is not None:
        for i, label in zip(missing, predict([replies[i] for i in missing])):
            types[i] = label
    return types


# ---------------------------------------------------------------- with a model
def build_suggester(model, answered, *, sheet: str | None = None) -> ReplySuggester:
    """A fitted `ReplySuggester` for `model` (a trained or loaded model): it tokenizes as the model's theme
    estimator, reads the answered opinions' themes from their labels (ids of the model's themes) else from the
    model, and a reply's response type from its rows' labels else from the model's reply estimator.
    `answered`: a file, several files (`read_answered`), an answered DataFrame or an `answered_frame`."""
    if isinstance(answered, ReplySuggester):
        return answered
    if isinstance(answered, pd.DataFrame):
        answered = answered if list(answered.columns[:3]) == ANSWERED_COLUMNS[:3] else \
            answered_frame(answered, source="answered", consultation_id="answered")
    else:
        answered = read_answered(answered, sheet=sheet)
    theme = getattr(model, "theme", None)
    tokenizer = theme.tokenizer if theme is not None else None
    themes = None
    if theme is not None:
        texts = [normalize(t) for t in answered["opinion"]]
        proba = theme.predict_proba_features(theme.features(texts))
        predicted = theme.classes_[np.argmax(proba, axis=1)]
        known = set(theme.classes_.tolist())
        themes = [label if label in known else guess for label, guess in zip(answered["theme"], predicted)]
    reply_model = getattr(model, "response_type", None)
    reply_types = None
    if reply_model is not None:
        known = set(reply_model.classes_.tolist())  # a label of another taxonomy is predicted again
        answered = answered.assign(response_type=[t if t in known else "" for t in answered["response_type"]])
        def reply_types(replies):
            normal = [normalize(r) for r in replies]
            proba = reply_model.predict_proba_features(reply_model.features(normal))
            return reply_model.classes_[np.argmax(proba, axis=1)].tolist()
    suggester = ReplySuggester(tokenizer=tokenizer)
    return suggester.fit(answered, themes=themes, reply_types=reply_types)


def suggest_frame(model, data, answered, **options) -> pd.DataFrame:
    """`model.suggest`: the input (texts or a DataFrame) with SUGGEST_COLUMNS, the themes they are matched on
    predicted by `model`; `options` as `pipeline.score.score_frame`'s (text_column, ...)."""
    from .score import PRED_COLUMNS, score_frame

    suggester = build_suggester(model, answered)
    scored = score_frame(model, data, suggest_from=suggester, **options)
    return scored.drop(columns=[c for c in PRED_COLUMNS if c in scored.columns])
