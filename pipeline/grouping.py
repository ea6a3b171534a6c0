"""Grouping opinions that say the same thing: organised campaigns, copies with a greeting or a signature added,
small edits, width and punctuation variants.

Each text is normalised (`pipeline.normalize`: NFKC, width, spacing), then

1. an exact duplicate of an earlier normalised text joins that text's group (a 64-bit digest, no MinHash needed);
2. any other text of at least ``MIN_NEAR_CHARS`` characters is compared with MinHash over its character 3-grams
   (Japanese has no spaces; characters see inside compounds) and datasketch's ``MinHashLSH`` finds earlier texts
   whose estimated Jaccard similarity may reach ``THRESHOLD``; the most similar one at or above it gives the group.
   Shorter texts (「賛成です」「反対です」) are grouped only when identical: a few characters cannot tell an edit from a
   different opinion.

Texts are taken in input order, so group ids are numbered by first appearance and the result does not depend on how
the input is chunked. The index holds a few texts of each group (its first, and up to ``MAX_ANCHORS`` members
less similar than ``ANCHOR_BELOW`` to every text already held), never every row: memory grows with the number of
distinct opinions, not with the number of rows. The signatures are computed with numpy for a whole chunk at once,
with datasketch's own permutations and mixing (`MinHash(hashfunc=...)` gives the same values, see the tests).
"""
from __future__ import annotations

import hashlib
from array import array

import numpy as np

from .normalize import normalize

THRESHOLD = 0.5  # Jaccard of character 3-grams: benchmarks/grouping.py measures the choice
NUM_PERM = 128
SHINGLE = 3
MIN_NEAR_CHARS = 12
ANCHOR_BELOW = 0.8
MAX_ANCHORS = 16
SEED = 1
GROUP_COLUMNS = ("group_id", "group_size", "group_representative")
_MASK = np.uint32(0xFFFFFFFF)
_MIX = (np.uint32(0x9E3779B1), np.uint32(0x85EBCA77), np.uint32(0xC2B2AE3D), np.uint32(0x27D4EB2F))
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, as datasketch's "affine32" scheme mixes each input hash before permuting it."""
    s1, m1, s2, m2, s3 = _FMIX
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def _codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts' code points in one array, and where each text starts (plus the end)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return points, starts


def _shingle_hashes(points: np.ndarray, k: int) -> np.ndarray:
    """A 32-bit hash of the k characters starting at every position (positions near the end see zeros)."""
    padded = np.concatenate([points, np.zeros(k, dtype=np.uint32)])
    with np.errstate(over="ignore"):
        hashes = np.zeros(len(points), dtype=np.uint32)
        for j in range(k):  # a different odd multiplier per place: 「市民」 and 「民市」 differ
            hashes = (hashes ^ padded[j: j + len(points)]) * _MIX[j % len(_MIX)]
    return hashes


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """The distinct hashes of one text's character k-grams (what the signature is a MinHash of)."""
    points, _ = _codepoints([text])
    return np.unique(_shingle_hashes(points, k)[: max(len(text) - k + 1, 0)])


def permutations(num_perm: int = NUM_PERM, seed: int = SEED):
    """datasketch's permutation parameters (a, b) for `num_perm` and `seed`."""
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations


def signatures(texts: list[str], *, num_perm: int = NUM_PERM, seed: int = SEED, k: int = SHINGLE) -> np.ndarray:
    """MinHash signatures (len(texts) x num_perm, uint32) of texts of at least `k` characters: the values
    ``datasketch.MinHash(num_perm, seed, hashfunc=int).update_batch(shingle_hashes(text))`` gives, for all at once."""
    if any(len(t) < k for t in texts):
        raise ValueError(f"signatures need texts of at least {k} characters")
    out = np.empty((len(texts), num_perm), dtype=np.uint32)
    if not texts:
        return out
    points, starts = _codepoints(texts)
    mixed = _fmix32(_shingle_hashes(points, k))
    valid = np.ones(len(points), dtype=bool)
    for back in range(1, k):  # the last k-1 positions of each text would reach into the next one
        valid[starts[1:] - back] = False
    a, b = permutations(num_perm, seed)
    keep = np.flatnonzero(valid)
    mixed = mixed[keep]
    first = np.searchsorted(keep, starts[:-1])  # where each text's shingles begin among those kept
    with np.errstate(over="ignore"):
        for p in range(num_perm):
            out[:, p] = np.minimum.reduceat(mixed * a[p] + b[p], first)
    return out


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


class Grouper:
    """Group ids for texts given in order, chunk after chunk (`add`); then each group's size and representative.

    The representative of a group is its most complete text: the longest after normalisation, the first on a tie.
    """

    def __init__(self, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, seed: int = SEED):
        from datasketch import MinHash, MinHashLSH

        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be above 0 and at most 1, got {threshold}")
        self.threshold, self.num_perm, self.seed = threshold, num_perm, seed
        self._index = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._template = MinHash(num_perm=num_perm, seed=seed, scheme="affine32")
        self._exact: dict[int, int] = {}
        self._held = np.empty((1024, num_perm), dtype=np.uint32)  # signatures of the texts in the index
        self._held_group = array("q")
        self._anchors = array("l")  # per group: how many of its texts the index holds
        self.ids = array("q")  # per row: its group (0-based; `group_ids` numbers them from 1)
        self.sizes = array("q")
        self.best_row = array("q")
        self._best_len = array("q")

    def add(self, texts) -> np.ndarray:
        """Group the next texts (raw; normalised here); returns their 0-based group ids."""
        texts = [normalize(t) for t in texts]
        keys = [_digest(t) if t else None for t in texts]
        fresh, seen = [], set()
        for i, (text, key) in enumerate(zip(texts, keys)):
            if key is not None and key not in self._exact and key not in seen and len(text) >= MIN_NEAR_CHARS:
                fresh.append(i)
                seen.add(key)
        sigs = dict(zip(fresh, signatures([texts[i] for i in fresh], num_perm=self.num_perm, seed=self.seed)))
        start = len(self.ids)
        for i, (text, key) in enumerate(zip(texts, keys)):
            group = self._exact.get(key) if key is not None else None
            if group is None:
                group = self._near(sigs[i]) if i in sigs else self._new_group()
                if key is not None:
                    self._exact[key] = group
            self._count(group, start + i, len(text))
        return np.frombuffer(self.ids, dtype=np.int64)[start:].copy()

    def _near(self, sig: np.ndarray) -> int:
        """The group of the most similar text held at or above the threshold, else a new group."""
        query = self._sketch(sig)
        candidates = np.fromiter(self._index.query(query), dtype=np.int64)
        best, group = 0.0, None
        if len(candidates):
            similarity = (self._held[candidates] == sig).mean(axis=1)
            at = int(np.argmax(similarity))
            best = float(similarity[at])
            if best >= self.threshold:
                group = self._held_group[int(candidates[at])]
        if group is None:
            group = self._new_group()
        if best < ANCHOR_BELOW and self._anchors[group] < MAX_ANCHORS:
            self._hold(group, sig, query)
        return group

    def _sketch(self, sig: np.ndarray):
        from datasketch import MinHash

        return MinHash(seed=self.seed, hashvalues=sig, permutations=self._template.permutations, scheme="affine32")

    def _hold(self, group: int, sig: np.ndarray, sketch) -> None:
        at = len(self._held_group)
        if at == len(self._held):
            self._held = np.concatenate([self._held, np.empty_like(self._held)])
        self._held[at] = sig
        self._held_group.append(group)
        self._anchors[group] += 1
        self._index.insert(at, sketch, check_duplication=False)

    def _new_group(self) -> int:
        for column in (self.sizes, self._anchors, self._best_len):
            column.append(0)
        self.best_row.append(-1)
        return len(self.sizes) - 1

    def _count(self, group: int, row: int, length: int) -> None:
        self.ids.append(group)
        self.sizes[group] += 1
        if length > self._best_len[group] or self.best_row[group] < 0:
            self._best_len[group], self.best_row[group] = length, row

    def columns(self, start: int, stop: int) -> dict:
        """group_id (from 1), group_size and group_representative of rows start..stop-1."""
        ids = np.frombuffer(self.ids, dtype=np.int64)[start:stop]
        sizes = np.frombuffer(self.sizes, dtype=np.int64)
        best = np.frombuffer(self.best_row, dtype=np.int64)
        return {"group_id": ids + 1, "group_size": sizes[ids],
                "group_representative": best[ids] == np.arange(start, stop)}

    def summary(self) -> dict:
        """Rows, groups, groups of more than one row and the rows in them, the largest group's size, the threshold."""
        sizes = np.frombuffer(self.sizes, dtype=np.int64)
        shared = sizes[sizes > 1]
        return {"rows": len(self.ids), "groups": len(sizes), "shared_groups": len(shared),
                "shared_rows": int(shared.sum()), "largest": int(sizes.max()) if len(sizes) else 0,
                "threshold": self.threshold}


def _with_groups(chunk, grouper: Grouper, start: int):
    out = chunk.drop(columns=[c for c in GROUP_COLUMNS if c in chunk.columns])
    for name, values in grouper.columns(start, start + len(chunk)).items():
        out[name] = values
    return out


def group_frame(frame, *, text_column: str | None = None, threshold: float = THRESHOLD, source: str = "input"):
    """`frame` with group_id, group_size and group_representative added (replaced when it has them)."""
    from .ingest.tables import TEXT_COLUMNS, find_column

    frame = frame.reset_index(drop=True)
    column = find_column(frame, text_column, TEXT_COLUMNS, what="opinion text", source=source, option="--text-column")
    grouper = Grouper(threshold=threshold)
    grouper.add(frame[column].tolist())
    return _with_groups(frame, grouper, 0)


def group_file(source, out, *, text_column: str | None = None, threshold: float = THRESHOLD, sheet: str | None = None,
               chunk_rows: int | None = None, stdin=None, stdout=None) -> dict:
    """Group the rows of `source` (a path or '-') into `out` (.csv / .jsonl / .xlsx / '-'): every row and column in
    order, plus the group columns. Read twice in chunks (the sizes are known only at the end), so memory holds the
    groups, not the rows; standard input, which cannot be read twice, is held in memory. `out` may be `source`
    (the output is written to a temporary file and renamed). Returns `Grouper.summary()`."""
    from ._progress import progress
    from .ingest.tables import TEXT_COLUMNS, find_column
    from .output import check_output, open_output
    from .stream import CHUNK_ROWS, iter_input

    check_output(out)
    if not 0.0 < threshold <= 1.0:
        from .errors import InputError

        raise InputError(f"--threshold must be above 0 and at most 1 (a Jaccard similarity), got {threshold}")
    options = dict(sheet=sheet, chunk_rows=chunk_rows or CHUNK_ROWS)
    kept = [] if str(source) == "-" else None
    grouper, column = Grouper(threshold=threshold), None
    for chunk in progress(iter_input(source, stdin=stdin, **options), desc="grouping rows", size=len):
        if column is None:
            column = find_column(chunk, text_column, TEXT_COLUMNS, what="opinion text", source=str(source),
                                 option="--text-column")
        grouper.add(chunk[column].tolist())
        if kept is not None:
            kept.append(chunk)
    start = 0
    with open_output(out, stdout=stdout) as write:
        for chunk in kept if kept is not None else iter_input(source, **options):
            if start + len(chunk) > len(grouper.ids):
                break
            write(_with_groups(chunk, grouper, start))
            start += len(chunk)
        if start != len(grouper.ids):  # the file changed between the two readings: nothing is written
            from .errors import InputError

            raise InputError(f"{source}: the rows changed between the two readings ({len(grouper.ids)} rows read "
                             "first); was the file being written?")
    return grouper.summary()
