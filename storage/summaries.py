"""Summaries: one per paper and language, kept from the best source seen, bounded in length."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import aiosqlite

from storage.db import Database, utcnow
from storage.models import SOURCE_RANK, Summary

_RANK_SQL = "CASE {col} WHEN 'editor' THEN 3 WHEN 'llm' THEN 2 ELSE 1 END"
_CHUNK = 500  # ids per IN (…), well under SQLite's variable limit
# Half a Telegram message: the card keeps room for the title, authors and links.
MAX_CHARS = 2_000

log = logging.getLogger(__name__)


def bounded(paper_id: int, summary: Summary) -> Summary:
    """The summary, cut at a word before MAX_CHARS (with an ellipsis) when longer; said once."""
    if len(summary.text) <= MAX_CHARS:
        return summary
    head = summary.text[: MAX_CHARS - 1]
    space = head.rfind(" ")
    cut = head[:space] if space > MAX_CHARS // 2 else head  # Chinese has no spaces to cut at
    log.warning(
        "summary of paper %s (%s, %s) cut from %d to %d characters",
        paper_id,
        summary.lang,
        summary.source,
        len(summary.text),
        MAX_CHARS,
    )
    return replace(summary, text=f"{cut.rstrip()}…")


async def put(db: Database, paper_id: int, summary: Summary) -> bool:
    """Store a summary unless the stored one comes from a better source; True if stored."""
    async with db.transaction() as conn:
        return await put_within(conn, paper_id, summary)


async def put_within(conn: aiosqlite.Connection, paper_id: int, summary: Summary) -> bool:
    """`put` inside a transaction the caller holds; True if stored."""
    summary = bounded(paper_id, summary)
    if summary.source == "editor":
        await _drop_stale_translation(conn, paper_id, summary)
    created = (summary.created_at.isoformat() if summary.created_at else None) or utcnow()
    cursor = await conn.execute(
        "INSERT INTO summaries (paper_id, lang, text, source, model, importance, created_at,"
        " translated_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (paper_id, lang) DO UPDATE SET text = excluded.text,"
        " source = excluded.source, model = excluded.model,"
        " importance = coalesce(excluded.importance, summaries.importance),"
        " created_at = excluded.created_at, translated_from = excluded.translated_from"
        f" WHERE {_RANK_SQL.format(col='excluded.source')}"
        f" >= {_RANK_SQL.format(col='summaries.source')}"
        " AND (excluded.text, excluded.source, coalesce(excluded.model, ''))"
        " IS NOT (summaries.text, summaries.source, coalesce(summaries.model, ''))",
        (
            paper_id,
            summary.lang,
            summary.text,
            summary.source,
            summary.model,
            summary.importance,
            created,
            summary.translated_from,
        ),
    )
    return cursor.rowcount > 0


async def _drop_stale_translation(
    conn: aiosqlite.Connection, paper_id: int, editor: Summary
) -> None:
    """A translation of the editor's earlier text goes: it no longer says the same (the next
    summaries run translates the new one)."""
    await conn.execute(
        "DELETE FROM summaries WHERE paper_id = ? AND lang <> ? AND translated_from = ?"
        " AND EXISTS (SELECT 1 FROM summaries e WHERE e.paper_id = ? AND e.lang = ?"
        " AND e.text IS NOT ?)",
        (paper_id, editor.lang, editor.lang, paper_id, editor.lang, editor.text),
    )


async def put_extracts_within(
    conn: aiosqlite.Connection, extracts: Sequence[tuple[int, str]]
) -> None:
    """English extracts of abstracts (paper id, text) in one statement; a better summary stays.

    An extract replaces only an older extract, so it follows its abstract to a new version.
    """
    if not extracts:
        return
    await conn.execute(
        "INSERT INTO summaries (paper_id, lang, text, source, created_at)"
        " SELECT value ->> 0, 'en', value ->> 1, 'abstract', ? FROM json_each(?) WHERE true"
        " ON CONFLICT (paper_id, lang) DO UPDATE SET text = excluded.text,"
        " created_at = excluded.created_at"
        " WHERE summaries.source = 'abstract' AND summaries.text IS NOT excluded.text",
        (utcnow(), json.dumps(extracts, ensure_ascii=False)),
    )


async def put_extracts(db: Database, extracts: Sequence[tuple[int, str]]) -> None:
    """`put_extracts_within` in a transaction of its own."""
    async with db.transaction() as conn:
        await put_extracts_within(conn, extracts)


async def drop_extracts_within(conn: aiosqlite.Connection, paper_ids: Sequence[int]) -> None:
    """Forget the extracts of these papers (their new abstract gives none)."""
    for start in range(0, len(paper_ids), _CHUNK):
        chunk = list(paper_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        await conn.execute(
            "DELETE FROM summaries WHERE lang = 'en' AND source = 'abstract'"
            f" AND paper_id IN ({marks})",
            chunk,
        )


async def without_english(db: Database, after: int, limit: int) -> list[tuple[int, str]]:
    """(id, abstract) of papers with an abstract and no English summary, by id after `after`."""
    rows = await db.fetchall(
        "SELECT p.id, p.abstract FROM papers p WHERE p.id > ? AND p.abstract <> ''"
        " AND NOT EXISTS (SELECT 1 FROM summaries s WHERE s.paper_id = p.id AND s.lang = 'en')"
        " ORDER BY p.id LIMIT ?",
        (after, limit),
    )
    return [(row[0], row[1]) for row in rows]


def better_or_equal(new: str, old: str) -> bool:
    """Whether a summary from source `new` may replace one from source `old`."""
    return SOURCE_RANK[new] >= SOURCE_RANK[old]


async def for_paper(db: Database, paper_id: int) -> dict[str, Summary]:
    """The paper's summaries by language."""
    found = await for_papers(db, [paper_id])
    return found.get(paper_id, {})


async def for_papers(db: Database, paper_ids: Sequence[int]) -> dict[int, dict[str, Summary]]:
    """Summaries of several papers: paper id -> language -> summary."""
    if not paper_ids:
        return {}
    marks = ",".join("?" * len(paper_ids))
    rows = await db.fetchall(
        f"SELECT * FROM summaries WHERE paper_id IN ({marks})", list(paper_ids)
    )
    found: dict[int, dict[str, Summary]] = {}
    for row in rows:
        found.setdefault(row["paper_id"], {})[row["lang"]] = Summary(
            lang=row["lang"],
            text=row["text"],
            source=row["source"],
            model=row["model"],
            importance=row["importance"],
            created_at=datetime.fromisoformat(row["created_at"]),
            translated_from=row["translated_from"],
        )
    return found


async def counts(db: Database) -> dict[tuple[str, str], int]:
    """How many summaries per (language, source)."""
    rows = await db.fetchall("SELECT lang, source, count(*) FROM summaries GROUP BY lang, source")
    return {(row[0], row[1]): row[2] for row in rows}
