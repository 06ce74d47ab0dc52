"""Embedding papers once, after ingestion: the newest papers without an embedding from the
configured model (or changed since theirs), in batches, up to a budget a run.

A run stops at the first batch the endpoint fails on (after the client's retries): what is
left is found again next run. Nothing here raises for the endpoint's sake; the report says
what happened and why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.search.embeddings_client import EmbeddingError, EmbeddingsClient
from bot.search.vectors import packed, unit
from storage import embeddings as stored
from storage.db import Database

log = logging.getLogger(__name__)

BATCH = 32
TEXT_CHARS = 2_000  # title and abstract fit; past this most embedding models truncate anyway


def configured(settings: Settings) -> bool:
    """Whether an embeddings endpoint is set; without one search and similar are lexical."""
    return bool(settings.embeddings_model and settings.embeddings_base_url)


def client_for(settings: Settings, **options) -> EmbeddingsClient:
    if not (settings.embeddings_model and settings.embeddings_base_url):
        raise ValueError("no embeddings endpoint is configured")
    return EmbeddingsClient(
        settings.embeddings_base_url,
        settings.embeddings_model,
        api_key=settings.embeddings_api_key,
        **options,
    )


def paper_text(title: str, abstract: str) -> str:
    """What a paper is embedded as."""
    return f"{title}\n\n{abstract}".strip()[:TEXT_CHARS]


@dataclass(slots=True)
class EmbedReport:
    requests: int = 0
    embedded: int = 0
    failed: int = 0  # papers of the batch the endpoint failed on
    pending: int = 0  # papers still without an embedding after the run
    budget_stopped: bool = False
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "embedded": self.embedded,
            "failed": self.failed,
            "pending": self.pending,
            "budget_stopped": self.budget_stopped,
            "error": self.error,
        }


async def embed_pending(
    db: Database,
    settings: Settings,
    limit: int | None = None,
    client: EmbeddingsClient | None = None,
) -> EmbedReport:
    """Embed up to `limit` papers (and no more than the budget), newest first."""
    report = EmbedReport()
    model = settings.embeddings_model
    if not configured(settings) or model is None:
        return report
    budget = settings.embeddings_budget if limit is None else min(limit, settings.embeddings_budget)
    known = await stored.dimensions(db, model)
    owned = client is None
    client = client or client_for(settings, dimensions=known)
    try:
        while report.embedded < budget:
            batch = await stored.pending(db, model, min(BATCH, budget - report.embedded))
            if not batch:
                break
            report.requests += 1
            try:
                matrix = await client.embed([paper_text(p.title, p.abstract) for p in batch])
            except EmbeddingError as exc:
                report.failed, report.error = len(batch), str(exc)
                log.warning("embeddings: %s; %d papers left for the next run", exc, len(batch))
                break
            rows = [
                stored.StoredEmbedding(p.id, p.changed_at, matrix.shape[1], packed(unit(vector)))
                for p, vector in zip(batch, matrix, strict=True)
            ]
            await stored.store(db, model, rows)
            report.embedded += len(rows)
    finally:
        if owned:
            await client.aclose()
    report.pending = await stored.count_pending(db, model)
    report.budget_stopped = report.embedded >= budget and report.pending > 0
    return report
