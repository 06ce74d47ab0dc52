"""Backfill progress: per arXiv category and window of days, the offset of the next page to
fetch, how many matches the API counts, and whether the window is done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storage.db import Database, utcnow


@dataclass(frozen=True, slots=True)
class Window:
    """One category's papers submitted from `first_day` to `last_day`, and how far they are read."""

    category: str
    first_day: date
    last_day: date
    next_start: int = 0
    total: int | None = None
    papers: int = 0
    done: bool = False

    @property
    def remaining(self) -> int | None:
        """Matches not read yet; None while the API has not said how many there are."""
        return None if self.total is None else max(0, self.total - self.next_start)


def _key(category: str, first_day: date, last_day: date) -> tuple[str, str, str]:
    return category, first_day.isoformat(), last_day.isoformat()


async def plan(
    db: Database, categories: Sequence[str], ranges: Sequence[tuple[date, date]]
) -> list[Window]:
    """Every category × range recorded (those already there keep their progress), in order."""
    now = utcnow()
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO backfill_progress (category, first_day, last_day, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(*_key(c, first, last), now) for first, last in ranges for c in categories],
        )
    return [await get(db, c, first, last) for first, last in ranges for c in categories]


async def get(db: Database, category: str, first_day: date, last_day: date) -> Window:
    row = await db.fetchone(
        "SELECT * FROM backfill_progress WHERE category = ? AND first_day = ? AND last_day = ?",
        _key(category, first_day, last_day),
    )
    if row is None:
        return Window(category, first_day, last_day)
    return Window(
        category,
        first_day,
        last_day,
        next_start=row["next_start"],
        total=row["total"],
        papers=row["papers"],
        done=row["done_at"] is not None,
    )


async def advance(
    db: Database, window: Window, next_start: int, total: int | None, read: int
) -> Window:
    """A page read: the next one starts at `next_start`; `read` papers came with it."""
    await db.write(
        "UPDATE backfill_progress SET next_start = ?, total = coalesce(?, total),"
        " papers = papers + ?, updated_at = ?"
        " WHERE category = ? AND first_day = ? AND last_day = ?",
        (
            next_start,
            total,
            read,
            utcnow(),
            *_key(window.category, window.first_day, window.last_day),
        ),
    )
    return await get(db, window.category, window.first_day, window.last_day)


async def finish(db: Database, window: Window) -> None:
    """The window's last page was read."""
    now = utcnow()
    await db.write(
        "UPDATE backfill_progress SET done_at = ?, updated_at = ?"
        " WHERE category = ? AND first_day = ? AND last_day = ?",
        (now, now, *_key(window.category, window.first_day, window.last_day)),
    )


async def unfinished(db: Database) -> int:
    """How many windows are planned and not done: a backfill to resume."""
    row = await db.fetchone("SELECT count(*) FROM backfill_progress WHERE done_at IS NULL")
    return row[0]


async def unfinished_windows(db: Database) -> list[Window]:
    """The windows planned and not done, in the order they were planned."""
    rows = await db.fetchall(
        "SELECT category, first_day, last_day FROM backfill_progress WHERE done_at IS NULL"
        " ORDER BY first_day, rowid"
    )
    return [
        await get(
            db, r["category"], date.fromisoformat(r["first_day"]), date.fromisoformat(r["last_day"])
        )
        for r in rows
    ]
