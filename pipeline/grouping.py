"""Grouping opinions that say the same thing: organised campaigns, copies with a greeting or a signature added,
small edits, width and punctuation variants.

Each text is normalised (`pipeline.normalize`: NFKC, width, spacing), then

1. an exact duplicate of an earlier normalised text joins that text's group (a 64-bit digest, no MinHash needed);
2. any other text of at least ``MIN_NEAR_CHARS`` characters is compared with MinHash over its character 3-grams
   (Japanese has no spaces; characters see inside compounds) and datasketch's ``MinHashLSH`` finds earlier texts
   whose estimated Jaccard similarity may reach ``THRESHOLD``; those at or above it give the group (two groups a
   text is similar to become one).
   Shorter texts (「賛成です」「反対です」) are grouped only when identical: in a few words one changed word is another
   opinion (「蔵書を」 for 「司書を」), yet two thirds of the 3-grams stay.

Texts are taken in input order, so group ids are numbered by first appearance and the result does not depend on how
the input is chunked. The index holds a few texts of each group (its first, and up to ``MAX_ANCHORS`` members
less similar than ``ANCHOR_BELOW`` to every text already held), never every row: memory grows with the number of
distinct opinions, not with the number of rows. The signatures are computed with numpy for a whole chunk at once,
with datasketch's own permutations and mixing (`MinHash(hashfunc=...)` gives the same values, see the tests).
"""
from __future__ import annotations

import hashlib
import re
from array import array

import numpy as np

from .config import GROUP_THRESHOLD
from .normalize import normalize

THRESHOLD = GROUP_THRESHOLD
NUM_PERM = 128
SHINGLE = 3
MIN_NEAR_CHARS = 30  # shorter: one word changes the opinion (司書 for 蔵書) yet keeps 2/3 of the 3-grams
ANCHOR_BELOW = 0.8
MAX_ANCHORS = 16
SEED = 1
BATCH_CHARS = 2_000_000  # characters per signature batch: about 50 MB of working arrays
GROUP_COLUMNS = ("group_id", "group_size", "group_representative")
# Punctuation, brackets and spaces say nothing of the opinion, and copies vary them most (，for 、, a line break per
# sentence): the grouping key leaves them out; a text's normalised form is kept for the representative.
_UNSAID = re.compile(r"[\s、。,.・:;!?\"'()\[\]{}「」『』【】〈〉《》〔〕“”‘’…‥~〜―—\-*/#※→]+")
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


def grouping_key(text) -> str:
    """What two texts must share to be copies: the normalised text without punctuation, brackets and spaces."""
    return _UNSAID.sub("", normalize(text))


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


class Grouper:
    """Group ids for texts given in order, chunk after chunk (`add`); then each group's size and representative.

    A text similar (at or above the threshold) to held texts of two groups joins them into one: a copy edited two
    ways can bridge two groups that began from differently edited copies. The representative of a group is its most
    complete text: the longest after normalisation, the first on a tie.
    """

    def __init__(self, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, seed: int = SEED, shingle: int = SHINGLE):
        from datasketch import MinHash, MinHashLSH

        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be above 0 and at most 1, got {threshold}")
        self.threshold, self.num_perm, self.seed, self.shingle = threshold, num_perm, seed, shingle
        self._index = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._template = MinHash(num_perm=num_perm, seed=seed, scheme="affine32")
        self._exact: dict[int, int] = {}
        self._held = np.empty((1024, num_perm), dtype=np.uint32)  # signatures of the texts in the index
        self._held_group = array("q")
        self.ids = array("q")  # per row: the group it joined (possibly joined into another since: `_find`)
        # per group: the group it was joined into (itself for a root), rows, texts held, best row and its length
        self._parent, self._sizes, self._anchors, self._best_row, self._best_len = (array("q") for _ in range(5))

    def add(self, texts) -> None:
        """Group the next texts (raw; normalised here)."""
        normalised = [normalize(t) for t in texts]
        keys = [_UNSAID.sub("", t) for t in normalised]
        digests = [_digest(k) if k else None for k in keys]
        fresh, seen = [], set()
        for i, (key, digest) in enumerate(zip(keys, digests)):
            if digest is not None and digest not in self._exact and digest not in seen and len(key) >= MIN_NEAR_CHARS:
                fresh.append(i)
                seen.add(digest)
        sigs = dict(zip(fresh, self._signatures([keys[i] for i in fresh])))
        for i, digest in enumerate(digests):
            group = self._exact.get(digest) if digest is not None else None
            if group is None:
                group = self._near(sigs[i]) if i in sigs else self._new_group()
                if digest is not None:
                    self._exact[digest] = group
            self._count(self._find(group), len(self.ids), len(normalised[i]))

    def _signatures(self, texts: list[str]):
        """`signatures` of `texts` in batches of about BATCH_CHARS characters (its arrays grow with the characters)."""
        start, total = 0, 0
        for stop, text in enumerate(texts, start=1):
            total += len(text)
            if total >= BATCH_CHARS or stop == len(texts):
                yield from signatures(texts[start:stop], num_perm=self.num_perm, seed=self.seed, k=self.shingle)
                start, total = stop, 0

    def _near(self, sig: np.ndarray) -> int:
        """The group of the held texts at or above the threshold (joined into one), else a new group."""
        query = self._sketch(sig)
        candidates = np.fromiter(self._index.query(query), dtype=np.int64)
        similarity = (self._held[candidates] == sig).mean(axis=1) if len(candidates) else np.zeros(0)
        groups = sorted({self._find(self._held_group[int(c)]) for c in candidates[similarity >= self.threshold]})
        group = groups[0] if groups else self._new_group()
        for other in groups[1:]:
            self._join(group, other)
        if (not len(similarity) or similarity.max() < ANCHOR_BELOW) and self._anchors[group] < MAX_ANCHORS:
            self._hold(group, sig, query)
        return group

    def _find(self, group: int) -> int:
        root = group
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[group] != root:  # path compression: later lookups take one step
            self._parent[group], group = root, self._parent[group]
        return root

    def _join(self, root: int, other: int) -> None:
        """Join root `other` into root `root` (the earlier group, so ids keep their order of first appearance)."""
        self._parent[other] = root
        self._sizes[root] += self._sizes[other]
        self._anchors[root] += self._anchors[other]
        longer = self._best_len[other] > self._best_len[root]
        tie_earlier = self._best_len[other] == self._best_len[root] and self._best_row[other] < self._best_row[root]
        if longer or tie_earlier:
            self._best_len[root], self._best_row[root] = self._best_len[other], self._best_row[other]

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
        self._parent.append(len(self._parent))
        for column in (self._sizes, self._anchors, self._best_len):
            column.append(0)
        self._best_row.append(-1)
        return len(self._parent) - 1

    def _count(self, group: int, row: int, length: int) -> None:
        self.ids.append(group)
        self._sizes[group] += 1
        if length > self._best_len[group] or self._best_row[group] < 0:
            self._best_len[group], self._best_row[group] = length, row

    def labels(self) -> np.ndarray:
        """Every row's group, numbered from 1 in order of first appearance."""
        roots = np.fromiter((self._find(g) for g in range(len(self._parent))), dtype=np.int64, count=len(self._parent))
        _, number = np.unique(roots, return_inverse=True)  # roots are the earliest group of each: order kept
        return number[np.frombuffer(self.ids, dtype=np.int64)] + 1

    def columns(self, start: int, stop: int, labels: np.ndarray | None = None) -> dict:
        """group_id (from 1), group_size and group_representative of rows start..stop-1 (`labels`: `labels()`)."""
        roots = np.fromiter((self._find(g) for g in self.ids[start:stop]), dtype=np.int64, count=stop - start)
        labels = self.labels() if labels is None else labels
        sizes = np.frombuffer(self._sizes, dtype=np.int64)
        best = np.frombuffer(self._best_row, dtype=np.int64)
        return {"group_id": labels[start:stop], "group_size": sizes[roots],
                "group_representative": best[roots] == np.arange(start, stop)}

    def summary(self) -> dict:
        """Rows, groups, groups of more than one row and the rows in them, the largest group's size, the threshold."""
        roots = [g for g in range(len(self._parent)) if self._parent[g] == g]
        sizes = np.frombuffer(self._sizes, dtype=np.int64)[roots]
        shared = sizes[sizes > 1]
        return {"rows": len(self.ids), "groups": len(sizes), "shared_groups": len(shared),
                "shared_rows": int(shared.sum()), "largest": int(sizes.max()) if len(sizes) else 0,
                "threshold": self.threshold}
