"""Subscriptions: which topics and saved keyword queries a chat receives, and in which thread."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime

import aiosqlite

from storage import chats
from storage.chat_models import (
    LANGUAGES,
    Chat,
    InvalidQuery,
    Subscription,
    UnknownChat,
    UnknownTopic,
)
from storage.db import Database, utcnow

QUERY_MAX_CHARS = 200
_SPACES = re.compile(r"\s+")


def from_row(row: sqlite3.Row) -> Subscription:
    """A `subscriptions` row as a Subscription."""
    return Subscription(
        id=row["id"],
        chat_id=row["chat_id"],
        topic_slug=row["topic_slug"],
        query=row["query"],
        thread_id=row["thread_id"],
        created_by=row["created_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def normalize_query(query: str) -> str:
    """A saved query as stored: trimmed, inner whitespace one space; InvalidQuery if unusable."""
    text = _SPACES.sub(" ", query).strip() if isinstance(query, str) else ""
    if not text:
        raise InvalidQuery("a saved query needs at least one word")
    if len(text) > QUERY_MAX_CHARS:
        raise InvalidQuery(
            f"saved query {text[:30]!r}… has {len(text)} characters, at most {QUERY_MAX_CHARS}"
        )
    return text


async def _require_chat(conn: aiosqlite.Connection, chat_id: int) -> None:
    async with conn.execute("SELECT 1 FROM chats WHERE id = ?", (chat_id,)) as cursor:
        if await cursor.fetchone() is None:
            raise UnknownChat(chat_id)


async def _require_topic(conn: aiosqlite.Connection, slug: str) -> None:
    async with conn.execute("SELECT active FROM topics WHERE slug = ?", (slug,)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise UnknownTopic(f"unknown topic {slug!r}")
    if not row[0]:
        raise UnknownTopic(f"topic {slug!r} is no longer offered")


async def _remember_reader(conn: aiosqlite.Connection, chat_id: int, language: str | None) -> None:
    if language in LANGUAGES:
        await conn.execute(
            "UPDATE chats SET reader_language = ? WHERE id = ? AND reader_language IS NOT ?",
            (language, chat_id, language),
        )


async def add_topic(
    db: Database,
    chat_id: int,
    slug: str,
    *,
    thread_id: int | None = None,
    created_by: int | None = None,
    language: str | None = None,
) -> bool:
    """Subscribe a chat to a topic; False when it already was (its first thread is kept).

    `language` is the one the subscriber reads: pushes use it while the chat has none saved.
    """
    async with db.transaction() as conn:
        await _require_chat(conn, chat_id)
        await _require_topic(conn, slug)
        await _remember_reader(conn, chat_id, language)
        cursor = await conn.execute(
            "INSERT INTO subscriptions (chat_id, topic_slug, thread_id, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (chat_id, slug, thread_id, created_by, utcnow()),
        )
        return cursor.rowcount == 1


async def add_query(
    db: Database,
    chat_id: int,
    query: str,
    *,
    thread_id: int | None = None,
    created_by: int | None = None,
    language: str | None = None,
) -> bool:
    """Save a keyword query for a chat; False when it has it already, in any letter case."""
    text = normalize_query(query)
    async with db.transaction() as conn:
        await _require_chat(conn, chat_id)
        await _remember_reader(conn, chat_id, language)
        if await _saved_query_id(conn, chat_id, text) is not None:
            return False
        await conn.execute(
            "INSERT INTO subscriptions (chat_id, query, thread_id, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (chat_id, text, thread_id, created_by, utcnow()),
        )
        return True


async def _saved_query_id(conn: aiosqlite.Connection, chat_id: int, text: str) -> int | None:
    # Python's casefold, not SQLite's lower(): the latter folds ASCII letters only.
    async with conn.execute(
        "SELECT id, query FROM subscriptions WHERE chat_id = ? AND query IS NOT NULL", (chat_id,)
    ) as cursor:
        rows = await cursor.fetchall()
    wanted = text.casefold()
    return next((row[0] for row in rows if row[1].casefold() == wanted), None)


async def remove_topic(db: Database, chat_id: int, slug: str) -> bool:
    """Unsubscribe a chat from a topic; False when it was not subscribed."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM subscriptions WHERE chat_id = ? AND topic_slug = ?", (chat_id, slug)
        )
        return cursor.rowcount > 0


async def remove_query(db: Database, chat_id: int, query: str) -> bool:
    """Forget a saved query, written with any spacing or letter case; False when not saved."""
    try:
        text = normalize_query(query)
    except InvalidQuery:
        return False
    async with db.transaction() as conn:
        found = await _saved_query_id(conn, chat_id, text)
        if found is None:
            return False
        await conn.execute("DELETE FROM subscriptions WHERE id = ?", (found,))
        return True


async def for_chat(db: Database, chat_id: int) -> list[Subscription]:
    """A chat's subscriptions: topics in topic order, then saved queries, oldest first."""
    rows = await db.fetchall(
        "SELECT s.* FROM subscriptions s LEFT JOIN topics t ON t.slug = s.topic_slug"
        " WHERE s.chat_id = ?"
        " ORDER BY s.topic_slug IS NULL, t.position, s.topic_slug, s.created_at, s.id",
        (chat_id,),
    )
    return [from_row(row) for row in rows]


async def active_chats(db: Database) -> list[tuple[Chat, list[Subscription]]]:
    """Every active chat that has subscriptions, with them, in chat id order."""
    chat_rows = await db.fetchall(
        "SELECT * FROM chats WHERE active AND id IN (SELECT chat_id FROM subscriptions) ORDER BY id"
    )
    sub_rows = await db.fetchall(
        "SELECT s.* FROM subscriptions s JOIN chats c ON c.id = s.chat_id"
        " LEFT JOIN topics t ON t.slug = s.topic_slug WHERE c.active"
        " ORDER BY s.chat_id, s.topic_slug IS NULL, t.position, s.created_at, s.id"
    )
    by_chat: dict[int, list[Subscription]] = {}
    for row in sub_rows:
        by_chat.setdefault(row["chat_id"], []).append(from_row(row))
    return [(chats.from_row(row), by_chat.get(row["id"], [])) for row in chat_rows]


async def chats_for_topic(db: Database, slug: str, *, active_only: bool = True) -> list[int]:
    """Ids of the chats subscribed to a topic, paused chats left out unless asked for."""
    rows = await db.fetchall(
        "SELECT s.chat_id FROM subscriptions s JOIN chats c ON c.id = s.chat_id"
        " WHERE s.topic_slug = ? AND (c.active OR NOT ?) ORDER BY s.chat_id",
        (slug, active_only),
    )
    return [row[0] for row in rows]


async def chats_with_queries(db: Database, *, active_only: bool = True) -> dict[int, list[str]]:
    """Saved queries by chat id, for the push of keyword subscriptions."""
    rows = await db.fetchall(
        "SELECT s.chat_id, s.query FROM subscriptions s JOIN chats c ON c.id = s.chat_id"
        " WHERE s.query IS NOT NULL AND (c.active OR NOT ?) ORDER BY s.chat_id, s.created_at, s.id",
        (active_only,),
    )
    found: dict[int, list[str]] = {}
    for chat_id, query in rows:
        found.setdefault(chat_id, []).append(query)
    return found


async def counts(db: Database) -> dict:
    """Subscriptions for operators: {"topics": {slug: n}, "queries": n, "chats": n}.

    Every active topic is listed in topic order, with 0 when nobody takes it, and a retired
    topic while someone still holds it; "chats" counts chats with at least one subscription.
    """
    topic_rows = await db.fetchall(
        "SELECT t.slug, count(s.id) FROM topics t"
        " LEFT JOIN subscriptions s ON s.topic_slug = t.slug"
        " WHERE t.active OR s.id IS NOT NULL GROUP BY t.slug ORDER BY t.position, t.slug"
    )
    totals = await db.fetchone("SELECT count(query), count(DISTINCT chat_id) FROM subscriptions")
    return {
        "topics": {slug: n for slug, n in topic_rows},
        "queries": totals[0],
        "chats": totals[1],
    }
