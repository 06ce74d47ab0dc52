"""The daily ingestion of the configured sources: the arXiv feeds, then Hugging Face Daily
Papers, then arXiv's own metadata for the papers the lists brought that arXiv's feeds did not
(their categories and versions are known only from arXiv).
"""

from __future__ import annotations

from datetime import date

from bot.config import Settings
from bot.ingest import arxiv_api, hf_ingest
from bot.ingest.service import IngestReport, Matcher, complete_metadata, ingest_many
from storage import papers
from storage.db import Database

COMPLETE_AT_MOST = 2 * arxiv_api.ID_BATCH  # ids looked up a run: two requests to the API


async def ingest_configured(
    db: Database, settings: Settings, today: date, *, matcher: Matcher | None = None
) -> IngestReport:
    """Every configured source read once; one report for all of them."""
    report = await ingest_many(db, settings.sources, matcher=matcher)
    if not settings.hf_daily:
        return report
    await hf_ingest.ingest_recent(db, settings.hf_api_url, today, report, matcher=matcher)
    missing = await papers.missing_metadata(db, limit=COMPLETE_AT_MOST)
    if missing:
        completed = await complete_metadata(
            db, missing, matcher=matcher, base=settings.arxiv_api_url
        )
        report.updated += completed.updated
        # arXiv answers ids it does not know yet with an empty feed: not a failure.
        for problem in completed.problems:
            if problem.kind != "empty":
                report.fail(problem)
    return report
