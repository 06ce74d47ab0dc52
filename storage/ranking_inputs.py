"""What the ranking reads about papers: a topic's candidates for a period with the editor's
order, the topic match and a model's importance; and a paper's standing for its card.

A paper belongs to a period when it was first announced in it; a replacement of an older
paper (a new version) is not news and is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from storage.db import Database
from storage.models import Standing

_CHUNK = 500  # ids per IN (…), well under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class Candidate:
    """A paper that may enter a topic's issue, with what the ranking needs of it."""

    paper_id: int
    announced: datetime | None
    pick_position: int | None  # the editor's order, when picked for the period
    fit: float | None  # the topic match's score; None when the paper is not in the topic
    fit_source: str | None  # who gave the topic: 'rules', 'editor', …
    importance: float | None  # the highest a model or editor gave


def bounds(period_start: date) -> dict:
    start = datetime.combine(period_start, time(), UTC)
    return {
        "period": period_start.isoformat(),
        "start": start.isoformat(),
        "end": (start + timedelta(days=14)).isoformat(),
    }


# Candidates: the topic's papers announced in the period, and the editor's picks for it
# (a pick with no heading topic counts when the rules put the paper in this topic).
_TOPIC_SQL = """
WITH picks AS (
    SELECT ep.paper_id, ep.position FROM editor_picks ep
    WHERE ep.period_start = :period
      AND (ep.topic_slug = :topic OR (ep.topic_slug IS NULL AND EXISTS (
           SELECT 1 FROM paper_topics pt WHERE pt.paper_id = ep.paper_id
           AND pt.topic_slug = :topic)))
),
candidates AS (
    SELECT paper_id FROM picks
    UNION
    SELECT pt.paper_id FROM paper_topics pt JOIN papers p ON p.id = pt.paper_id
    WHERE pt.topic_slug = :topic AND p.announced_at >= :start AND p.announced_at < :end
      AND (coalesce(p.announce_type, 'new') NOT IN ('replace', 'replace-cross')
           OR p.submitted_at >= :start)
)
SELECT c.paper_id, p.announced_at, picks.position, pt.score, pt.source,
       (SELECT max(s.importance) FROM summaries s WHERE s.paper_id = c.paper_id) AS importance
FROM candidates c
JOIN papers p ON p.id = c.paper_id
LEFT JOIN picks ON picks.paper_id = c.paper_id
LEFT JOIN paper_topics pt ON pt.paper_id = c.paper_id AND pt.topic_slug = :topic
"""

_PAPERS_SQL = """
SELECT p.id, p.announced_at,
       (SELECT min(ep.position) FROM editor_picks ep
        WHERE ep.paper_id = p.id AND ep.period_start = :period) AS position,
       pt.score, pt.source,
       (SELECT max(s.importance) FROM summaries s WHERE s.paper_id = p.id) AS importance
FROM papers p LEFT JOIN paper_topics pt ON pt.paper_id = p.id AND pt.topic_slug = :topic
WHERE p.id IN ({marks})
"""


async def topic_candidates(db: Database, period_start: date, slug: str) -> list[Candidate]:
    """Every paper that may enter the topic's issue for the period, unordered."""
    rows = await db.fetchall(_TOPIC_SQL, {**bounds(period_start), "topic": slug})
    return [_candidate(row) for row in rows]


async def for_papers(
    db: Database, period_start: date, slug: str | None, paper_ids: Sequence[int]
) -> dict[int, Candidate]:
    """The same facts for given papers (those of an issue frozen earlier), by paper id."""
    found: dict[int, Candidate] = {}
    for start in range(0, len(paper_ids), _CHUNK):
        chunk = list(paper_ids[start : start + _CHUNK])
        params = {f"p{n}": paper_id for n, paper_id in enumerate(chunk)}
        marks = ",".join(f":{name}" for name in params)
        sql = _PAPERS_SQL.format(marks=marks)
        rows = await db.fetchall(sql, {"period": period_start.isoformat(), "topic": slug, **params})
        found.update((row[0], _candidate(row)) for row in rows)
    return found


def _candidate(row) -> Candidate:
    announced = datetime.fromisoformat(row[1]) if row[1] else None
    return Candidate(row[0], announced, row[2], row[3], row[4], row[5])


_STANDING_SQL = """
WITH days AS (SELECT DISTINCT day FROM hf_daily_signals WHERE paper_id IN ({marks})),
listed AS (
    SELECT s.paper_id, s.upvotes, s.comments,
           CAST(s.upvotes AS REAL) / nullif(max(s.upvotes) OVER (PARTITION BY s.day), 0) AS share
    FROM hf_daily_signals s WHERE s.day IN (SELECT day FROM days)
)
SELECT p.id,
       EXISTS (SELECT 1 FROM editor_picks ep WHERE ep.paper_id = p.id) AS picked,
       (SELECT max(s.importance) FROM summaries s WHERE s.paper_id = p.id) AS importance,
       (SELECT max(l.upvotes) FROM listed l WHERE l.paper_id = p.id) AS upvotes,
       (SELECT max(l.comments) FROM listed l WHERE l.paper_id = p.id) AS comments,
       (SELECT max(l.share) FROM listed l WHERE l.paper_id = p.id) AS share
FROM papers p WHERE p.id IN ({marks})
"""


async def standings(db: Database, paper_ids: Sequence[int]) -> dict[int, Standing]:
    """Each paper's editor pick, importance and best day on Daily Papers, by paper id."""
    found: dict[int, Standing] = {}
    for start in range(0, len(paper_ids), _CHUNK):
        chunk = list(paper_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(_STANDING_SQL.format(marks=marks), [*chunk, *chunk])
        for row in rows:
            listed = row[3] is not None
            found[row[0]] = Standing(
                row[0], bool(row[1]), row[2], row[3] or 0, row[4] or 0, row[5] or 0.0, listed
            )
    return found
