"""Readers' votes (👍 / 👎) per chat and voter, cards shared inline and their voters, papers a
chat saved (🔖), which paper each card message shows, and the community count across chats.

A voter votes once per paper in a chat: a new vote replaces the old one. Votes on a card
shared inline count twice over on purpose: under the inline card (what it shows) and under
the voter's private chat (their own taste), so the community count reads `votes` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from storage.db import Database, utcnow
from storage.models import VoteTally

VALUES = {"up": 1, "down": -1}
_NAMES = {1: "up", -1: "down"}
_CHUNK = 500  # ids per IN (…), well under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class CommunityVotes:
    """A paper's votes in every chat together."""

    paper_id: int
    up: int
    down: int

    @property
    def net(self) -> int:
        return self.up - self.down


async def vote_of(db: Database, chat_id: int, voter_id: int, paper_id: int) -> str | None:
    """The voter's vote on the paper in that chat: "up", "down" or None."""
    row = await db.fetchone(
        "SELECT vote FROM votes WHERE chat_id = ? AND paper_id = ? AND voter_id = ?",
        (chat_id, paper_id, voter_id),
    )
    return _NAMES[row[0]] if row else None


async def set_vote(
    db: Database, chat_id: int, voter_id: int, paper_id: int, vote: str | None
) -> None:
    """Record "up" or "down" (replacing any earlier vote), or take the vote back with None."""
    async with db.transaction() as conn:
        await _set_within(conn, chat_id, voter_id, paper_id, vote)


async def toggle_vote(db: Database, chat_id: int, voter_id: int, paper_id: int, vote: str) -> str:
    """A press of 👍 or 👎: the same vote again takes it back. The vote now held, or "none"."""
    async with db.transaction() as conn:
        held = await _held(conn, "votes", "chat_id", chat_id, voter_id, paper_id)
        now = None if held == vote else vote
        await _set_within(conn, chat_id, voter_id, paper_id, now)
    return now or "none"


async def toggle_inline_vote(
    db: Database, inline_message_id: str, voter_id: int, paper_id: int, vote: str
) -> str:
    """A press on a card shared inline: counted under the card and the voter's private chat."""
    async with db.transaction() as conn:
        held = await _held(conn, "inline_votes", "inline_message_id", inline_message_id, voter_id)
        now = None if held == vote else vote
        await conn.execute(
            "DELETE FROM inline_votes WHERE inline_message_id = ? AND voter_id = ?",
            (inline_message_id, voter_id),
        )
        if now is not None:
            await conn.execute(
                "INSERT INTO inline_votes (inline_message_id, voter_id, paper_id, vote, voted_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (inline_message_id, voter_id, paper_id, VALUES[now], utcnow()),
            )
        # A private chat's id is its reader's user id.
        await _set_within(conn, voter_id, voter_id, paper_id, now)
    return now or "none"


async def toggle_saved(db: Database, chat_id: int, paper_id: int, by: int | None) -> bool:
    """A press of 🔖: saved for the chat, or no longer. True when the paper is saved now."""
    async with db.transaction() as conn:
        gone = await conn.execute(
            "DELETE FROM saved_papers WHERE chat_id = ? AND paper_id = ?", (chat_id, paper_id)
        )
        if gone.rowcount:
            return False
        await _save_within(conn, chat_id, paper_id, by)
    return True


async def save(db: Database, chat_id: int, paper_id: int, by: int | None) -> None:
    """Save the paper for the chat; saving it again changes nothing."""
    async with db.transaction() as conn:
        await _save_within(conn, chat_id, paper_id, by)


async def unsave(db: Database, chat_id: int, paper_id: int) -> None:
    await db.write(
        "DELETE FROM saved_papers WHERE chat_id = ? AND paper_id = ?", (chat_id, paper_id)
    )


async def saved(db: Database, chat_id: int) -> list[int]:
    """The ids of the chat's saved papers, the most recently saved first."""
    rows = await db.fetchall(
        "SELECT paper_id FROM saved_papers WHERE chat_id = ? ORDER BY saved_at DESC, rowid DESC",
        (chat_id,),
    )
    return [row[0] for row in rows]


async def tally(db: Database, chat_id: int, paper_id: int) -> VoteTally:
    """The chat's counts on the paper (a private chat's are its reader's) and its 🔖."""
    row = await db.fetchone(
        "SELECT coalesce(sum(vote = 1), 0), coalesce(sum(vote = -1), 0),"
        " EXISTS (SELECT 1 FROM saved_papers WHERE chat_id = :chat AND paper_id = :paper)"
        " FROM votes WHERE chat_id = :chat AND paper_id = :paper",
        {"chat": chat_id, "paper": paper_id},
    )
    return VoteTally(row[0], row[1], bool(row[2]))


async def inline_tally(db: Database, inline_message_id: str, paper_id: int) -> VoteTally:
    """The counts of a card shared inline. Its 🔖 saves into each presser's own private chat,
    so the card, which every reader sees alike, never shows it as saved."""
    row = await db.fetchone(
        "SELECT coalesce(sum(vote = 1), 0), coalesce(sum(vote = -1), 0) FROM inline_votes"
        " WHERE inline_message_id = ? AND paper_id = ?",
        (inline_message_id, paper_id),
    )
    return VoteTally(row[0], row[1])


async def community(db: Database, paper_ids: Sequence[int]) -> dict[int, CommunityVotes]:
    """Each paper's votes across all chats, by paper id (papers nobody voted on are absent)."""
    found: dict[int, CommunityVotes] = {}
    ids = list(dict.fromkeys(paper_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = await db.fetchall(
            "SELECT paper_id, sum(vote = 1), sum(vote = -1) FROM votes"
            f" WHERE paper_id IN ({marks}) GROUP BY paper_id",
            chunk,
        )
        found.update({row[0]: CommunityVotes(row[0], row[1], row[2]) for row in rows})
    return found


async def remember_card(
    db: Database, chat_id: int, message_id: int, paper_id: int, lang: str
) -> None:
    """A card message was sent (or shown in another language): reactions to it find it."""
    await db.write(
        "INSERT INTO card_messages (chat_id, message_id, paper_id, lang, sent_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
        " paper_id = excluded.paper_id, lang = excluded.lang",
        (chat_id, message_id, paper_id, lang, utcnow()),
    )


async def card_message(db: Database, chat_id: int, message_id: int) -> tuple[int, str] | None:
    """The paper id and language of a card message the bot sent, or None for another message."""
    row = await db.fetchone(
        "SELECT paper_id, lang FROM card_messages WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return (row[0], row[1]) if row else None


async def move_chat_within(conn: aiosqlite.Connection, old_id: int, new_id: int) -> None:
    """A group became a supergroup: its votes, saved papers and cards go with it."""
    for table in ("votes", "saved_papers", "card_messages"):
        await conn.execute(
            f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
        )
        await conn.execute(f"DELETE FROM {table} WHERE chat_id = ?", (old_id,))
    # An anonymous admin voted as the group itself.
    await conn.execute(
        "UPDATE OR IGNORE votes SET voter_id = ? WHERE chat_id = ? AND voter_id = ?",
        (new_id, new_id, old_id),
    )


async def _held(
    conn: aiosqlite.Connection,
    table: str,
    key: str,
    value: object,
    voter_id: int,
    paper_id: int | None = None,
) -> str | None:
    sql = f"SELECT vote FROM {table} WHERE {key} = ? AND voter_id = ?"
    params: tuple = (value, voter_id)
    if paper_id is not None:
        sql += " AND paper_id = ?"
        params += (paper_id,)
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return _NAMES[row[0]] if row else None


async def _set_within(
    conn: aiosqlite.Connection, chat_id: int, voter_id: int, paper_id: int, vote: str | None
) -> None:
    if vote is None:
        await conn.execute(
            "DELETE FROM votes WHERE chat_id = ? AND paper_id = ? AND voter_id = ?",
            (chat_id, paper_id, voter_id),
        )
        return
    await conn.execute(
        "INSERT INTO votes (chat_id, voter_id, paper_id, vote, voted_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_id, paper_id, voter_id) DO UPDATE SET"
        " vote = excluded.vote, voted_at = excluded.voted_at",
        (chat_id, voter_id, paper_id, VALUES[vote], utcnow()),
    )


async def _save_within(
    conn: aiosqlite.Connection, chat_id: int, paper_id: int, by: int | None
) -> None:
    await conn.execute(
        "INSERT INTO saved_papers (chat_id, paper_id, saved_by, saved_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id, paper_id) DO NOTHING",
        (chat_id, paper_id, by, utcnow()),
    )
