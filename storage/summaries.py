"""Summaries: one per paper and language, kept from the best source seen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Database, utcnow
from storage.models import SOURCE_RANK, Summary

_RANK_SQL = "CASE {col} WHEN 'editor' THEN 3 WHEN 'llm' THEN 2 ELSE 1 END"


async def put(db: Database, paper_id: int, summary: Summary) -> bool:
    """Store a summary unless the stored one comes from a better source; True if stored."""
    created = (summary.created_at.isoformat() if summary.created_at else None) or utcnow()
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO summaries (paper_id, lang, text, source, model, importance, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (paper_id, lang) DO UPDATE SET text = excluded.text,"
            " source = excluded.source, model = excluded.model,"
            " importance = coalesce(excluded.importance, summaries.importance),"
            " created_at = excluded.created_at"
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
            ),
        )
        return cursor.rowcount > 0


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
        )
    return found


async def counts(db: Database) -> dict[tuple[str, str], int]:
    """How many summaries per (language, source)."""
    rows = await db.fetchall("SELECT lang, source, count(*) FROM summaries GROUP BY lang, source")
    return {(row[0], row[1]): row[2] for row in rows}
