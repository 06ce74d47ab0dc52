"""Topics and which papers belong to them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import aiosqlite

from storage.db import Database
from storage.models import Topic, TopicMatch

Assignments = Iterable[tuple[int, Sequence[TopicMatch]]]


async def sync(db: Database, topics: Sequence[Topic]) -> None:
    """Make the stored topics those configured; topics no longer configured become inactive."""
    async with db.transaction() as conn:
        await conn.execute("UPDATE topics SET active = 0")
        await conn.executemany(
            "INSERT INTO topics (slug, name_zh, name_en, aliases, position, active)"
            " VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (slug) DO UPDATE SET"
            " name_zh = excluded.name_zh, name_en = excluded.name_en,"
            " aliases = excluded.aliases, position = excluded.position, active = 1",
            [
                (t.slug, t.name_zh, t.name_en, json.dumps(t.aliases, ensure_ascii=False), i)
                for i, t in enumerate(topics)
            ],
        )


async def assign(db: Database, assignments: Assignments, source: str = "rules") -> None:
    """Set papers' topics from one source; another source's topics stay as they are."""
    async with db.transaction() as conn:
        await assign_within(conn, assignments, source)


async def assign_within(
    conn: aiosqlite.Connection, assignments: Assignments, source: str = "rules"
) -> None:
    """`assign` inside a transaction the caller holds (two statements for the whole batch)."""
    assignments = list(assignments)
    await conn.executemany(
        "DELETE FROM paper_topics WHERE paper_id = ? AND source = ?",
        [(paper_id, source) for paper_id, _ in assignments],
    )
    await conn.executemany(
        "INSERT INTO paper_topics (paper_id, topic_slug, score, source) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (paper_id, topic_slug) DO UPDATE SET score = max(score, excluded.score)",
        [(paper_id, m.slug, m.score, source) for paper_id, matches in assignments for m in matches],
    )


async def for_papers(db: Database, paper_ids: Sequence[int]) -> dict[int, list[str]]:
    """Topic slugs of several papers, in topic order."""
    if not paper_ids:
        return {}
    marks = ",".join("?" * len(paper_ids))
    rows = await db.fetchall(
        "SELECT pt.paper_id, pt.topic_slug FROM paper_topics pt"
        " JOIN topics t ON t.slug = pt.topic_slug"
        f" WHERE pt.paper_id IN ({marks}) AND t.active ORDER BY t.position",
        list(paper_ids),
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(row[1])
    return found


async def paper_counts(db: Database) -> dict[str, int]:
    """How many papers each active topic has, by slug (0 included)."""
    rows = await db.fetchall(
        "SELECT t.slug, count(pt.paper_id) FROM topics t"
        " LEFT JOIN paper_topics pt ON pt.topic_slug = t.slug"
        " WHERE t.active GROUP BY t.slug ORDER BY t.position"
    )
    return {row[0]: row[1] for row in rows}
