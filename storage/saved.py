"""A chat's saved papers (🔖) as its library: listed a page at a time, all of them for an
export, and the saved papers arXiv has a newer version of than the chat was told of.

Saving and unsaving are storage.votes' (the 🔖 button); this module reads the same rows and
keeps their `known_version`: the version the chat saw when it saved the paper, moved on when
a digest announced a newer one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from storage.db import Database
from storage.models import Paper
from storage.paper_rows import from_row

EXPORT_LIMIT = 5000  # papers in one export: far beyond any reader's library


@dataclass(frozen=True, slots=True)
class SavedPage:
    total: int  # the chat's saved papers, all pages
    papers: tuple[Paper, ...]  # this page's, most recently saved first
    known: dict[int, int] = field(default_factory=dict)  # paper id → the version the chat knew


@dataclass(frozen=True, slots=True)
class UpdatedPaper:
    paper: Paper  # as stored now, at its latest version
    known_version: int  # the version the chat was last told of


async def page(db: Database, chat_id: int, limit: int, offset: int = 0) -> SavedPage:
    """`limit` of the chat's saved papers from `offset`, the most recently saved first."""
    total = await count(db, chat_id)
    rows = await db.fetchall(
        "SELECT p.*, s.known_version FROM saved_papers s JOIN papers p ON p.id = s.paper_id"
        " WHERE s.chat_id = ? ORDER BY s.saved_at DESC, s.rowid DESC LIMIT ? OFFSET ?",
        (chat_id, limit, offset),
    )
    known = {row["id"]: row["known_version"] for row in rows}
    return SavedPage(total, tuple(from_row(row) for row in rows), known)


async def count(db: Database, chat_id: int) -> int:
    row = await db.fetchone("SELECT count(*) FROM saved_papers WHERE chat_id = ?", (chat_id,))
    return row[0]


async def all_papers(db: Database, chat_id: int, limit: int = EXPORT_LIMIT) -> list[Paper]:
    """Every saved paper of the chat (up to `limit`), the most recently saved first."""
    return list((await page(db, chat_id, limit)).papers)


async def updated(db: Database, chat_id: int) -> list[UpdatedPaper]:
    """The chat's saved papers arXiv has a newer version of than the chat was told of."""
    rows = await db.fetchall(
        "SELECT p.*, s.known_version FROM saved_papers s JOIN papers p ON p.id = s.paper_id"
        " WHERE s.chat_id = ? AND s.known_version > 0 AND p.version > s.known_version"
        " ORDER BY s.saved_at DESC, s.rowid DESC",
        (chat_id,),
    )
    return [UpdatedPaper(from_row(row), row["known_version"]) for row in rows]


async def mark_told(db: Database, chat_id: int, versions: Mapping[int, int]) -> None:
    """The chat was told of these versions (paper id → version); never moves one back."""
    if not versions:
        return
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE saved_papers SET known_version = max(known_version, ?)"
            " WHERE chat_id = ? AND paper_id = ?",
            [(version, chat_id, paper_id) for paper_id, version in versions.items()],
        )


async def chats_with_updates(db: Database) -> set[int]:
    """The chats that have a saved paper with a version they were not told of."""
    rows = await db.fetchall(
        "SELECT DISTINCT s.chat_id FROM saved_papers s JOIN papers p ON p.id = s.paper_id"
        " WHERE s.known_version > 0 AND p.version > s.known_version"
    )
    return {row[0] for row in rows}
