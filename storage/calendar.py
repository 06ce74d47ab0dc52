"""The calendar of what is stored: how many new papers were announced on each day, and how
many an editor picked for each fortnight, for listing the issues there are."""

from __future__ import annotations

from datetime import date

from storage.db import Database

# New papers only: a replacement of an older paper is not news (as in storage.issues).
_DAYS_SQL = """
SELECT substr(announced_at, 1, 10) AS day, count(*) FROM papers
WHERE announced_at IS NOT NULL
  AND (coalesce(announce_type, 'new') NOT IN ('replace', 'replace-cross')
       OR submitted_at >= date(announced_at, '-14 days'))
GROUP BY day ORDER BY day
"""


async def announced_days(db: Database) -> list[tuple[date, int]]:
    """Each day on which new papers were announced (UTC), oldest first, with their count."""
    rows = await db.fetchall(_DAYS_SQL)
    return [(date.fromisoformat(row[0]), row[1]) for row in rows]


async def picked_periods(db: Database) -> dict[date, int]:
    """Each fortnight an editor's article was filed under, with how many papers it picked."""
    rows = await db.fetchall(
        "SELECT period_start, count(*) FROM editor_picks GROUP BY period_start"
    )
    return {date.fromisoformat(row[0]): row[1] for row in rows}
