"""Hugging Face Daily Papers signals: upvotes and comments per paper and day listed, the days
whose list was read, and the community signal of a period that the ranking reads.

Counts only grow on the site, so a read never lowers a stored count: an early snapshot read
after a later one (a saved answer imported late, say) leaves the later counts in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import aiosqlite

from storage.db import Database, utcnow
from storage.models import CommunitySignal


@dataclass(frozen=True, slots=True)
class DaySignal:
    """One paper's counts on one day's list, as read."""

    paper_id: int
    upvotes: int
    comments: int


async def record_within(
    conn: aiosqlite.Connection, day: date, signals: Sequence[DaySignal], read_at: str | None = None
) -> None:
    """One day's read stored in the caller's transaction; counts never go down."""
    read_at = read_at or utcnow()
    # The read time stays the one the kept counts come from: an older snapshot's is not it.
    await conn.executemany(
        "INSERT INTO hf_daily_signals (paper_id, day, upvotes, comments, read_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id, day) DO UPDATE SET"
        " read_at = CASE WHEN excluded.upvotes >= upvotes AND excluded.comments >= comments"
        " THEN excluded.read_at ELSE read_at END,"
        " upvotes = max(upvotes, excluded.upvotes),"
        " comments = max(comments, excluded.comments)",
        [(s.paper_id, day.isoformat(), s.upvotes, s.comments, read_at) for s in signals],
    )
    await conn.execute(
        "INSERT INTO hf_daily_days (day, listed, read_at) VALUES (?, ?, ?)"
        " ON CONFLICT (day) DO UPDATE SET listed = max(listed, excluded.listed),"
        " read_at = excluded.read_at",
        (day.isoformat(), len({s.paper_id for s in signals}), read_at),
    )


async def record(db: Database, day: date, signals: Sequence[DaySignal]) -> None:
    """One day's read stored in a transaction of its own."""
    async with db.transaction() as conn:
        await record_within(conn, day, signals)


async def days_read(db: Database, since: date) -> set[date]:
    """The days from `since` whose list (or its absence) was read."""
    rows = await db.fetchall("SELECT day FROM hf_daily_days WHERE day >= ?", (since.isoformat(),))
    return {date.fromisoformat(row[0]) for row in rows}


async def for_day(db: Database, day: date) -> dict[str, DaySignal]:
    """A day's stored counts, by arXiv id."""
    rows = await db.fetchall(
        "SELECT p.arxiv_id, s.paper_id, s.upvotes, s.comments FROM hf_daily_signals s"
        " JOIN papers p ON p.id = s.paper_id WHERE s.day = ?",
        (day.isoformat(),),
    )
    return {row[0]: DaySignal(row[1], row[2], row[3]) for row in rows}


_PERIOD = """
WITH listed AS (
    SELECT paper_id, day, upvotes, comments,
           rank() OVER (PARTITION BY day ORDER BY upvotes DESC) AS day_rank,
           CAST(upvotes AS REAL) / nullif(max(upvotes) OVER (PARTITION BY day), 0) AS share
    FROM hf_daily_signals
    WHERE day >= :start AND day < :end
)
SELECT l.paper_id, p.arxiv_id, max(l.upvotes) AS upvotes, max(l.comments) AS comments,
       count(*) AS days, min(l.day_rank) AS best_rank, coalesce(max(l.share), 0) AS share,
       min(l.day) AS first_day
FROM listed l JOIN papers p ON p.id = l.paper_id
GROUP BY l.paper_id
"""


async def community_signal(db: Database, start: date, end: date) -> dict[int, CommunitySignal]:
    """Each paper listed on a day in [start, end): its best counts, days listed, best rank and
    share of its day's top upvotes, by paper id."""
    rows = await db.fetchall(_PERIOD, {"start": start.isoformat(), "end": end.isoformat()})
    return {
        row["paper_id"]: CommunitySignal(
            paper_id=row["paper_id"],
            arxiv_id=row["arxiv_id"],
            upvotes=row["upvotes"],
            comments=row["comments"],
            days=row["days"],
            best_rank=row["best_rank"],
            day_share=round(row["share"], 4),
            first_day=date.fromisoformat(row["first_day"]),
        )
        for row in rows
    }


async def counts(db: Database) -> tuple[int, int]:
    """Signals stored and distinct papers they are about."""
    row = await db.fetchone("SELECT count(*), count(DISTINCT paper_id) FROM hf_daily_signals")
    return row[0], row[1]
