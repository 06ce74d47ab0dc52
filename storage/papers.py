"""Papers: stored in short transactions, moved forward to newer versions, never back;
look-ups."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import aiosqlite

from storage import summaries, topics
from storage.db import Database, utcnow
from storage.models import Paper, TopicMatch, UpsertCounts
from storage.paper_rows import COLUMNS, from_row, merge, params

TopicsFor = Callable[[Paper], Sequence[TopicMatch]]
# Abstracts' English extracts in their order, None for one that has none.
ExtractAll = Callable[[list[str]], Awaitable[Sequence[str | None]]]

_CHUNK = 500  # ids per IN (…) look-up, well under SQLite's variable limit
# Papers stored a transaction: about 50 ms of SQLite's time, so no reader waits long.
STORE_CHUNK = 500


@dataclass(frozen=True, slots=True)
class UpsertResult:
    counts: UpsertCounts
    changed: tuple[Paper, ...]  # new or updated papers, with their ids


async def _rows_by_arxiv_id(
    db: Database, columns: str, arxiv_ids: Sequence[str]
) -> list[sqlite3.Row]:
    """`columns` of the stored papers among these ids, looked up _CHUNK ids at a time."""
    rows: list[sqlite3.Row] = []
    for start in range(0, len(arxiv_ids), _CHUNK):
        chunk = arxiv_ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT {columns} FROM papers WHERE arxiv_id IN ({marks})"
        rows += await db.fetchall(sql, chunk)
    return rows


async def get_many(db: Database, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
    """The stored papers among these ids (without version), by id."""
    rows = await _rows_by_arxiv_id(db, "*", arxiv_ids)
    return {row["arxiv_id"]: from_row(row) for row in rows}


async def get(db: Database, arxiv_id: str) -> Paper | None:
    row = await db.fetchone("SELECT * FROM papers WHERE arxiv_id = ?", (arxiv_id,))
    return from_row(row) if row else None


async def get_by_rowids(db: Database, ids: Sequence[int]) -> dict[int, Paper]:
    """Papers by their row ids (as search returns them)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(f"SELECT * FROM papers WHERE id IN ({marks})", list(ids))
    return {row["id"]: from_row(row) for row in rows}


async def titles_by_rowids(db: Database, ids: Sequence[int]) -> dict[int, str]:
    """Papers' titles by their row ids: what fusing rankings reads of fifty papers."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(f"SELECT id, title FROM papers WHERE id IN ({marks})", list(ids))
    return {row[0]: row[1] for row in rows}


async def upsert(
    db: Database,
    papers: Iterable[Paper],
    *,
    topics_for: TopicsFor | None = None,
    extract_all: ExtractAll | None = None,
) -> UpsertResult:
    """Store papers: new ones inserted, known ones merged forward, STORE_CHUNK a transaction.

    With `topics_for`, the papers that are new or changed get their rule topics in the same
    transaction, so a paper is never stored without them; with `extract_all`, likewise the
    English extract of their abstract (source `abstract`). Topics and extracts are made
    before each transaction opens, so that a big feed holds the write lock in short turns
    and other writers (the bot answering readers) get theirs in between.
    """
    latest: dict[str, Paper] = {}
    for paper in papers:  # a feed may list a paper twice (new in one category, cross in another)
        seen = latest.get(paper.arxiv_id)
        latest[paper.arxiv_id] = merge(seen, paper) if seen else paper
    incoming = list(latest.values())
    counts, changed = UpsertCounts(), []
    for start in range(0, len(incoming), STORE_CHUNK):
        chunk = incoming[start : start + STORE_CHUNK]
        chunk_counts, chunk_changed = await _upsert_chunk(db, chunk, topics_for, extract_all)
        counts += chunk_counts
        changed += chunk_changed
    return UpsertResult(counts, tuple(changed))


@dataclass(slots=True)
class _Plan:
    """What storing a chunk changes, given the papers stored before it."""

    stored: dict[str, Paper]
    inserts: list[Paper]
    updates: list[Paper]

    @classmethod
    def of(cls, chunk: list[Paper], stored: dict[str, Paper]) -> _Plan:
        inserts = [paper for paper in chunk if paper.arxiv_id not in stored]
        updates = [
            after
            for paper in chunk
            if (before := stored.get(paper.arxiv_id)) is not None
            and (after := merge(before, paper)) != before
        ]
        return cls(stored, inserts, updates)

    @property
    def candidates(self) -> list[Paper]:
        return [*self.updates, *self.inserts]


async def _upsert_chunk(
    db: Database,
    chunk: list[Paper],
    topics_for: TopicsFor | None,
    extract_all: ExtractAll | None,
) -> tuple[UpsertCounts, list[Paper]]:
    """One chunk: topics and extracts made first, then stored in one short transaction."""
    arxiv_ids = [paper.arxiv_id for paper in chunk]
    plan = _Plan.of(chunk, await get_many(db, arxiv_ids))
    found, extracts = await _topics_and_extracts(topics_for, extract_all, plan.candidates)
    now = utcnow()
    async with db.transaction() as conn:
        stored = await get_many(db, arxiv_ids)
        if stored != plan.stored:  # another writer stored some of them meanwhile
            prepared = {p.arxiv_id: p for p in plan.candidates}
            plan = _Plan.of(chunk, stored)
            stale = [p for p in plan.candidates if prepared.get(p.arxiv_id) != p]
            more_found, more_extracts = await _topics_and_extracts(topics_for, extract_all, stale)
            found, extracts = found | more_found, extracts | more_extracts
        for paper in plan.updates:
            await conn.execute(
                "UPDATE papers SET (" + COLUMNS + ", changed_at) = "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?",
                (*params(paper), now, paper.id),
            )
        await _insert_all(conn, plan.inserts, now)
        ids = await _ids_of(db, [p.arxiv_id for p in plan.inserts])
        changed = [*plan.updates, *(replace(p, id=ids[p.arxiv_id]) for p in plan.inserts)]
        if topics_for is not None:
            await topics.assign_within(conn, [(p.id, found[p.arxiv_id]) for p in changed])
        if extract_all is not None:
            updated = {p.arxiv_id for p in plan.updates}
            await _store_extracts(conn, changed, extracts, updated)
    unchanged = len(plan.stored) - len(plan.updates)
    return UpsertCounts(len(plan.inserts), len(plan.updates), unchanged), changed


async def _topics_and_extracts(
    topics_for: TopicsFor | None, extract_all: ExtractAll | None, candidates: list[Paper]
) -> tuple[dict[str, Sequence], dict[str, str | None]]:
    """Rule topics (in a thread) and extracts (where `extract_all` makes them) at once."""
    if not candidates:
        return {}, {}
    return await asyncio.gather(
        asyncio.to_thread(_match_each, topics_for, candidates),
        _extract_each(extract_all, candidates),
    )


def _match_each(topics_for: TopicsFor | None, candidates: list[Paper]) -> dict[str, Sequence]:
    """Rule topics of the candidates, computed off the event loop."""
    return {p.arxiv_id: topics_for(p) for p in candidates} if topics_for else {}


async def _extract_each(
    extract_all: ExtractAll | None, candidates: list[Paper]
) -> dict[str, str | None]:
    """Abstract extracts of the candidates, by arXiv id."""
    if extract_all is None:
        return {}
    texts = await extract_all([p.abstract or "" for p in candidates])
    return dict(zip((p.arxiv_id for p in candidates), texts, strict=True))


async def _store_extracts(
    conn: aiosqlite.Connection,
    changed: list[Paper],
    extracts: dict[str, str | None],
    updated: set[str],
) -> None:
    """Extracts stored; an updated paper whose new abstract gives none loses its old one."""
    await summaries.put_extracts_within(
        conn, [(p.id, text) for p in changed if (text := extracts.get(p.arxiv_id))]
    )
    stale = [p.id for p in changed if p.arxiv_id in updated and not extracts.get(p.arxiv_id)]
    if stale:
        await summaries.drop_extracts_within(conn, stale)


async def _insert_all(conn: aiosqlite.Connection, inserts: list[Paper], now: str) -> None:
    """New papers in one statement: SQLite then indexes them without returning to Python."""
    if not inserts:
        return
    fields = ", ".join(f"value ->> {i}" for i in range(COLUMNS.count(",") + 1))
    await conn.execute(
        "INSERT INTO papers (" + COLUMNS + ", created_at, changed_at)"
        f" SELECT {fields}, ?, ? FROM json_each(?)",
        (now, now, json.dumps([params(p) for p in inserts], ensure_ascii=False)),
    )


async def _ids_of(db: Database, arxiv_ids: Sequence[str]) -> dict[str, int]:
    """Row ids only: reading whole rows back after an insert would decode them for nothing."""
    rows = await _rows_by_arxiv_id(db, "arxiv_id, id", arxiv_ids)
    return {row[0]: row[1] for row in rows}


async def latest(db: Database, limit: int, offset: int = 0) -> list[Paper]:
    """The most recently announced papers first."""
    rows = await db.fetchall(
        "SELECT * FROM papers ORDER BY coalesce(announced_at, submitted_at, created_at) DESC,"
        " id DESC LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [from_row(row) for row in rows]


async def batches(db: Database, size: int = 1000) -> AsyncIterator[list[Paper]]:
    """Every stored paper, `size` at a time in row order (memory stays flat)."""
    last = 0
    while True:
        rows = await db.fetchall(
            "SELECT * FROM papers WHERE id > ? ORDER BY id LIMIT ?", (last, size)
        )
        if not rows:
            return
        yield [from_row(row) for row in rows]
        last = rows[-1]["id"]


async def count(db: Database) -> int:
    row = await db.fetchone("SELECT count(*) FROM papers")
    return row[0]


async def missing_metadata(db: Database, limit: int = 1000) -> list[str]:
    """Ids of papers known only from an editor's article, waiting for arXiv's metadata."""
    rows = await db.fetchall(
        "SELECT arxiv_id FROM papers WHERE version = 0 ORDER BY id LIMIT ?", (limit,)
    )
    return [row[0] for row in rows]
