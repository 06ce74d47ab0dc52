"""Feed state: conditional GET validators and each feed's last result."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, utcnow
from storage.models import FeedState, UpsertCounts


async def get(db: Database, url: str) -> FeedState:
    row = await db.fetchone("SELECT * FROM feeds WHERE url = ?", (url,))
    if row is None:
        return FeedState(url=url)
    return FeedState(
        url=row["url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        fetched_at=datetime.fromisoformat(row["fetched_at"]) if row["fetched_at"] else None,
        status=row["status"],
        error=row["error"],
        new=row["new"],
        updated=row["updated"],
        unchanged=row["unchanged"],
    )


async def record(
    db: Database,
    url: str,
    *,
    status: str,
    counts: UpsertCounts | None = None,
    error: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """Remember a fetch; validators are kept from before unless new ones arrived."""
    counts = counts or UpsertCounts()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO feeds (url, etag, last_modified, fetched_at, status, error, new,"
            " updated, unchanged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET etag = coalesce(excluded.etag, feeds.etag),"
            " last_modified = coalesce(excluded.last_modified, feeds.last_modified),"
            " fetched_at = excluded.fetched_at, status = excluded.status,"
            " error = excluded.error, new = excluded.new, updated = excluded.updated,"
            " unchanged = excluded.unchanged",
            (
                url,
                etag,
                last_modified,
                utcnow(),
                status,
                error,
                counts.new,
                counts.updated,
                counts.unchanged,
            ),
        )


async def last_fetch(db: Database) -> FeedState | None:
    """The most recent fetch of any feed."""
    row = await db.fetchone("SELECT url FROM feeds ORDER BY fetched_at DESC LIMIT 1")
    return await get(db, row[0]) if row else None
