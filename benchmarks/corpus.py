"""Realistic benchmark comments, resampled from the data the project ships (nothing downloaded, nothing invented).

Sources: the Otaru opinions and replies (data/raw, via `pipeline.read_document`), the taxonomy's authored examples
and data/raw/unseen-sample.csv. A generated comment is a random recombination of whole sentences, with as many
sentences as a real comment has (drawn from the sources' own distribution), so its length, vocabulary and
punctuation look like the real thing. A fixed seed makes every run see the same texts.
"""
from __future__ import annotations

import random
import re

import pandas as pd

from pipeline import config
from pipeline.ingest import read_document
from pipeline.train import embedded_labelled, load_examples

_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(str(text)) if s.strip()]


def _opinions() -> tuple[list[str], list[str]]:
    """(the real residents' opinions: Otaru and the unseen sample, the taxonomy's authored examples)."""
    real = read_document(config.DEFAULT_DOCUMENT).records["opinion"].tolist()
    unseen = pd.read_csv(config.DEFAULT_UNSEEN, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    real += unseen.iloc[:, -1].tolist()
    authored = load_examples()["opinion"].tolist()
    return [t for t in real if str(t).strip()], [t for t in authored if str(t).strip()]


def comments(n: int, *, seed: int = 0) -> list[str]:
    """`n` comments made of the source opinions' sentences, recombined. Sentences come from every source; the
    number of sentences per comment follows the real opinions (the authored examples are written short on purpose,
    so they would make comments shorter than residents write them)."""
    rng = random.Random(seed)
    real, authored = _opinions()
    pool = [s for text in real + authored for s in _sentences(text)]
    lengths = [len(_sentences(text)) for text in real]
    return ["".join(rng.choice(pool) for _ in range(rng.choice(lengths))) for _ in range(n)]


def labelled(n: int, *, seed: int = 0) -> pd.DataFrame:
    """`n` labelled rows: each copies a real or authored row's labels and reply, and recombines the sentences of
    opinions that share its theme (so that the labels still fit the text)."""
    rng = random.Random(seed)
    base = pd.concat([embedded_labelled(), load_examples()], ignore_index=True)
    for column in ("opinion", "response", "theme", "response_type"):
        base[column] = base[column].fillna("").astype(str)
    base = base[(base["theme"] != "") & (base["opinion"] != "")].reset_index(drop=True)
    by_theme: dict[str, list[str]] = {}
    for theme, opinion in zip(base["theme"], base["opinion"]):
        by_theme.setdefault(theme, []).extend(_sentences(opinion))
    rows = []
    for i in range(n):
        source = base.iloc[rng.randrange(len(base))]
        pool = by_theme[source["theme"]]
        opinion = "".join(rng.choice(pool) for _ in range(rng.randint(1, 4)))
        rows.append({"consultation_id": "bench", "row_no": i + 1, "opinion": opinion, "response": source["response"],
                     "theme": source["theme"], "response_type": source["response_type"], "source": "real"})
    return pd.DataFrame(rows)
