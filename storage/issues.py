"""Issues: a period's ranked papers for a topic (or a chat's saved query), frozen when first sent.

A topic's papers are ranked by bot.digest.ranking (over storage.ranking_inputs' candidates) and
stored here; a saved query's papers are ranked by full-text relevance, here. A paper belongs
to a period when it was first announced in it; a replacement of an older paper (a new
version) is not news and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage import search
from storage.db import Database, utcnow
from storage.ranking_inputs import bounds as _bounds

DEFAULT_CAP = 10


@dataclass(frozen=True, slots=True)
class Issue:
    period_start: date
    topic_slug: str | None  # exactly one of topic_slug and query is set
    query: str | None
    paper_ids: tuple[int, ...]  # ranked, best first
    frozen: bool  # False: a preview, assembled now and stored nowhere


# A saved query's papers of the period, best match first (the user's words quoted).
_QUERY_SQL = """
SELECT f.rowid FROM paper_fts f
WHERE paper_fts MATCH :match AND f.rowid IN (
    SELECT id FROM papers WHERE announced_at >= :start AND announced_at < :end
      AND (coalesce(announce_type, 'new') NOT IN ('replace', 'replace-cross')
           OR submitted_at >= :start))
ORDER BY bm25(paper_fts, 10.0, 5.0, 1.0, 2.0, 2.0), f.rowid DESC
LIMIT :cap
"""


async def rank_query(db: Database, period_start: date, query: str, cap: int) -> list[int]:
    """Papers of the period matching every word of a saved query, best first."""
    match = search.to_match(query)
    if match is None:
        return []
    params = {**_bounds(period_start), "match": match.all_terms, "cap": cap}
    return [row[0] for row in await db.fetchall(_QUERY_SQL, params)]


async def _stored(
    db: Database, period_start: date, slug: str | None, chat_id: int | None, query: str | None
) -> Issue | None:
    if slug is not None:
        where, params = "topic_slug = ?", (period_start.isoformat(), slug)
    else:
        where, params = "chat_id = ? AND query = ?", (period_start.isoformat(), chat_id, query)
    row = await db.fetchone(f"SELECT id FROM issues WHERE period_start = ? AND {where}", params)
    if row is None:
        return None
    papers = await db.fetchall(
        "SELECT paper_id FROM issue_papers WHERE issue_id = ? ORDER BY position", (row[0],)
    )
    return Issue(period_start, slug, query, tuple(r[0] for r in papers), frozen=True)


async def stored_topic(db: Database, period_start: date, slug: str) -> Issue | None:
    """The topic's issue for the period as frozen when first sent, if it was."""
    return await _stored(db, period_start, slug, None, None)


async def freeze_topic(db: Database, issue: Issue) -> Issue:
    """A topic's issue assembled now, stored so that every later reader gets the same; when
    another writer froze it first, theirs."""
    return await _freeze(db, issue, None)


async def query_issue(
    db: Database,
    period_start: date,
    chat_id: int,
    query: str,
    *,
    cap: int = DEFAULT_CAP,
    freeze: bool = False,
) -> Issue:
    """A chat's saved-query issue for the period, frozen or assembled now."""
    found = await _stored(db, period_start, None, chat_id, query)
    if found is not None:
        return found
    ranked = await rank_query(db, period_start, query, cap)
    issue = Issue(period_start, None, query, tuple(ranked), frozen=False)
    return await _freeze(db, issue, chat_id) if freeze else issue


async def _freeze(db: Database, issue: Issue, chat_id: int | None) -> Issue:
    async with db.transaction() as conn:
        # Another writer may have frozen it since we looked: theirs stands.
        found = await _stored(db, issue.period_start, issue.topic_slug, chat_id, issue.query)
        if found is not None:
            return found
        cursor = await conn.execute(
            "INSERT INTO issues (period_start, topic_slug, chat_id, query, frozen_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (issue.period_start.isoformat(), issue.topic_slug, chat_id, issue.query, utcnow()),
        )
        await conn.executemany(
            "INSERT INTO issue_papers (issue_id, position, paper_id) VALUES (?, ?, ?)",
            [(cursor.lastrowid, n, paper_id) for n, paper_id in enumerate(issue.paper_ids)],
        )
    return Issue(issue.period_start, issue.topic_slug, issue.query, issue.paper_ids, frozen=True)
