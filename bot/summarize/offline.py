"""The offline English summaries: extracts of abstracts, made at ingest for new and changed
papers (`extract_all`), and for papers stored before the fallback existed (`fill_missing`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.summarize import extractive
from storage import summaries
from storage.db import Database


async def extract_all(abstracts: Sequence[str]) -> list[str | None]:
    """Each abstract's extract, None where it has none; in a thread, off the event loop."""
    return await asyncio.to_thread(
        lambda: [extractive.summarize(text) if text else None for text in abstracts]
    )


def _extracts(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [
        (paper_id, text) for paper_id, abstract in rows if (text := extractive.summarize(abstract))
    ]


async def fill_missing(db: Database, *, batch: int = 1000) -> int:
    """Extracts for papers that have an abstract and no English summary; how many stored."""
    stored = 0
    after = 0
    while rows := await summaries.without_english(db, after, batch):
        # Off the event loop: a first run over an old database may see many thousands.
        extracts = await asyncio.to_thread(_extracts, rows)
        await summaries.put_extracts(db, extracts)
        stored += len(extracts)
        after = rows[-1][0]
    return stored
