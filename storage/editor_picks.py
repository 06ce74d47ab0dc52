"""Editors' picks: the papers a curated article put in a fortnight, with their editor topics
and summaries, recorded together; the digest ranks them first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

import aiosqlite

from storage import summaries
from storage.db import Database, utcnow
from storage.models import EditorPick, PickedItem

# An editor's heading outweighs any rule match (rules score from 2 to about 6).
EDITOR_TOPIC_SCORE = 10.0
_CHUNK = 500  # ids per IN (…), well under SQLite's variable limit


async def record(db: Database, period_start: date, items: Sequence[PickedItem]) -> set[int]:
    """Picks, editor topics and summaries in one transaction; the papers whose rows changed."""
    changed: set[int] = set()
    async with db.transaction() as conn:
        for item in items:
            if await _pick(conn, period_start, item):
                changed.add(item.paper_id)
            if item.topic_slug and await _editor_topic(conn, item.paper_id, item.topic_slug):
                changed.add(item.paper_id)
            if item.summary and await summaries.put_within(conn, item.paper_id, item.summary):
                changed.add(item.paper_id)
    return changed


async def _pick(conn: aiosqlite.Connection, period_start: date, item: PickedItem) -> bool:
    cursor = await conn.execute(
        "INSERT INTO editor_picks (period_start, paper_id, topic_slug, position, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (period_start, paper_id) DO UPDATE SET"
        " topic_slug = excluded.topic_slug, position = excluded.position"
        " WHERE (topic_slug, position) IS NOT (excluded.topic_slug, excluded.position)",
        (period_start.isoformat(), item.paper_id, item.topic_slug, item.position, utcnow()),
    )
    return cursor.rowcount > 0


async def _editor_topic(conn: aiosqlite.Connection, paper_id: int, slug: str) -> bool:
    """The editor's topic; it takes over a rule match of the same topic, which rules then keep."""
    cursor = await conn.execute(
        "INSERT INTO paper_topics (paper_id, topic_slug, score, source) VALUES (?, ?, ?, 'editor')"
        " ON CONFLICT (paper_id, topic_slug) DO UPDATE SET source = 'editor',"
        " score = max(score, excluded.score)"
        " WHERE source <> 'editor' OR score < excluded.score",
        (paper_id, slug, EDITOR_TOPIC_SCORE),
    )
    return cursor.rowcount > 0


async def move(db: Database, before: date, after: date, paper_ids: Sequence[int]) -> int:
    """These papers' picks moved from one period to another (their dates became known)."""
    if before == after:
        return 0
    moved = 0
    async with db.transaction() as conn:
        for start in range(0, len(paper_ids), _CHUNK):
            chunk = list(paper_ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            # A pick already in the new period stays as it is; the old one goes.
            cursor = await conn.execute(
                f"UPDATE OR IGNORE editor_picks SET period_start = ?"
                f" WHERE period_start = ? AND paper_id IN ({marks})",
                [after.isoformat(), before.isoformat(), *chunk],
            )
            moved += cursor.rowcount
            await conn.execute(
                f"DELETE FROM editor_picks WHERE period_start = ? AND paper_id IN ({marks})",
                [before.isoformat(), *chunk],
            )
    return moved


async def period_of_most(db: Database, paper_ids: Sequence[int]) -> date | None:
    """The fortnight in which more than half of these papers are picked already (an article
    imported before), else None."""
    held: Counter[str] = Counter()
    for start in range(0, len(paper_ids), _CHUNK):
        chunk = list(paper_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(
            f"SELECT period_start, count(DISTINCT paper_id) FROM editor_picks"
            f" WHERE paper_id IN ({marks}) GROUP BY period_start",
            chunk,
        )
        held.update({row[0]: row[1] for row in rows})
    if not held:
        return None
    period, count = max(held.items(), key=lambda pair: (pair[1], pair[0]))
    return date.fromisoformat(period) if count * 2 > len(set(paper_ids)) else None


async def for_period(db: Database, period_start: date) -> list[EditorPick]:
    """The period's picks in the editors' order."""
    rows = await db.fetchall(
        "SELECT paper_id, topic_slug, position FROM editor_picks WHERE period_start = ?"
        " ORDER BY position, created_at, paper_id",
        (period_start.isoformat(),),
    )
    return [EditorPick(row[0], row[1], row[2]) for row in rows]
