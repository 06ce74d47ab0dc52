"""Chats: who the bot talks to, their delivery settings, pausing, group upgrades.

The admin-check cache lives in storage.chat_admins."""

from __future__ import annotations

import re
import sqlite3
import zoneinfo
from collections.abc import Sequence
from datetime import datetime
from functools import cache

import aiosqlite

from storage import follows, votes
from storage.chat_models import (
    CHAT_TYPES,
    EMPTY_TOPICS,
    LANGUAGES,
    Chat,
    InvalidSetting,
    InvalidTimezone,
    UnknownChat,
)
from storage.db import Database, utcnow

# Names zoneinfo lists that are not places: refuse them like any other non-IANA name.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
# An offset no Etc/GMT zone has (India's +05:30), within the offsets places keep.
_FIXED_OFFSET = re.compile(
    r"UTC(?:\+(?:0[0-9]|1[0-3]):(?:00|30|45)|\+14:00|-(?:0[0-9]|1[01]):(?:00|30|45)|-12:00)"
)

_IDS_PER_QUERY = 500  # well under SQLite's limit of bound parameters


def from_row(row: sqlite3.Row) -> Chat:
    """A `chats` row as a Chat."""
    return Chat(
        id=row["id"],
        type=row["type"],
        title=row["title"],
        language=row["language"],
        timezone=row["timezone"],
        delivery_weekday=row["delivery_weekday"],
        delivery_hour=row["delivery_hour"],
        empty_topics=row["empty_topics"],
        thread_id=row["thread_id"],
        active=bool(row["active"]),
        paused_reason=row["paused_reason"],
        created_at=datetime.fromisoformat(row["created_at"]),
        changed_at=datetime.fromisoformat(row["changed_at"]),
        reader_language=row["reader_language"],
    )


@cache
def _iana_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_PLACES


def check_timezone(name: str) -> str:
    """The name itself when it is an IANA timezone or a fixed offset such as `UTC+05:30`;
    InvalidTimezone otherwise."""
    if isinstance(name, str) and _FIXED_OFFSET.fullmatch(name):
        return name
    if not _iana_names():
        raise InvalidTimezone(
            f"timezone {name!r} cannot be checked: no IANA timezone database is installed"
            " (install the tzdata package)"
        )
    if not isinstance(name, str) or name not in _iana_names():
        raise InvalidTimezone(f"timezone {name!r} is not an IANA timezone")
    return name


def _check_choice(what: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidSetting(f"{what} {value!r} is not one of {', '.join(allowed)}")


def _check_int(what: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidSetting(f"{what} {value!r} is not a whole number from {low} to {high}")


async def get(db: Database, chat_id: int) -> Chat | None:
    row = await db.fetchone("SELECT * FROM chats WHERE id = ?", (chat_id,))
    return from_row(row) if row is not None else None


async def push_languages(db: Database, chat_ids: Sequence[int]) -> dict[int, str]:
    """The language each of these chats' pushes are written in (Chat.push_language)."""
    found: dict[int, str] = {}
    for start in range(0, len(chat_ids), _IDS_PER_QUERY):
        ids = chat_ids[start : start + _IDS_PER_QUERY]
        marks = ",".join("?" * len(ids))
        rows = await db.fetchall(
            "SELECT id, coalesce(language, reader_language, 'en') FROM chats"
            f" WHERE id IN ({marks})",
            list(ids),
        )
        found.update((row[0], row[1]) for row in rows)
    return found


async def ensure(
    db: Database, chat_id: int, type: str, title: str | None, *, default_timezone: str
) -> Chat:
    """The chat's row, inserted when new; its type and title follow what Telegram says now."""
    _check_choice("chat type", type, CHAT_TYPES)
    check_timezone(default_timezone)
    known = await get(db, chat_id)
    if known is not None and known.type == type and known.title == title:
        return known  # every update asks: a read keeps them off the write lock
    now = utcnow()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats (id, type, title, timezone, created_at, changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " type = excluded.type, title = excluded.title, changed_at = excluded.changed_at"
            " WHERE chats.type IS NOT excluded.type OR chats.title IS NOT excluded.title",
            (chat_id, type, title, default_timezone, now, now),
        )
    return await _existing(db, chat_id)


async def _existing(db: Database, chat_id: int) -> Chat:
    chat = await get(db, chat_id)
    if chat is None:
        raise UnknownChat(chat_id)
    return chat


async def _set(db: Database, chat_id: int, assignments: str, params: tuple) -> Chat:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE chats SET {assignments}, changed_at = ? WHERE id = ?",
            (*params, utcnow(), chat_id),
        )
        if cursor.rowcount == 0:
            raise UnknownChat(chat_id)
    return await _existing(db, chat_id)


async def set_language(db: Database, chat_id: int, language: str | None) -> Chat:
    """The chat's language, or None: a private chat then follows its user's Telegram language,
    a group takes the language of the next member who speaks to the bot."""
    if language is not None:
        _check_choice("language", language, LANGUAGES)
    return await _set(db, chat_id, "language = ?", (language,))


async def adopt_language(db: Database, chat_id: int, language: str) -> Chat:
    """The chat's saved language; `language` becomes it when the chat has none yet."""
    _check_choice("language", language, LANGUAGES)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE chats SET language = ?, changed_at = ? WHERE id = ? AND language IS NULL",
            (language, utcnow(), chat_id),
        )
    return await _existing(db, chat_id)


async def set_timezone(db: Database, chat_id: int, timezone: str) -> Chat:
    return await _set(db, chat_id, "timezone = ?", (check_timezone(timezone),))


async def set_delivery(
    db: Database, chat_id: int, *, weekday: int | None = None, hour: int | None = None
) -> Chat:
    """The local weekday (0 = Monday) and hour of pushes; None keeps that part as it is."""
    if weekday is not None:
        _check_int("delivery weekday", weekday, 0, 6)
    if hour is not None:
        _check_int("delivery hour", hour, 0, 23)
    return await _set(
        db,
        chat_id,
        "delivery_weekday = coalesce(?, delivery_weekday),"
        " delivery_hour = coalesce(?, delivery_hour)",
        (weekday, hour),
    )


async def set_empty_topics(db: Database, chat_id: int, behaviour: str) -> Chat:
    """What a push does for a topic with nothing new: 'skip' it or send one 'line'."""
    _check_choice("empty-topics behaviour", behaviour, EMPTY_TOPICS)
    return await _set(db, chat_id, "empty_topics = ?", (behaviour,))


async def set_thread(db: Database, chat_id: int, thread_id: int | None) -> Chat:
    """The forum thread pushes go to when a subscription names none."""
    return await _set(db, chat_id, "thread_id = ?", (thread_id,))


async def pause(db: Database, chat_id: int, reason: str) -> Chat:
    """Stop pushing to a chat that removed or blocked the bot; the reason is kept for operators."""
    if not reason or not reason.strip():
        raise InvalidSetting("a pause needs a reason")
    return await _set(db, chat_id, "active = 0, paused_reason = ?", (reason.strip(),))


async def resume(db: Database, chat_id: int) -> Chat:
    """Push again to a chat that added the bot back."""
    return await _set(db, chat_id, "active = 1, paused_reason = NULL", ())


async def migrate(db: Database, old_id: int, new_id: int) -> bool:
    """Move a group upgraded to a supergroup to its new id, settings and subscriptions included.

    False when there is no old chat. When the supergroup already has a row (an update from it
    arrived first), the two merge: the old group's settings, the new row's title, type and
    pause state, the union of subscriptions; the old row goes away.
    """
    if old_id == new_id:
        return False
    async with db.transaction() as conn:
        old = await db.fetchone("SELECT * FROM chats WHERE id = ?", (old_id,))
        if old is None:
            return False
        # Admin rights are checked again in the new chat rather than carried over.
        await conn.execute("DELETE FROM chat_admins WHERE chat_id = ?", (old_id,))
        await conn.execute(
            "UPDATE search_sessions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
        )
        await votes.move_chat_within(conn, old_id, new_id)
        await follows.move_chat_within(conn, old_id, new_id)
        if await db.fetchone("SELECT 1 FROM chats WHERE id = ?", (new_id,)) is None:
            await conn.execute(
                "UPDATE chats SET id = ?, type = CASE type WHEN 'group' THEN 'supergroup'"
                " ELSE type END, changed_at = ? WHERE id = ?",
                (new_id, utcnow(), old_id),
            )
        else:
            await _merge(conn, from_row(old), new_id)
    return True


async def _merge(conn: aiosqlite.Connection, old: Chat, new_id: int) -> None:
    # The supergroup's row is usually seconds old, written with defaults: the group's
    # deliberate settings win, a language only when the group had one.
    await conn.execute(
        "UPDATE chats SET language = coalesce(?, language), timezone = ?,"
        " delivery_weekday = ?, delivery_hour = ?, empty_topics = ?,"
        " thread_id = coalesce(thread_id, ?), created_at = min(created_at, ?), changed_at = ?"
        " WHERE id = ?",
        (
            old.language,
            old.timezone,
            old.delivery_weekday,
            old.delivery_hour,
            old.empty_topics,
            old.thread_id,
            old.created_at.isoformat(timespec="seconds"),
            utcnow(),
            new_id,
        ),
    )
    async with conn.execute(
        "SELECT id, chat_id, topic_slug, query FROM subscriptions WHERE chat_id IN (?, ?)",
        (old.id, new_id),
    ) as cursor:
        rows = list(await cursor.fetchall())
    kept = {_subscription_key(r) for r in rows if r["chat_id"] == new_id}
    duplicates = [
        (r["id"],) for r in rows if r["chat_id"] == old.id and _subscription_key(r) in kept
    ]
    await conn.executemany("DELETE FROM subscriptions WHERE id = ?", duplicates)
    await conn.execute("UPDATE subscriptions SET chat_id = ? WHERE chat_id = ?", (new_id, old.id))
    # What the group was sent stays sent: the supergroup must not get those digests again.
    for table in ("deliveries", "issues"):
        await conn.execute(
            f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?", (new_id, old.id)
        )
    await conn.execute("DELETE FROM chats WHERE id = ?", (old.id,))


def _subscription_key(row: sqlite3.Row) -> tuple[str, str]:
    if row["topic_slug"] is not None:
        return ("topic", row["topic_slug"])
    return ("query", row["query"].casefold())


async def counts(db: Database) -> dict:
    """Chats for operators: {"total", "active", "paused", "by_type": {type: n}}."""
    rows = await db.fetchall("SELECT type, active, count(*) FROM chats GROUP BY type, active")
    by_type = dict.fromkeys(CHAT_TYPES, 0)
    active = paused = 0
    for chat_type, is_active, n in rows:
        by_type[chat_type] += n
        if is_active:
            active += n
        else:
            paused += n
    return {"total": active + paused, "active": active, "paused": paused, "by_type": by_type}
