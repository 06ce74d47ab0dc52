"""Summarizing with a model: which papers, within which budget.

An editor's summary written in one language only is translated first, latest article first:
its readers of the other language are waiting. Then only papers some reader will see are
summarized: those of a topic an active chat subscribes to, or matching a chat's saved query,
announced in the current or previous fortnight, newest first. Each request's outcome and
tokens go to the ledger (see `run`); a run stops cleanly when its own or the day's budget
(papers or tokens) is spent, and says which.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from datetime import time as clock

from bot.config import DEFAULT_SUMMARY_MODEL, Settings, SummaryLimits
from bot.digest.periods import period_of
from bot.summarize.llm_client import ChatClient
from bot.summarize.run import FAILURES_IN_A_ROW, Job, Run, SummaryRun
from storage import search as fulltext
from storage import subscriptions
from storage import summary_requests as ledger
from storage import topics as stored_topics
from storage.chat_models import UnknownTopic
from storage.db import Database
from storage.models import Topic

__all__ = ["FAILURES_IN_A_ROW", "SummaryRun", "endpoint_configured", "summarize_pending", "wanted"]

log = logging.getLogger(__name__)


def endpoint_configured(settings: Settings) -> bool:
    """Whether a summary endpoint is set; without one the bot runs on offline summaries."""
    return bool(settings.openai_base_url)


async def wanted(
    db: Database, settings: Settings, topic: str | None, now: datetime
) -> ledger.Wanted:
    """The papers a run may consider: one topic's, or those some chat receives."""
    current = period_of(now, settings.epoch)
    start, end = current.previous().starts_at(), current.ends_at()
    if topic is not None:
        if topic not in await stored_topics.paper_counts(db):
            raise UnknownTopic(f"unknown topic {topic!r}")
        return ledger.Wanted(start, end, topics=(topic,))
    queries = {q for saved in (await subscriptions.chats_with_queries(db)).values() for q in saved}
    matches = [m.all_terms for q in sorted(queries) if (m := fulltext.to_match(q)) is not None]
    return ledger.Wanted(start, end, subscribed_topics=True, match_expressions=matches)


def _paper_cap(
    limits: SummaryLimits, day: ledger.Spend, limit: int | None
) -> tuple[int, str | None]:
    """How many papers this run may request, and the budget that sets it (None: `limit`)."""
    caps = [(limits.run_papers, "run_papers"), (limits.daily_papers - day.requests, "daily_papers")]
    if limit is not None:
        caps.insert(0, (limit, None))
    cap, reason = min(caps, key=lambda c: c[0])
    return max(cap, 0), reason


async def summarize_pending(
    db: Database,
    settings: Settings,
    *,
    limit: int | None = None,
    topic: str | None = None,
    now: datetime | None = None,
    client: ChatClient | None = None,
    topics: Sequence[Topic] = (),
) -> SummaryRun:
    """Translate the editors' summaries and summarize the papers readers will see that lack a
    summary, within the budgets.

    Without an endpoint configured it does nothing. `topic` takes that topic's papers whether
    or not a chat subscribes to it (UnknownTopic if there is no such topic). Given the
    configured `topics`, the model also chooses each summarized paper's topics among them.
    `client` replaces the one built from the settings, and is closed when the run ends.
    """
    if not endpoint_configured(settings):
        return SummaryRun()
    now = now or datetime.now(UTC)
    found = await wanted(db, settings, topic, now)
    day = await ledger.spend_since(db, datetime.combine(now.astimezone(UTC).date(), clock(), UTC))
    cap, cap_reason = _paper_cap(settings.summary, day, limit)
    jobs = await _jobs(db, found, now, cap + 1)
    if client is None:
        client = ChatClient(
            settings.openai_base_url,
            settings.summary_model or DEFAULT_SUMMARY_MODEL,
            api_key=settings.openai_api_key,
            concurrency=settings.summary.concurrency,
            timeout=settings.summary.timeout,
        )
    async with client:
        run = await _run(Run(db, client, settings, day, topics), jobs[:cap], now)
    if len(jobs) > cap and run.report.budget_stopped is None:
        run.report.budget_stopped = cap_reason
    _log_spend(run.report, day)
    return run.report


async def _jobs(db: Database, found: ledger.Wanted, now: datetime, limit: int) -> list[Job]:
    """The requests a run may make, translations first, at most `limit`."""
    editors = await ledger.translations(db, now=now, limit=limit, topics=found.topics)
    papers = await ledger.pending(db, found, now=now, limit=limit - len(editors))
    return [Job(e.paper, e) for e in editors] + [Job(paper) for paper in papers]


async def _run(run: Run, jobs: list[Job], now: datetime) -> Run:
    """Workers, as many as requests may be in flight, share the queue of requests."""
    for job in jobs:
        run.jobs.put_nowait(job)
    started = time.monotonic()
    async with asyncio.TaskGroup() as group:
        for _ in range(min(run.limits.concurrency, len(jobs))):
            group.create_task(run.worker(started, now))
    if run.failures_in_a_row >= FAILURES_IN_A_ROW:
        log.warning("summary endpoint failed %d times in a row; run stopped", run.failures_in_a_row)
    return run


def _log_spend(report: SummaryRun, day: ledger.Spend) -> None:
    log.info(
        "summaries: %d requests, %d stored, %d rejected, %d failed; %d tokens this run,"
        " %d today; budget stop: %s",
        report.requests,
        report.stored,
        report.rejected,
        report.failed,
        report.tokens,
        day.tokens + report.tokens,
        report.budget_stopped,
    )
