"""Themes found in unlabelled opinions (`pubcom taxonomy discover`): a draft taxonomy to review, correct and train on.

Copies are put together first (`pipeline.grouping`): each distinct opinion counts once, so a campaign of a thousand
copies does not take over the themes; every row then gets its group's theme. The distinct opinions become TF-IDF
vectors of the project's lemmas joined with TF-IDF of character 1-2 grams (each part unit length), linked to their
``NEIGHBOURS`` nearest neighbours (cosine), and cut into themes by spectral clustering of that graph. Chosen on the
6th Basic Environment Plan's opinions against the analyst's ten topics (benchmarks/discovery.py): adjusted mutual
information 0.51 where plain NMF on lemma TF-IDF gives 0.42 and k-means 0.36.

Above ``FIT_MAX`` distinct opinions the graph is built on a seeded sample of them and every other opinion joins the
theme whose centre is most similar (the graph grows with the square of its size).

``--themes auto`` takes the number of themes after the largest eigengap of the graph's normalised Laplacian (the
textbook criterion of spectral clustering, von Luxburg 2007, 8.3), from ``MIN_AUTO`` to ``MAX_AUTO`` themes and at most
a tenth of the distinct opinions. Below five, the first gaps only split a consultation into its two or three
largest blocks (on the real opinions the gap after 3 was the largest), too coarse for a draft to review; the mean
silhouette, tried too, grew with the number of themes up to the limit (benchmarks/results.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import InputError

NEIGHBOURS = 10
MIN_AUTO, MAX_AUTO = 5, 30
REPRESENTATIVES = 3
FIT_MAX = 4000  # distinct opinions in the graph; the others join the nearest theme (5,000: 24 s, 0.5 GiB)
SUGGESTED = 8
_KANA = re.compile("[\u3041-\u309f]")  # hiragana


@dataclass
class Discovery:
    """What was found: one theme number per input row (-1: no text), and per theme its words and representatives."""

    labels: np.ndarray  # per row
    scores: np.ndarray  # per row: cosine similarity to its theme's centre (how typical the row is)
    words: list[list[str]]  # per theme: most distinctive lemmas, best first
    representatives: list[list[int]]  # per theme: rows closest to the centre
    sizes: list[tuple[int, int]]  # per theme: (distinct opinions, rows)
    chosen_by: str  # "given" or "eigengap"


def features(texts: list[str]):
    """Unit-length rows: lemma TF-IDF and character 1-2 gram TF-IDF side by side, each part of unit length."""
    from scipy.sparse import hstack
    from sklearn.preprocessing import normalize as unit

    from .features import char_vectorizer, token_vectorizer
    from .tokenizer import JapaneseTokenizer

    lemmas = token_vectorizer(JapaneseTokenizer(normalized=True), min_df=2 if len(texts) >= 40 else 1)
    lemmas.max_df = 0.5  # a word in half the opinions names the consultation, not a theme
    chars = char_vectorizer(ngram_range=(1, 2), min_df=2 if len(texts) >= 40 else 1)
    parts = [unit(v.fit_transform(texts)) for v in (lemmas, chars)]
    return unit(hstack(parts).tocsr())


def neighbour_graph(matrix):
    """The symmetric k-nearest-neighbour graph (cosine), as SpectralClustering builds it."""
    from sklearn.neighbors import kneighbors_graph

    k = min(NEIGHBOURS, matrix.shape[0] - 1)
    graph = kneighbors_graph(matrix, k, metric="cosine", include_self=True)
    return 0.5 * (graph + graph.T)


def _cluster(graph, k: int, seed: int) -> np.ndarray:
    import warnings

    from sklearn.cluster import SpectralClustering

    with warnings.catch_warnings():  # opinions apart from all others leave the graph in pieces: expected, not news
        warnings.filterwarnings("ignore", message="Graph is not fully connected")
        return SpectralClustering(k, affinity="precomputed", random_state=seed,
                                  assign_labels="kmeans").fit_predict(graph)


def eigengap_themes(graph, *, least: int = MIN_AUTO, most: int = MAX_AUTO) -> int:
    """The number of themes (least..most) after the largest gap among the smallest eigenvalues of the graph's
    normalised Laplacian."""
    from scipy.sparse.csgraph import laplacian
    from scipy.sparse.linalg import eigsh

    n = graph.shape[0]
    most = max(least, min(most, n // 10, n - 2))
    values = np.sort(eigsh(laplacian(graph, normed=True), k=most + 1, which="SM", tol=1e-6, v0=np.ones(n))[0])
    gaps = np.diff(values)[least - 1: most]  # gaps[i]: between eigenvalue least+i and the next (v0 fixed: same run)
    return int(np.argmax(gaps)) + least


def discover(texts, *, themes: int | str = "auto", seed: int = 0) -> Discovery:
    """Themes of `texts` (raw; normalised here). `themes`: a number, or "auto" (eigengap)."""
    from .grouping import Grouper
    from .normalize import normalize

    texts = [normalize(t) for t in texts]
    grouper = Grouper()
    grouper.add(texts)
    groups = grouper.labels()
    usable = np.array([bool(t) for t in texts])
    first = _first_rows(groups, usable)
    distinct = [texts[i] for i in first]
    if themes != "auto" and (not isinstance(themes, int) or themes < 2):
        raise InputError(f"--themes must be 2 or more, or auto; got {themes}")
    least = themes if themes != "auto" else MIN_AUTO
    if len(distinct) < max(2 * least, NEIGHBOURS + 2):
        raise InputError(f"{len(distinct)} distinct opinions with text: too few to find {least} or more themes "
                         f"(at least {max(2 * least, NEIGHBOURS + 2)} are needed)")
    matrix = features(distinct)
    sample = _sample(len(distinct), seed)
    graph = neighbour_graph(matrix[sample])
    k, chosen_by = (eigengap_themes(graph), "eigengap") if themes == "auto" else (themes, "given")
    found = _nearest_theme(matrix, sample, _cluster(graph, k, seed), k)
    found = _by_size(found, k)
    return _describe(texts, groups, usable, first, found, matrix, k, chosen_by)


def _sample(n: int, seed: int) -> np.ndarray:
    """The distinct opinions the graph is built on: all of them up to FIT_MAX, else FIT_MAX drawn with the seed
    (the neighbour graph costs time and memory with the square of its size)."""
    if n <= FIT_MAX:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, FIT_MAX, replace=False))


def _nearest_theme(matrix, sample: np.ndarray, found: np.ndarray, k: int) -> np.ndarray:
    """Every distinct opinion's theme: its own for those in the sample, the most similar theme centre (cosine)
    for the others."""
    from sklearn.preprocessing import normalize as unit

    if len(sample) == matrix.shape[0]:
        return found
    centres = unit(np.vstack([np.asarray(matrix[sample[found == t]].mean(axis=0)) for t in range(k)]))
    out = np.asarray((matrix @ centres.T).argmax(axis=1)).ravel()
    out[sample] = found
    return out


def _first_rows(groups: np.ndarray, usable: np.ndarray) -> list[int]:
    """The first row of each group that has text (rows of a group share its theme)."""
    seen, first = set(), []
    for row, group in enumerate(groups.tolist()):
        if usable[row] and group not in seen:
            seen.add(group)
            first.append(row)
    return first


def _by_size(found: np.ndarray, k: int) -> np.ndarray:
    """Theme numbers renumbered largest first (ties: the theme met first), so theme_1 is the biggest."""
    counts = np.bincount(found, minlength=k)
    first_seen = np.array([np.flatnonzero(found == t)[0] if counts[t] else len(found) for t in range(k)])
    order = np.lexsort((first_seen, -counts))
    rank = np.empty(k, dtype=int)
    rank[order] = np.arange(k)
    return rank[found]


def _describe(texts, groups, usable, first, found, matrix, k, chosen_by) -> Discovery:
    from sklearn.preprocessing import normalize as unit

    from .taxonomy_draft import distinctive_lemmas

    centres = unit(np.vstack([np.asarray(matrix[found == t].mean(axis=0)) for t in range(k)]))
    closeness = np.asarray((matrix @ centres.T)[np.arange(len(found)), found]).ravel()
    of_group = dict(zip(groups[first].tolist(), zip(found.tolist(), closeness.tolist())))
    labels = np.array([of_group[g][0] if usable[i] else -1 for i, g in enumerate(groups.tolist())])
    scores = np.array([round(of_group[g][1], 4) if usable[i] else np.nan for i, g in enumerate(groups.tolist())])
    words = distinctive_lemmas([texts[i] for i in first], [f"t{t}" for t in found], k=SUGGESTED)
    first = np.asarray(first)
    representatives = [first[found == t][np.argsort(-closeness[found == t], kind="stable")][:REPRESENTATIVES].tolist()
                       for t in range(k)]
    sizes = [(int((found == t).sum()), int((labels == t).sum())) for t in range(k)]
    return Discovery(labels, scores, [words.get(f"t{t}", []) for t in range(k)], representatives, sizes, chosen_by)


def _label(words: list[str], number: int, taken: set[str]) -> str:
    """Three distinctive words, nouns first: a lemma with kana endings (変わる, 遣る) names no subject."""
    nouns = [w for w in words if not _KANA.search(w)]
    label = "・".join((nouns + [w for w in words if w not in nouns])[:3]) or f"テーマ{number}"
    return label if label not in taken else f"{label}（{number}）"


def _quote(text: str, limit: int = 90) -> str:
    one_line = " ".join(str(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def draft_toml(found: Discovery, texts, *, taxonomy_id: str, source: str) -> str:
    """The draft taxonomy: one [[themes]] per theme found, id theme_N (largest first), label_ja from its most
    distinctive words, its size, suggested keywords and representative opinions as comments (they come from the
    user's own input; comments are never used for training)."""
    from .taxonomy_draft import DEFAULT_TYPES_COMMENT, _header, _toml

    lines = _header(taxonomy_id, source, int((found.labels >= 0).sum()))
    how = "指定した数" if found.chosen_by == "given" else "固有値ギャップで選んだ数"
    lines[0] = (f"# `pubcom taxonomy discover` が {source} から見つけました（テーマ {len(found.sizes)}件は{how}、"
                f"本文のある意見 {int((found.labels >= 0).sum())}件）。")
    lines.insert(1, "# 各 label_ja の名前を直し、テーマを統合・分割してから、割り当てを確認して学習してください。")
    taken: set[str] = set()
    for t, words in enumerate(found.words):
        label = _label(words, t + 1, taken)
        taken.add(label)
        distinct, rows = found.sizes[t]
        lines += ["[[themes]]", f'id = "theme_{t + 1}"', f"label_ja = {_toml(label)}",
                  f"# 意見 {rows}件（異なる意見 {distinct}件）", 'description = ""', "keywords = []",
                  f"# 候補（学習には使いません）: {', '.join(_toml(w) for w in words)}" if words else "# 候補: なし"]
        lines += [f"# 例: {_quote(texts[row])}" for row in found.representatives[t]] + [""]
    return "\n".join(lines) + DEFAULT_TYPES_COMMENT + "\n"


def assignments(frame, found: Discovery):
    """Every input row with pred_theme (theme_N, empty without text) and pred_theme_score (closeness to the theme's
    centre): the columns `pubcom review-sheet --taxonomy DRAFT.toml` reads."""
    out = frame.drop(columns=[c for c in ("pred_theme", "pred_theme_score") if c in frame.columns])
    out["pred_theme"] = [f"theme_{t + 1}" if t >= 0 else "" for t in found.labels.tolist()]
    out["pred_theme_score"] = found.scores
    return out
