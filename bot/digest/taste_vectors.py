"""A chat's taste from the papers' embeddings, where a model gave them: the part of its taste
that words alone miss (two papers on speech recognition that share no phrase are near).

Pure: stored vectors and a chat's profile in, numbers out. The chat's centroid is the sum of
its liked papers' vectors, each times its share of the liked votes, less `dislike` times the
same of the papers it voted down; a candidate's embedding taste is its cosine to the centroid,
put on the text taste's scale (its distance above the mean of the candidates that have a
vector, in standard deviations over `taste.FULL_AT`, -1 to 1). It is blended with the text
taste where the candidate has a vector; a candidate without one keeps its text taste, and a
chat none of whose liked papers has one has the text taste alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.digest.taste import standardised


def decoded(blob: bytes) -> np.ndarray:
    """A stored vector: float16, little-endian, as bot.search.vectors packs it."""
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


@dataclass(frozen=True, slots=True)
class Embedded:
    """A pool's candidates' vectors, a row each in the pool's order (of length 1; zeros for a
    candidate without one), and which have one."""

    matrix: np.ndarray
    has: np.ndarray  # bool, a candidate each

    @classmethod
    def of(cls, ids: Sequence[int], vectors: Mapping[int, np.ndarray]) -> Embedded | None:
        """The candidates' vectors; None when fewer than two candidates have one."""
        size = _common_size(vectors.values())
        rows = [vectors.get(p) for p in ids]
        has = np.array([v is not None and v.shape[0] == size for v in rows], dtype=bool)
        if has.sum() < 2:
            return None
        matrix = np.zeros((len(ids), size), np.float32)
        for index in np.flatnonzero(has):
            matrix[index] = rows[index]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        # float16 storage leaves a vector a little off length 1
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return cls(matrix, has & (norms[:, 0] > 0))

    @property
    def dimensions(self) -> int:
        return self.matrix.shape[1]


def centroid(
    liked: Mapping[int, float],
    disliked: Mapping[int, float],
    vectors: Mapping[int, np.ndarray],
    dislike: float,
    dimensions: int,
) -> np.ndarray | None:
    """Where the chat's taste points among the vectors; None when none of its liked papers
    has a vector of these `dimensions` (or the votes cancel out)."""
    found = np.zeros(dimensions, np.float32)
    known = False
    for paper_id, share in liked.items():
        vector = vectors.get(paper_id)
        if vector is not None and vector.shape[0] == dimensions:
            found += share * _unit(vector)
            known = True
    for paper_id, share in disliked.items():
        vector = vectors.get(paper_id)
        if vector is not None and vector.shape[0] == dimensions:
            found -= dislike * share * _unit(vector)
    norm = float(np.linalg.norm(found))
    return found / norm if known and norm > 0 else None


def blended(text: np.ndarray, embedded: Embedded, centre: np.ndarray, weight: float) -> np.ndarray:
    """Each candidate's taste: `weight` of its embedding taste and the rest of its text taste
    where it has a vector, its text taste alone where it has none."""
    has = embedded.has
    cosines = embedded.matrix[has] @ centre
    found = text.copy()
    found[has] = (1.0 - weight) * text[has] + weight * standardised(cosines.astype(np.float64))
    return found


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _common_size(vectors) -> int:
    """The dimension most of the vectors have (a model's are all alike)."""
    sizes: dict[int, int] = {}
    for vector in vectors:
        sizes[vector.shape[0]] = sizes.get(vector.shape[0], 0) + 1
    return max(sizes, key=sizes.__getitem__) if sizes else 0
