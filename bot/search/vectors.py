"""The vector index: every paper's embedding in memory twice, compactly, for a two-stage
search. Stage one scans sign bits (one a dimension) by Hamming distance; stage two rescores
the nearest 2,000 by cosine with their int8 copies.

Why (bench/vectors.py, 200,000 papers × 1,024 dimensions, 2 shared cores, in BENCHMARKS.md):
an exact float32 scan holds 800 MB and reads all of it for every query (p99 ~200 ms here);
float16 or int8 matrices cannot be multiplied fast by numpy. Sign bits take 128 bytes a paper
(26 MB), and a scan of them is a few XORs and popcounts a word; int8 copies (200 MB) make the
rescoring of 2,000 candidates cost a millisecond. Embeddings share a common direction, which
would make most sign bits alike, so the bits are taken of each vector minus the corpus mean:
ranking by q·(x − mean) is ranking by q·x. Nothing native, no index file: the index loads
from SQLite and follows the table by row id, so a cron'd `digestbot embed` reaches the bot.

A search scans in a worker thread (numpy lets go of the GIL), so the event loop goes on
serving the words search and other chats meanwhile. The rescoring multiplies without BLAS,
whose thread pool spins after each product and takes the CPU from everything else on a small
machine (a fused search's p99 twice as long, measured).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref

import numpy as np

from storage import embeddings as stored
from storage.db import Database

log = logging.getLogger(__name__)

# Candidates by Hamming distance rescored by cosine: recall at 10 of 0.96 on the bench's corpus
# of look-alike synthetic papers (0.92 with 1,000, 0.80 with 2,000 of half the bits).
RESCORED = 2_000
_LOAD_ROWS = 10_000
_BLOCK = 16_384  # papers scanned at a time: a block's buffers stay in the CPU's cache


def packed(vector: np.ndarray) -> bytes:
    """A unit vector as stored: float16, little-endian."""
    return vector.astype("<f2").tobytes()


def unpacked(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


class VectorIndex:
    """One model's embeddings of one database, following it by row id.

    Codes are held word-major (a row of uint64 per 64 dimensions, a column per paper), so the
    scan walks each word's row contiguously, a block of papers at a time: XOR, popcount, add,
    into small reused buffers that stay in cache (a third faster than whole rows, measured).
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self.dimensions: int | None = None
        self.loaded = False  # whether a first look took in every row stored then
        self.mean: np.ndarray | None = None
        self._mean_of = 0  # papers the mean was taken over; taken again when they double
        self._count = 0
        self._codes = np.empty((0, 0), np.uint64)  # words × capacity
        self._vectors = np.empty((0, 0), np.int8)  # capacity × dimensions
        self._scales = np.empty(0, np.float32)  # a vector is its int8 copy times its scale
        self._papers = np.empty(0, np.int64)
        self._slots: dict[int, int] = {}
        self._last = 0
        self._expected = 0  # rows the first load will bring
        self._lock = asyncio.Lock()  # one refresh at a time
        self._arrays = threading.Lock()  # held by whoever changes the arrays or scans them
        self._buffers = (np.empty(_BLOCK, np.uint64), np.empty(_BLOCK, np.uint8))

    def __len__(self) -> int:
        return self._count

    @property
    def version(self) -> int:
        """The last row taken in: a search's answer holds while it stays the same."""
        return self._last

    @property
    def expected(self) -> int:
        """The rows the first load brings, once it has counted them (0 before)."""
        return self._expected

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self._codes, self._vectors, self._scales, self._papers))

    async def refresh(self, db: Database) -> None:
        """Take in the rows written since the last look (all of them the first time)."""
        async with self._lock:
            started = time.monotonic()
            if not self._count:  # sized once for what is there, not doubled up to it
                self._expected = await stored.count(db, self.model)
            while rows := await stored.written_since(db, self.model, self._last, _LOAD_ROWS):
                # In a worker thread: 10,000 rows take a quarter of a second, a re-encoding
                # of every row when the corpus doubled seconds, and the bot goes on meanwhile.
                await asyncio.to_thread(self.add, rows)
            if not self.loaded:
                self.loaded = True
                took = time.monotonic() - started
                log.info("vector index: %d papers loaded in %.1f s", self._count, took)

    def add(self, rows: list[tuple[int, int, int, bytes]]) -> None:
        """Take in rows of (row id, paper id, dimensions, float16 vector), in row id order."""
        with self._arrays:
            self._add(rows)

    def _add(self, rows: list[tuple[int, int, int, bytes]]) -> None:
        fresh = self._take(rows)
        if self._count >= 2 * self._mean_of:  # the first rows, or the corpus doubled
            self.mean, self._mean_of = self._mean(), self._count
            fresh = list(range(self._count))
        if fresh:
            self._encode(np.unique(np.array(fresh, np.int64)))

    def _take(self, rows: list[tuple[int, int, int, bytes]]) -> list[int]:
        """Store the rows' int8 copies; the slots they filled, whose codes are to make."""
        if self.dimensions is None:
            self.dimensions = rows[0][2]
            self._codes = np.empty((-(-self.dimensions // 64), 0), np.uint64)
            self._vectors = np.empty((0, self.dimensions), np.int8)
        self._last = rows[-1][0]
        kept = [row for row in rows if row[2] == self.dimensions]  # a model that changed size
        if not kept:
            return []
        matrix = np.frombuffer(b"".join(row[3] for row in kept), "<f2").reshape(len(kept), -1)
        matrix = matrix.astype(np.float32)
        scales = np.abs(matrix).max(axis=1) / 127.0
        scales[scales == 0] = 1.0
        slots = [self._slot(row[1]) for row in kept]
        self._vectors[slots] = np.rint(matrix / scales[:, None]).astype(np.int8)
        self._scales[slots] = scales
        return slots

    def _slot(self, paper_id: int) -> int:
        slot = self._slots.get(paper_id)
        if slot is None:
            slot = self._slots[paper_id] = self._count
            self._grow(self._count + 1)
            self._papers[slot] = paper_id
            self._count += 1
        return slot

    def _grow(self, needed: int) -> None:
        capacity = len(self._papers)
        if needed <= capacity:
            return
        capacity = max(needed, capacity * 2, 1024, self._expected)
        n = self._count
        codes = np.zeros((self._codes.shape[0], capacity), np.uint64)
        codes[:, :n] = self._codes[:, :n]
        vectors = np.zeros((capacity, self._vectors.shape[1]), np.int8)
        vectors[:n] = self._vectors[:n]
        scales, papers = np.ones(capacity, np.float32), np.zeros(capacity, np.int64)
        scales[:n], papers[:n] = self._scales[:n], self._papers[:n]
        self._codes, self._vectors, self._scales, self._papers = codes, vectors, scales, papers

    def _encode(self, slots: np.ndarray) -> None:
        """Sign bits of these slots' vectors minus the mean."""
        for start in range(0, len(slots), _LOAD_ROWS):
            chunk = slots[start : start + _LOAD_ROWS]
            centred = self._vectors[chunk] * self._scales[chunk, None] - self.mean
            bits = np.packbits(centred > 0, axis=1)
            words = np.zeros((len(chunk), self._codes.shape[0] * 8), np.uint8)
            words[:, : bits.shape[1]] = bits
            self._codes[:, chunk] = words.view(np.uint64).T

    def _mean(self) -> np.ndarray:
        total = np.zeros(self._vectors.shape[1], np.float64)
        for start in range(0, self._count, _LOAD_ROWS):
            stop = min(start + _LOAD_ROWS, self._count)
            total += (self._vectors[start:stop] * self._scales[start:stop, None]).sum(axis=0)
        return (total / max(self._count, 1)).astype(np.float32)

    def distances(self, query: np.ndarray) -> np.ndarray:
        """Hamming distance from the query's signs to every paper's code, by slot."""
        signs = np.zeros(self._codes.shape[0] * 8, np.uint8)
        packed_signs = np.packbits(query > 0)
        signs[: len(packed_signs)] = packed_signs
        words = signs.view(np.uint64)
        total = np.zeros(self._count, np.uint16)
        xor, bits = self._buffers
        for start in range(0, self._count, _BLOCK):
            stop = min(start + _BLOCK, self._count)
            block, x, b = total[start:stop], xor[: stop - start], bits[: stop - start]
            for word, row in zip(words, self._codes, strict=True):
                np.bitwise_xor(row[start:stop], word, out=x)
                np.bitwise_count(x, out=b)
                np.add(block, b, out=block)
        return total

    def candidates(self, query: np.ndarray, count: int) -> np.ndarray:
        """Slots of the `count` codes nearest the query's signs (in no order).

        Distances are small whole numbers: a histogram finds the cut-off distance in one pass,
        where a partial sort of every paper would cost twice as much."""
        if count >= self._count:
            return np.arange(self._count)
        distances = self.distances(query)
        within = np.cumsum(np.bincount(distances))
        cutoff = int(np.searchsorted(within, count))
        below = np.flatnonzero(distances < cutoff)
        at = np.flatnonzero(distances == cutoff)[: count - len(below)]
        return np.concatenate([below, at])

    async def nearest(
        self, db: Database, query: np.ndarray, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The `k` papers whose embeddings are nearest `query` by cosine, best first."""
        await self.refresh(db)
        return await self.nearest_loaded(query, k, exclude)

    async def nearest_loaded(
        self, query: np.ndarray, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """As `nearest`, among the rows taken in already, scanned in a worker thread."""
        return await asyncio.to_thread(self._nearest, query, k, exclude)

    def _nearest(
        self, query: np.ndarray, k: int, exclude: frozenset[int]
    ) -> list[tuple[int, float]]:
        with self._arrays:
            if self.dimensions is None or query.shape != (self.dimensions,) or k <= 0:
                return []
            return self._ranked(unit(query.astype(np.float32)), k, exclude)

    def _ranked(
        self, query: np.ndarray, k: int, exclude: frozenset[int]
    ) -> list[tuple[int, float]]:
        slots = self.candidates(query, max(RESCORED, k + len(exclude)))
        scores = self._rescore(slots, query)
        order = np.argsort(-scores, kind="stable")
        found = []
        for i in order:
            paper = int(self._papers[slots[i]])
            if paper not in exclude:
                found.append((paper, float(scores[i])))
                if len(found) == k:
                    break
        return found

    def _rescore(self, slots: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Cosines of these slots' vectors with the query, from their int8 copies."""
        # einsum widens the int8 rows as it goes, faster than a float32 copy and BLAS (measured)
        dots = np.einsum("ij,j->i", self._vectors[slots], query, dtype=np.float32, casting="unsafe")
        return dots * self._scales[slots]


_INDEXES: weakref.WeakKeyDictionary[Database, dict[str, VectorIndex]] = weakref.WeakKeyDictionary()


def index_for(db: Database, model: str) -> VectorIndex:
    """The one index of this database's embeddings from `model`, shared by every caller."""
    by_model = _INDEXES.setdefault(db, {})
    return by_model.setdefault(model, VectorIndex(model))
