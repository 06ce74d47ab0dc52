"""The admin-check cache: what Telegram last said about a member's admin rights in a chat.

Asking Telegram on every button press would be slow and rate-limited, so answers are kept a
few minutes; a `chat_member` update replaces the answer at once, and old answers are pruned.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import Database, utcnow


def _iso(moment: datetime | None) -> str:
    return utcnow() if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


async def remember(
    db: Database, chat_id: int, user_id: int, is_admin: bool, *, now: datetime | None = None
) -> None:
    """Keep what Telegram answered about a member's admin rights, with the time of asking."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chat_admins (chat_id, user_id, is_admin, checked_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id, user_id) DO UPDATE SET"
            " is_admin = excluded.is_admin, checked_at = excluded.checked_at",
            (chat_id, user_id, int(bool(is_admin)), _iso(now)),
        )


async def cached(
    db: Database, chat_id: int, user_id: int, max_age: timedelta, *, now: datetime | None = None
) -> bool | None:
    """The remembered answer when younger than max_age; None means ask Telegram."""
    moment = datetime.now(UTC) if now is None else now
    row = await db.fetchone(
        "SELECT is_admin FROM chat_admins WHERE chat_id = ? AND user_id = ? AND checked_at >= ?",
        (chat_id, user_id, _iso(moment - max_age)),
    )
    return bool(row[0]) if row is not None else None


async def prune(db: Database, older_than: timedelta, *, now: datetime | None = None) -> int:
    """Forget admin checks older than older_than; how many went."""
    moment = datetime.now(UTC) if now is None else now
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM chat_admins WHERE checked_at < ?", (_iso(moment - older_than),)
        )
        return cursor.rowcount


async def forget(db: Database, chat_id: int, user_id: int | None = None) -> int:
    """Drop the remembered answers of one member, or of the whole chat; how many went."""
    async with db.transaction() as conn:
        if user_id is None:
            cursor = await conn.execute("DELETE FROM chat_admins WHERE chat_id = ?", (chat_id,))
        else:
            cursor = await conn.execute(
                "DELETE FROM chat_admins WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
            )
        return cursor.rowcount
