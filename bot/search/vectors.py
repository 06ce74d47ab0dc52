"""The vector index: every paper's embedding as sign bits in memory, searched by Hamming
distance, the best candidates rescored by exact cosine with their stored float16 vectors.

Why this index (bench/vectors.py, 200,000 papers × 1,024 dimensions, 2 cores): an exact
float32 scan needs 800 MB in memory and reads all of it for every query; the sign bits take
128 bytes a paper (26 MB), the Hamming scan reads only those, and rescoring the 200 nearest
by exact cosine brings back the exact top ten (recall measured by the bench). The float16
vectors stay in SQLite and are read only for the candidates. No native library, no index
file to rebuild: the bits load from the database at the first query and follow it by row id.
"""

from __future__ import annotations

import asyncio
import weakref

import numpy as np

from storage import embeddings as stored
from storage.db import Database

RESCORED = 200  # candidates by Hamming distance rescored by exact cosine
_LOAD_ROWS = 20_000


def packed(vector: np.ndarray) -> tuple[bytes, bytes]:
    """A unit vector as stored: float16 little-endian, and its sign bits."""
    return vector.astype("<f2").tobytes(), np.packbits(vector > 0).tobytes()


def unpacked(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def _code_words(signs: bytes, width: int) -> np.ndarray:
    """Sign bits as `width` uint64 words (zero-padded), the unit the scan XORs."""
    padded = signs.ljust(width * 8, b"\0")
    return np.frombuffer(padded, dtype=np.uint64)


class VectorIndex:
    """The sign bits of one model's embeddings, following the database by row id.

    Codes are held word-major (one row of uint64 per 64 dimensions, a column per paper), so
    the scan walks each word's row contiguously: XOR, popcount, add, into reused buffers.
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self.dimensions: int | None = None
        self._codes = np.empty((0, 0), np.uint64)  # words × capacity
        self._papers = np.empty(0, np.int64)  # by slot, the first `_count` in use
        self._count = 0
        self._slots: dict[int, int] = {}
        self._last = 0
        self._lock = asyncio.Lock()
        self._buffers: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        return self._codes.nbytes + self._papers.nbytes

    async def refresh(self, db: Database) -> None:
        """Take in the rows written since the last look (all of them the first time)."""
        async with self._lock:
            while rows := await stored.signs_since(db, self.model, self._last, _LOAD_ROWS):
                self._take(rows)
                if len(rows) < _LOAD_ROWS:
                    break

    def _take(self, rows: list[tuple[int, int, int, bytes]]) -> None:
        if self.dimensions is None:
            self.dimensions = rows[0][2]
            self._codes = np.empty((-(-self.dimensions // 64), 0), np.uint64)
        self._last = rows[-1][0]
        width = self._codes.shape[0]
        for _, paper_id, dimensions, signs in rows:
            if dimensions != self.dimensions:
                continue  # a model that changed its size: only `embed` can mend it
            slot = self._slots.get(paper_id)
            if slot is None:
                slot = self._slots[paper_id] = self._count
                self._grow(self._count + 1)
                self._papers[slot] = paper_id
                self._count += 1
            self._codes[:, slot] = _code_words(signs, width)
        self._buffers = None

    def _grow(self, needed: int) -> None:
        capacity = self._codes.shape[1]
        if needed <= capacity:
            return
        capacity = max(needed, capacity * 2, 1024)
        codes = np.zeros((self._codes.shape[0], capacity), np.uint64)
        codes[:, : self._count] = self._codes[:, : self._count]
        papers = np.zeros(capacity, np.int64)
        papers[: self._count] = self._papers[: self._count]
        self._codes, self._papers = codes, papers

    def distances(self, query: np.ndarray) -> np.ndarray:
        """Hamming distance from the query's signs to every paper's, by slot."""
        n = self._count
        if self._buffers is None or len(self._buffers[0]) != n:
            self._buffers = (np.empty(n, np.uint64), np.empty(n, np.uint8), np.empty(n, np.uint16))
        xor, bits, total = self._buffers
        code = _code_words(np.packbits(query > 0).tobytes(), self._codes.shape[0])
        total[:] = 0
        for word, row in zip(code, self._codes, strict=True):
            np.bitwise_xor(row[:n], word, out=xor)
            np.bitwise_count(xor, out=bits)
            np.add(total, bits, out=total)
        return total

    def candidates(self, query: np.ndarray, count: int) -> np.ndarray:
        """Paper ids of the `count` codes nearest the query's signs (in no order)."""
        papers = self._papers[: self._count]
        if count >= self._count:
            return papers
        return papers[np.argpartition(self.distances(query), count)[:count]]

    async def nearest(
        self, db: Database, query: np.ndarray, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The `k` papers whose embeddings are nearest `query` by cosine, best first."""
        await self.refresh(db)
        if self.dimensions is None or query.shape != (self.dimensions,) or k <= 0:
            return []
        ids = [int(i) for i in self.candidates(query, max(RESCORED, k + len(exclude)))]
        ids = [i for i in ids if i not in exclude]
        blobs = await stored.vectors(db, self.model, ids)
        ids = [i for i in ids if i in blobs]
        if not ids:
            return []
        matrix = np.frombuffer(b"".join(blobs[i] for i in ids), dtype="<f2").reshape(len(ids), -1)
        scores = matrix.astype(np.float32) @ unit(query.astype(np.float32))
        best = np.argsort(-scores, kind="stable")[:k]
        return [(ids[i], float(scores[i])) for i in best]


_INDEXES: weakref.WeakKeyDictionary[Database, dict[str, VectorIndex]] = weakref.WeakKeyDictionary()


def index_for(db: Database, model: str) -> VectorIndex:
    """The one index of this database's embeddings from `model`, shared by every caller."""
    by_model = _INDEXES.setdefault(db, {})
    return by_model.setdefault(model, VectorIndex(model))
