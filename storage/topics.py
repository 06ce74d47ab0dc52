"""Topics and which papers belong to them, from three sources: an editor's heading, a summary
model's choice and the keyword rules. Once the model has spoken for a paper (even to choose no
topic), the rules no longer give it any topic the model was offered; an editor's heading
always stands."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import aiosqlite

from storage.db import Database, utcnow
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
    """`assign` inside a transaction the caller holds (two statements for the whole batch).

    The rules do not give a paper a topic the model was offered when it chose the paper's.
    """
    assignments = list(assignments)
    await conn.executemany(
        "DELETE FROM paper_topics WHERE paper_id = ? AND source = ?",
        [(paper_id, source) for paper_id, _ in assignments],
    )
    rules = source == "rules"
    await conn.executemany(
        "INSERT INTO paper_topics (paper_id, topic_slug, score, source) SELECT ?, ?, ?, ?"
        f" WHERE true{_NOT_OFFERED_TO_MODEL if rules else ''}"
        " ON CONFLICT (paper_id, topic_slug) DO UPDATE SET score = max(score, excluded.score)",
        [
            (paper_id, m.slug, m.score, source, *((paper_id, m.slug) if rules else ()))
            for paper_id, matches in assignments
            for m in matches
        ],
    )


_NOT_OFFERED_TO_MODEL = (
    " AND NOT EXISTS (SELECT 1 FROM model_topic_choices c, json_each(c.offered) o"
    " WHERE c.paper_id = ? AND o.value = ?)"
)


async def choose(
    db: Database, paper_id: int, slugs: Sequence[str], offered: Sequence[str], model: str
) -> None:
    """The topics a model chose for a paper among those `offered`, in place of the rules'
    topics among those; an editor's heading stays, and so does a rule's topic added to the
    configuration since."""
    async with db.transaction() as conn:
        await choose_within(conn, paper_id, slugs, offered, model)


async def choose_within(
    conn: aiosqlite.Connection,
    paper_id: int,
    slugs: Sequence[str],
    offered: Sequence[str],
    model: str,
) -> None:
    """`choose` inside a transaction the caller holds."""
    await conn.execute(
        "DELETE FROM paper_topics WHERE paper_id = ? AND (source = 'model' OR source = 'rules'"
        " AND topic_slug IN (SELECT value FROM json_each(?)))",
        (paper_id, json.dumps(list(offered))),
    )
    # A topic no longer configured (the file changed since the request) is not given.
    await conn.executemany(
        "INSERT INTO paper_topics (paper_id, topic_slug, score, source)"
        " SELECT ?, slug, 1.0, 'model' FROM topics WHERE slug = ? AND active"
        " ON CONFLICT (paper_id, topic_slug) DO NOTHING",
        [(paper_id, slug) for slug in slugs],
    )
    await conn.execute(
        "INSERT INTO model_topic_choices (paper_id, model, topics, offered, chosen_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id) DO UPDATE SET model = excluded.model,"
        " topics = excluded.topics, offered = excluded.offered, chosen_at = excluded.chosen_at",
        (paper_id, model, json.dumps(list(slugs)), json.dumps(list(offered)), utcnow()),
    )


async def sources_of(db: Database, paper_id: int) -> dict[str, str]:
    """Where each of a paper's topics comes from: slug -> 'editor', 'model' or 'rules'."""
    rows = await db.fetchall(
        "SELECT topic_slug, source FROM paper_topics WHERE paper_id = ?", (paper_id,)
    )
    return {row[0]: row[1] for row in rows}


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
