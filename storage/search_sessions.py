"""Search sessions: a long query kept behind a short token that fits in callback data."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from storage.db import Database, StorageError, utcnow

TOKEN_BYTES = 9  # 12 URL-safe characters, 72 random bits
MAX_QUERY_CHARS = 300  # no search anyone types is longer, and its echo must fit a message
_LANGS = ("zh", "en")


async def save(db: Database, chat_id: int, query: str, lang: str | None) -> str:
    """Keep a chat's search and return the token its paging buttons carry.

    The same search in the same chat and language keeps its token, made young again: pressing
    "Similar papers" twenty times stores one row, not twenty.
    """
    if not isinstance(query, str) or not query.strip():
        raise ValueError("a search session needs a query")
    if len(query) > MAX_QUERY_CHARS:
        raise ValueError(f"a search session holds at most {MAX_QUERY_CHARS} characters")
    if lang is not None and lang not in _LANGS:
        raise ValueError(f"search language {lang!r} is not one of zh, en")
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE search_sessions SET created_at = ?"
            " WHERE chat_id = ? AND query = ? AND lang IS ? RETURNING token",
            (utcnow(), chat_id, query, lang),
        )
        reused = await cursor.fetchone()
    if reused is not None:
        return reused[0]
    for _ in range(3):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        async with db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO search_sessions (token, chat_id, query, lang, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (token) DO NOTHING",
                (token, chat_id, query, lang, utcnow()),
            )
        if cursor.rowcount == 1:
            return token
    raise StorageError("no unused search token after 3 draws")  # 72 random bits: never


async def load(db: Database, token: str, chat_id: int) -> tuple[str, str | None] | None:
    """(query, lang) behind a token, only for the chat that saved it; None otherwise."""
    row = await db.fetchone(
        "SELECT query, lang FROM search_sessions WHERE token = ? AND chat_id = ?",
        (token, chat_id),
    )
    return (row[0], row[1]) if row is not None else None


async def prune(db: Database, older_than: timedelta, *, now: datetime | None = None) -> int:
    """Forget sessions older than older_than; how many went."""
    moment = datetime.now(UTC) if now is None else now.astimezone(UTC)
    cutoff = (moment - older_than).isoformat(timespec="seconds")
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM search_sessions WHERE created_at < ?", (cutoff,))
        return cursor.rowcount
