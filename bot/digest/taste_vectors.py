"""A chat's taste from the papers' embeddings, where a model gave them: the part of its taste
that words alone miss (two papers on speech recognition that share no phrase are near).

Pure: stored vectors and a chat's profile in, numbers out. The chat's centroid is the sum of
its liked papers' vectors, each times its share of the liked votes, less `dislike` times the
same of the papers it voted down; a candidate's embedding taste is its cosine to the centroid,
both measured from the candidates' mean (the direction every paper shares tells none apart),
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


def decoded(blob: bytes) -> np.ndarray | None:
    """A stored vector (float16, little-endian, as bot.search.vectors packs it) of length 1
    again (float16 leaves it a little off); None for one of no direction."""
    vector = np.frombuffer(blob, dtype="<f2").astype(np.float64)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 and np.isfinite(norm) else None


@dataclass(frozen=True, slots=True)
class Embedded:
    """A pool's candidates that have a vector (`has`, in the pool's order) and their vectors
    measured from the candidates' mean, of length 1: the direction every paper shares tells
    none of them apart."""

    rows: np.ndarray  # a row for each candidate that has a vector
    has: np.ndarray  # bool, a candidate each
    mean: np.ndarray
    every: bool  # every candidate has a vector

    @classmethod
    def of(cls, ids: Sequence[int], vectors: Mapping[int, np.ndarray]) -> Embedded | None:
        """The candidates' (unit) vectors; None when fewer than two candidates have one."""
        size = _common_size(vectors.values())
        found = [vectors.get(p) for p in ids]
        has = np.array([v is not None and v.shape[0] == size for v in found], dtype=bool)
        if has.sum() < 2:
            return None
        units = np.array([found[i] for i in np.flatnonzero(has)], np.float64)
        mean = units.mean(axis=0)
        apart = units - mean
        norms = np.linalg.norm(apart, axis=1, keepdims=True)
        # float32: every chat's taste reads the whole matrix, and half the bytes read faster
        rows = (apart / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        return cls(rows, has, mean.astype(np.float32), bool(has.all()))

    @property
    def dimensions(self) -> int:
        return self.rows.shape[1]


@dataclass(frozen=True, slots=True)
class Centroid:
    """Where a chat's taste points: its voted papers' unit vectors, each times its share of
    the votes (less `dislike` times for those voted down), summed; `pull` is the sum of those
    factors, so that the centroid measured from a point m is `vector - pull * m`."""

    vector: np.ndarray
    pull: float


def centroid(
    liked: Mapping[int, float],
    disliked: Mapping[int, float],
    vectors: Mapping[int, np.ndarray | None],
    dislike: float,
    dimensions: int,
) -> Centroid | None:
    """The chat's centroid among (unit) vectors of these `dimensions`; None when none of its
    liked papers has one."""
    found = np.zeros(dimensions, np.float64)
    pull = 0.0
    for shares, factor in ((liked, 1.0), (disliked, -dislike)):
        for paper_id, share in shares.items():
            vector = vectors.get(paper_id)
            if vector is not None and vector.shape[0] == dimensions:
                found += (factor * share) * vector
                pull += factor * share
        if factor > 0 and not pull:
            return None
    return Centroid(found, pull)


def blended(text: np.ndarray, embedded: Embedded, centre: Centroid, weight: float) -> np.ndarray:
    """Each candidate's taste: `weight` of its embedding taste and the rest of its text taste
    where it has a vector, its text taste alone where it has none."""
    towards = (centre.vector - centre.pull * embedded.mean).astype(np.float32)
    mixed = weight * standardised((embedded.rows @ towards).astype(np.float64))
    if embedded.every:
        return (1.0 - weight) * text + mixed
    has = embedded.has
    found = text.copy()
    found[has] = (1.0 - weight) * text[has] + mixed
    return found


def _common_size(vectors) -> int:
    """The dimension most of the vectors have (a model's are all alike)."""
    sizes: dict[int, int] = {}
    for vector in vectors:
        sizes[vector.shape[0]] = sizes.get(vector.shape[0], 0) + 1
    return max(sizes, key=sizes.__getitem__) if sizes else 0
