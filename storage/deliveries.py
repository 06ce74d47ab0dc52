"""The delivery ledger: a row per chat × period × message part, claimed before it is sent and
completed after, so a push happens once however often the process is stopped or killed.

A row still open (pending, or claimed by a process that died) is sent on the next pass.
Only a part Telegram accepted in the moment before `complete` was written can go twice:
that is the window, one part per chat, the send of it and one autocommitted UPDATE wide
(plus the wait for the connection's write lock, should another write hold it then).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import Database, utcnow

OPEN = ("pending", "claimed")
_CHUNK = 500  # ids per IN (…), well under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class Part:
    chat_id: int
    period_start: date
    part: int  # from 1
    parts: int
    text_id: int
    thread_id: int | None
    attempts: int

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.chat_id, self.period_start.isoformat(), self.part)


async def planned_chats(
    db: Database, period_starts: Sequence[date], *, chat_id: int | None = None
) -> set[tuple[int, date]]:
    """(chat, period) pairs that have ledger rows already (of one chat, if given)."""
    if not period_starts:
        return set()
    marks = ",".join("?" * len(period_starts))
    rows = await db.fetchall(
        "SELECT DISTINCT chat_id, period_start FROM deliveries"
        f" WHERE period_start IN ({marks}) AND (chat_id = ? OR ? IS NULL)",
        [*(p.isoformat() for p in period_starts), chat_id, chat_id],
    )
    return {(row[0], date.fromisoformat(row[1])) for row in rows}


@dataclass(frozen=True, slots=True)
class Plan:
    """A chat's digest for a period, as the messages to send."""

    chat_id: int
    period_start: date
    texts: tuple[str, ...]
    thread_id: int | None
    due_at: datetime


async def plan(db: Database, plans: Sequence[Plan]) -> int:
    """Write chats' parts for a period, in one commit; parts written.

    A chat planned for that period already is left as it is, so planning twice changes
    nothing. No texts leaves one 'empty' row, so the period is not looked at again for the
    chat. Open rows of a chat's older periods are cancelled: after a long downtime only the
    latest digest goes out. Each statement covers the whole batch: a push of ten thousand
    chats whose digests all differ writes in a few dozen statements, not one per message.
    """
    async with db.transaction() as conn:
        fresh = await _not_planned(conn, plans)
        text_ids = await _text_ids(conn, {text for one in fresh for text in one.texts})
        await conn.executemany(
            "UPDATE deliveries SET state = 'cancelled', error = 'superseded by a newer digest'"
            " WHERE chat_id = ? AND period_start < ? AND state IN ('pending', 'claimed')",
            [(one.chat_id, one.period_start.isoformat()) for one in fresh],
        )
        await conn.executemany(
            "INSERT INTO deliveries (chat_id, period_start, part, parts, text_id, thread_id,"
            " state, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [row for one in fresh for row in _rows(one, text_ids)],
        )
    return sum(len(one.texts) for one in fresh)


async def _not_planned(conn: aiosqlite.Connection, plans: Sequence[Plan]) -> list[Plan]:
    """The plans whose chat has no rows for their period yet (the first, if one repeats)."""
    planned: set[tuple[int, str]] = set()
    for period in {one.period_start.isoformat() for one in plans}:
        chat_ids = sorted({one.chat_id for one in plans if one.period_start.isoformat() == period})
        for start in range(0, len(chat_ids), _CHUNK):
            chunk = chat_ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = (
                "SELECT DISTINCT chat_id FROM deliveries"
                f" WHERE period_start = ? AND chat_id IN ({marks})"
            )
            async with conn.execute(sql, [period, *chunk]) as cursor:
                planned.update((row[0], period) for row in await cursor.fetchall())
    fresh = []
    for one in plans:
        key = (one.chat_id, one.period_start.isoformat())
        if key not in planned:
            planned.add(key)
            fresh.append(one)
    return fresh


async def _text_ids(conn: aiosqlite.Connection, texts: set[str]) -> dict[str, int]:
    """Each text's row, stored once however many chats receive it."""
    hashes = {text: hashlib.sha256(text.encode()).hexdigest() for text in texts}
    await conn.executemany(
        "INSERT INTO digest_texts (hash, text) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(digest, text) for text, digest in hashes.items()],
    )
    ids: dict[str, int] = {}
    wanted = sorted(set(hashes.values()))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT hash, id FROM digest_texts WHERE hash IN ({marks})"
        async with conn.execute(sql, chunk) as cursor:
            ids.update((row[0], row[1]) for row in await cursor.fetchall())
    return {text: ids[digest] for text, digest in hashes.items()}


def _rows(one: Plan, text_ids: dict[str, int]) -> list[tuple]:
    period, due = one.period_start.isoformat(), one.due_at.isoformat()
    if not one.texts:
        return [(one.chat_id, period, 0, 0, None, one.thread_id, "empty", due)]
    return [
        (one.chat_id, period, n, len(one.texts), text_ids[text], one.thread_id, "pending", due)
        for n, text in enumerate(one.texts, start=1)
    ]


_OPEN_SQL = """
SELECT d.chat_id, d.period_start, d.part, d.parts, d.text_id, d.thread_id, d.attempts
FROM deliveries d
WHERE d.state IN ('pending', 'claimed') AND d.chat_id IN (
    SELECT DISTINCT o.chat_id FROM deliveries o JOIN chats c ON c.id = o.chat_id
    WHERE o.state IN ('pending', 'claimed') AND c.active AND o.chat_id > :after
    ORDER BY o.chat_id LIMIT :chats)
ORDER BY d.chat_id, d.period_start, d.part
"""


async def open_parts(db: Database, *, after: int | None = None, chats: int = 500) -> list[Part]:
    """Every open part of the next `chats` active chats after chat id `after`, in order."""
    bound = -(2**63) if after is None else after
    rows = await db.fetchall(_OPEN_SQL, {"after": bound, "chats": chats})
    return [Part(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in rows]


async def open_count(db: Database, *, chat_id: int | None = None) -> int:
    """Parts waiting to be sent to active chats (to one chat, if given)."""
    row = await db.fetchone(
        "SELECT count(*) FROM deliveries d JOIN chats c ON c.id = d.chat_id"
        " WHERE d.state IN ('pending', 'claimed') AND c.active AND (d.chat_id = ? OR ? IS NULL)",
        (chat_id, chat_id),
    )
    return row[0]


async def texts(db: Database, text_ids: Sequence[int]) -> dict[int, str]:
    marks = ",".join("?" * len(text_ids))
    rows = await db.fetchall(f"SELECT id, text FROM digest_texts WHERE id IN ({marks})", text_ids)
    return {row[0]: row[1] for row in rows}


async def claim(db: Database, parts: Sequence[Part]) -> None:
    """Mark parts as being sent, in one commit, before any of them is."""
    now = utcnow()
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE deliveries SET state = 'claimed', attempts = attempts + 1, claimed_at = ?"
            " WHERE chat_id = ? AND period_start = ? AND part = ?",
            [(now, *part.key) for part in parts],
        )


async def complete(db: Database, part: Part, message_id: int, chat_id: int | None = None) -> None:
    """Telegram accepted the part: written at once, in its own commit (see the module doc)."""
    await db.write(
        "UPDATE deliveries SET state = 'sent', sent_at = ?, message_id = ?, error = NULL"
        " WHERE chat_id = ? AND period_start = ? AND part = ?",
        (utcnow(), message_id, chat_id or part.chat_id, *part.key[1:]),
    )


async def release(db: Database, part: Part, error: str) -> None:
    """Back to pending, to be tried again later (a rate limit, a network failure)."""
    await _settle(db, part, "pending", error)


async def fail(db: Database, part: Part, error: str) -> None:
    """Telegram refused the part for good (a bad request): not tried again."""
    await _settle(db, part, "failed", error)


async def _settle(db: Database, part: Part, state: str, error: str) -> None:
    await db.write(
        "UPDATE deliveries SET state = ?, error = ? WHERE chat_id = ? AND period_start = ?"
        " AND part = ?",
        (state, error[:500], *part.key),
    )


async def drop_thread(db: Database, chat_id: int) -> None:
    """Send the chat's open parts outside any forum thread (the thread was deleted)."""
    await db.write(
        "UPDATE deliveries SET thread_id = NULL WHERE chat_id = ? AND state IN ('pending',"
        " 'claimed')",
        (chat_id,),
    )


async def cancel_chat(db: Database, chat_id: int, reason: str) -> int:
    """Cancel a chat's open parts (it blocked or removed the bot); how many."""
    return await db.write(
        "UPDATE deliveries SET state = 'cancelled', error = ? WHERE chat_id = ?"
        " AND state IN ('pending', 'claimed')",
        (reason[:500], chat_id),
    )


async def counts(db: Database) -> dict[str, int]:
    """Parts by state, for operators."""
    rows = await db.fetchall("SELECT state, count(*) FROM deliveries GROUP BY state")
    return {row[0]: row[1] for row in rows}


async def of_chat(db: Database, chat_id: int) -> list[sqlite3.Row]:
    """A chat's ledger rows, oldest first (for tests and operators)."""
    return await db.fetchall(
        "SELECT * FROM deliveries WHERE chat_id = ? ORDER BY period_start, part", (chat_id,)
    )
