"""Authors a chat follows: one row per author name's normal form (bot/authors.py), and the
authors of a period's papers, which the digest matches against them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import aiosqlite

from storage.db import Database, utcnow
from storage.ranking_inputs import bounds

MAX_PER_CHAT = 50  # a digest section, not a mailing list


@dataclass(frozen=True, slots=True)
class Follow:
    name_key: str
    name: str


async def follow(db: Database, chat_id: int, name_key: str, name: str, by: int | None) -> bool:
    """Follow the author; False when the chat follows that name already."""
    changed = await db.write(
        "INSERT INTO follows (chat_id, name_key, name, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, name_key) DO NOTHING",
        (chat_id, name_key, name, by, utcnow()),
    )
    return changed > 0


async def unfollow(db: Database, chat_id: int, name_key: str) -> bool:
    """Stop following; False when the chat did not follow that name."""
    return (
        await db.write(
            "DELETE FROM follows WHERE chat_id = ? AND name_key = ?", (chat_id, name_key)
        )
        > 0
    )


async def of_chat(db: Database, chat_id: int) -> list[Follow]:
    """The authors the chat follows, in the order it followed them."""
    rows = await db.fetchall(
        "SELECT name_key, name FROM follows WHERE chat_id = ? ORDER BY created_at, rowid",
        (chat_id,),
    )
    return [Follow(row[0], row[1]) for row in rows]


async def period_authors(db: Database, period_start: date) -> list[tuple[int, tuple[str, ...]]]:
    """(paper id, authors) of the papers new in the period, newest first; a new version of an
    older paper is not new, as in every issue."""
    rows = await db.fetchall(
        "SELECT id, authors FROM papers WHERE announced_at >= :start AND announced_at < :end"
        " AND (coalesce(announce_type, 'new') NOT IN ('replace', 'replace-cross')"
        "      OR submitted_at >= :start)"
        " ORDER BY announced_at DESC, id DESC",
        bounds(period_start),
    )
    return [(row[0], tuple(json.loads(row[1]))) for row in rows]


async def move_chat_within(conn: aiosqlite.Connection, old_id: int, new_id: int) -> None:
    """A group became a supergroup: the authors it follows go with it."""
    await conn.execute(
        "UPDATE OR IGNORE follows SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
    )
    await conn.execute("DELETE FROM follows WHERE chat_id = ?", (old_id,))


async def chats_following(db: Database) -> set[int]:
    rows = await db.fetchall("SELECT DISTINCT chat_id FROM follows")
    return {row[0] for row in rows}
