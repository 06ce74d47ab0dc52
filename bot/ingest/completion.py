"""A summaries run as the command and the daily job make it: first the papers known only from
an editor's article (imported with `--offline`, or while arXiv could not be reached) are
completed from the arXiv API, so that the model reads their abstract and their dates place
them; then the summarizer runs, choosing topics among the configured ones.

A failed look-up is one log line and costs nothing else: the editors' summaries are
translated all the same, and the look-up is tried again on the next run.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import datetime

from bot.ingest import arxiv_api
from bot.ingest.fetch import Fetcher
from bot.ingest.service import IngestReport, complete_metadata
from bot.runtime import Runtime
from bot.summarize.service import SummaryRun, endpoint_configured, summarize_pending
from storage import summary_requests
from storage.chat_models import UnknownTopic

log = logging.getLogger("bot.ingest")

COMPLETE_AT_MOST = 2 * arxiv_api.ID_BATCH  # ids looked up a run: two requests to the API


async def complete_for_summaries(rt: Runtime, *, fetcher: Fetcher | None = None) -> IngestReport:
    """Ask arXiv for the papers that have no abstract yet, newest first; what it gave."""
    missing = await summary_requests.without_abstract(rt.db, COMPLETE_AT_MOST)
    if not missing:
        return IngestReport()
    settings = rt.settings
    own = Fetcher(min_interval=settings.arxiv_interval) if fetcher is None else nullcontext(fetcher)
    async with own as active:
        report = await complete_metadata(
            rt.db, missing, fetcher=active, matcher=rt.matcher, base=settings.arxiv_api_url
        )
    # arXiv answers ids it does not know yet with an empty feed: they wait, that is no failure.
    for problem in report.problems:
        if problem.kind != "empty":
            log.warning("papers not completed before summarizing: %s", problem)
    log.info(
        "completed %d of %d papers from arXiv before summarizing", report.updated, len(missing)
    )
    return report


async def summarize_completed(
    rt: Runtime,
    *,
    limit: int | None = None,
    topic: str | None = None,
    now: datetime | None = None,
    fetcher: Fetcher | None = None,
) -> SummaryRun:
    """Complete the papers that lack an abstract, then summarize (UnknownTopic as the summarizer).

    Without a summary endpoint nothing is asked of arXiv either.
    """
    if not endpoint_configured(rt.settings):
        return SummaryRun()
    if topic is not None and topic not in {t.slug for t in rt.topics}:
        raise UnknownTopic(f"unknown topic {topic!r}")
    await complete_for_summaries(rt, fetcher=fetcher)
    return await summarize_pending(
        rt.db, rt.settings, limit=limit, topic=topic, now=now, topics=rt.topics
    )
