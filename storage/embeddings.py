"""Papers' embeddings: which papers still need one from a model, storing a batch, and reading
them back for the vector index (a few thousand rows at a time, following the row id).

Vectors are opaque bytes here: `bot.search.vectors` says how they are packed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database, utcnow

_CHUNK = 500  # ids per IN (…) look-up


@dataclass(frozen=True, slots=True)
class PaperToEmbed:
    id: int
    title: str
    abstract: str
    changed_at: str


@dataclass(frozen=True, slots=True)
class StoredEmbedding:
    paper_id: int
    paper_changed_at: str
    dimensions: int
    vector: bytes


_PENDING = (
    " FROM papers p LEFT JOIN paper_embeddings e ON e.paper_id = p.id AND e.model = ?"
    " WHERE e.id IS NULL OR e.paper_changed_at IS NOT p.changed_at"
)


async def pending(db: Database, model: str, limit: int) -> list[PaperToEmbed]:
    """Papers with no embedding from `model`, or changed since theirs (compared by the paper's
    own changed_at, so that no clock's skew can make a paper look changed forever): the newest
    first."""
    rows = await db.fetchall(
        "SELECT p.id, p.title, p.abstract, p.changed_at" + _PENDING + " ORDER BY p.id DESC LIMIT ?",
        (model, limit),
    )
    return [PaperToEmbed(row[0], row[1], row[2], row[3]) for row in rows]


async def count_pending(db: Database, model: str) -> int:
    row = await db.fetchone("SELECT count(*)" + _PENDING, (model,))
    return row[0]


async def store(db: Database, model: str, embedded: Sequence[StoredEmbedding]) -> None:
    """Keep these embeddings, each replacing the paper's earlier one from the same model."""
    now = utcnow()
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT OR REPLACE INTO paper_embeddings (paper_id, model, dimensions, vector,"
            " paper_changed_at, embedded_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (e.paper_id, model, e.dimensions, e.vector, e.paper_changed_at, now)
                for e in embedded
            ],
        )


async def written_since(
    db: Database, model: str, after: int, limit: int
) -> list[tuple[int, int, int, bytes]]:
    """(row id, paper id, dimensions, vector) of the rows written after row `after`."""
    rows = await db.fetchall(
        "SELECT id, paper_id, dimensions, vector FROM paper_embeddings"
        " WHERE model = ? AND id > ? ORDER BY id LIMIT ?",
        (model, after, limit),
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


async def vectors(db: Database, model: str, paper_ids: Sequence[int]) -> dict[int, bytes]:
    """The stored vectors of these papers from `model`, by paper id."""
    found: dict[int, bytes] = {}
    for start in range(0, len(paper_ids), _CHUNK):
        chunk = list(paper_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(
            "SELECT paper_id, vector FROM paper_embeddings"
            f" WHERE model = ? AND paper_id IN ({marks})",
            [model, *chunk],
        )
        found.update((row[0], row[1]) for row in rows)
    return found


async def count(db: Database, model: str) -> int:
    row = await db.fetchone("SELECT count(*) FROM paper_embeddings WHERE model = ?", (model,))
    return row[0]


async def dimensions(db: Database, model: str) -> int | None:
    """The dimension of `model`'s stored embeddings, None before the first."""
    row = await db.fetchone(
        "SELECT dimensions FROM paper_embeddings WHERE model = ? ORDER BY id DESC LIMIT 1",
        (model,),
    )
    return row[0] if row else None
