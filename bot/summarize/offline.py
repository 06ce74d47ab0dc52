"""The offline fallback for papers stored before it existed: English extracts of abstracts.

New and changed papers get their extract at ingest (`bot.ingest.service.store`); this pass
gives one to every paper still without an English summary, a batch at a time.
"""

from __future__ import annotations

import asyncio

from bot.summarize import extractive
from storage import summaries
from storage.db import Database


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
