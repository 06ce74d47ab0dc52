"""Papers: insert or move forward to a newer version, never back; look-ups."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import aiosqlite

from storage import summaries, topics
from storage.db import Database, utcnow
from storage.models import Paper, TopicMatch, UpsertCounts

TopicsFor = Callable[[Paper], Sequence[TopicMatch]]
# Abstracts' English extracts in their order, None for one that has none.
ExtractAll = Callable[[list[str]], Awaitable[Sequence[str | None]]]

_COLUMNS = (
    "arxiv_id, version, title, authors, abstract, categories, submitted_at, updated_at,"
    " announced_at, announce_type, doi, journal_ref, comment"
)
_CHUNK = 500  # ids per IN (…) look-up, well under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class UpsertResult:
    counts: UpsertCounts
    changed: tuple[Paper, ...]  # new or updated papers, with their ids


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _params(paper: Paper) -> tuple:
    return (
        paper.arxiv_id,
        paper.version,
        paper.title,
        json.dumps(list(paper.authors), ensure_ascii=False),
        paper.abstract,
        json.dumps(list(paper.categories)),
        _iso(paper.submitted),
        _iso(paper.updated),
        _iso(paper.announced),
        paper.announce_type,
        paper.doi,
        paper.journal_ref,
        paper.comment,
    )


def from_row(row: sqlite3.Row) -> Paper:
    """A `papers` row as a Paper."""
    return Paper(
        id=row["id"],
        arxiv_id=row["arxiv_id"],
        version=row["version"],
        title=row["title"],
        authors=tuple(json.loads(row["authors"])),
        abstract=row["abstract"],
        categories=tuple(json.loads(row["categories"])),
        submitted=_dt(row["submitted_at"]),
        updated=_dt(row["updated_at"]),
        announced=_dt(row["announced_at"]),
        announce_type=row["announce_type"],
        doi=row["doi"],
        journal_ref=row["journal_ref"],
        comment=row["comment"],
    )


def merge(stored: Paper, incoming: Paper) -> Paper:
    """What the stored paper becomes: versions move forward only, gaps are filled."""
    # Facts of the paper rather than of a version: the first submission and announcement
    # stay as first seen; identifiers and references fill in whenever they arrive.
    lasting = {
        "submitted": stored.submitted or incoming.submitted,
        "announced": stored.announced or incoming.announced,
        "announce_type": stored.announce_type or incoming.announce_type,
        "doi": stored.doi or incoming.doi,
        "journal_ref": stored.journal_ref or incoming.journal_ref,
    }
    if incoming.version > stored.version:
        return replace(incoming, id=stored.id, **lasting)
    if incoming.version < stored.version:
        return replace(stored, **lasting)
    return replace(
        stored,
        authors=stored.authors or incoming.authors,
        abstract=stored.abstract or incoming.abstract,
        categories=stored.categories or incoming.categories,
        updated=stored.updated or incoming.updated,
        comment=stored.comment or incoming.comment,
        **lasting,
    )


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


async def upsert(
    db: Database,
    papers: Iterable[Paper],
    *,
    topics_for: TopicsFor | None = None,
    extract_all: ExtractAll | None = None,
) -> UpsertResult:
    """Store papers in one transaction: new ones inserted, known ones merged forward.

    With `topics_for`, the papers that are new or changed get their rule topics in the same
    transaction, so a paper is never stored without them; with `extract_all`, likewise the
    English extract of their abstract (source `abstract`).
    """
    latest: dict[str, Paper] = {}
    for paper in papers:  # a feed may list a paper twice (new in one category, cross in another)
        seen = latest.get(paper.arxiv_id)
        latest[paper.arxiv_id] = merge(seen, paper) if seen else paper
    now = utcnow()
    async with db.transaction() as conn:
        stored = await get_many(db, list(latest))
        inserts = [paper for arxiv_id, paper in latest.items() if arxiv_id not in stored]
        updates = [
            after
            for arxiv_id, before in stored.items()
            if (after := merge(before, latest[arxiv_id])) != before
        ]
        # Topics are matched in a worker thread, and extracts made as `extract_all` sees fit,
        # while SQLite indexes the new papers in C.
        candidates = [*updates, *inserts]
        beside = asyncio.gather(
            asyncio.to_thread(_match_each, topics_for, candidates),
            _extract_each(extract_all, candidates),
        )
        await asyncio.sleep(0)  # both started before the rows below are encoded, not after
        try:
            for paper in updates:
                await conn.execute(
                    "UPDATE papers SET (" + _COLUMNS + ", changed_at) = "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?",
                    (*_params(paper), now, paper.id),
                )
            await _insert_all(conn, inserts, now)
        finally:
            found, extracts = await beside
        ids = await _ids_of(db, [p.arxiv_id for p in inserts])
        changed = [*updates, *(replace(p, id=ids[p.arxiv_id]) for p in inserts)]
        if topics_for is not None:
            await topics.assign_within(conn, [(p.id, found[p.arxiv_id]) for p in changed])
        if extract_all is not None:
            await _store_extracts(conn, changed, extracts, {p.arxiv_id for p in updates})
    counts = UpsertCounts(len(inserts), len(updates), len(stored) - len(updates))
    return UpsertResult(counts, tuple(changed))


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
    fields = ", ".join(f"value ->> {i}" for i in range(_COLUMNS.count(",") + 1))
    await conn.execute(
        "INSERT INTO papers (" + _COLUMNS + ", created_at, changed_at)"
        f" SELECT {fields}, ?, ? FROM json_each(?)",
        (now, now, json.dumps([_params(p) for p in inserts], ensure_ascii=False)),
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
