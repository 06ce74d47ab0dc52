"""Summarizing with a model: which papers, within which budget, and what is stored.

Only papers some reader will see are summarized: those of a topic an active chat subscribes
to, or matching a chat's saved query, announced in the current or previous fortnight, newest
first. Each request's outcome and tokens go to the ledger; a run stops cleanly when its own
or the day's budget (papers or tokens) is spent, and says which.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from bot.config import DEFAULT_SUMMARY_MODEL, Settings, SummaryLimits
from bot.periods import period_of
from bot.summarize.llm_answer import (
    RejectedAnswer,
    SummaryAnswer,
    build_messages,
    load_glossary,
    parse_answer,
)
from bot.summarize.llm_client import ChatClient, ChatError
from storage import search as fulltext
from storage import subscriptions
from storage import summaries as stored_summaries
from storage import summary_requests as ledger
from storage import topics as stored_topics
from storage.chat_models import UnknownTopic
from storage.db import Database
from storage.models import Paper, Summary

log = logging.getLogger(__name__)

# A run stops after this many failed requests in a row: the endpoint is down, not one paper.
FAILURES_IN_A_ROW = 8


@dataclass(slots=True)
class SummaryRun:
    """What one run asked, what came of it, what it cost, and which budget stopped it."""

    requests: int = 0
    stored: int = 0
    rejected: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    budget_stopped: str | None = None  # run_papers | run_tokens | daily_papers | daily_tokens

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_json(self) -> dict:
        """The `digestbot summarize --json` object."""
        fields = asdict(self)
        return {
            **{k: fields[k] for k in ("requests", "stored", "rejected", "failed")},
            "tokens": self.tokens,
            "budget_stopped": self.budget_stopped,
        }


def endpoint_configured(settings: Settings) -> bool:
    """Whether a summary endpoint is set; without one the bot runs on offline summaries."""
    return bool(settings.openai_base_url)


async def _wanted(
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


class _Run:
    """One run's shared state: the queue of papers and the spend so far."""

    def __init__(self, db: Database, client: ChatClient, settings: Settings, day: ledger.Spend):
        self.db, self.client, self.limits = db, client, settings.summary
        self.day = day
        self.report = SummaryRun()
        self.papers: asyncio.Queue[Paper] = asyncio.Queue()
        self.glossary = load_glossary()
        self.failures_in_a_row = 0

    def token_budget_spent(self) -> str | None:
        if self.report.tokens >= self.limits.run_tokens:
            return "run_tokens"
        if self.day.tokens + self.report.tokens >= self.limits.daily_tokens:
            return "daily_tokens"
        return None

    async def worker(self, started: float, now: datetime) -> None:
        """Summarize papers from the queue until it is empty or a budget is spent."""
        while not self.papers.empty() and self.failures_in_a_row < FAILURES_IN_A_ROW:
            if (spent := self.token_budget_spent()) is not None:
                self.report.budget_stopped = spent
                return
            paper = self.papers.get_nowait()
            self.report.requests += 1
            at = now + timedelta(seconds=time.monotonic() - started)
            await self.summarize(paper, at)

    async def summarize(self, paper: Paper, at: datetime) -> None:
        """One request: its answer stored, or its rejection or failure recorded."""
        model = self.client.model
        messages = build_messages(paper.title, paper.abstract, self.glossary)
        try:
            done = await self.client.complete(messages)
        except ChatError as exc:
            self.failures_in_a_row += 1
            tokens = (exc.prompt_tokens, exc.completion_tokens)
            await self.write(ledger.LedgerEntry(paper.id, model, at, "failed", str(exc), *tokens))
            return
        self.failures_in_a_row = 0
        answer, outcome, reason = None, "stored", None
        try:
            answer = parse_answer(done.content)
        except RejectedAnswer as exc:
            outcome, reason = "rejected", str(exc)
        tokens = (done.prompt_tokens, done.completion_tokens)
        await self.write(ledger.LedgerEntry(paper.id, model, at, outcome, reason, *tokens), answer)

    async def write(self, entry: ledger.LedgerEntry, answer: SummaryAnswer | None = None) -> None:
        """Store the summaries (a better source is kept) and the ledger row in one commit."""
        async with self.db.transaction():
            if answer is not None:
                for lang, text in (("zh", answer.zh), ("en", answer.en)):
                    summary = Summary(
                        lang, text, "llm", entry.model, answer.importance, entry.requested_at
                    )
                    await stored_summaries.put(self.db, entry.paper_id, summary)
            await ledger.record(self.db, entry)
        report = self.report
        setattr(report, entry.outcome, getattr(report, entry.outcome) + 1)
        report.prompt_tokens += entry.prompt_tokens
        report.completion_tokens += entry.completion_tokens
        if entry.outcome != "stored":
            log.info("summary of paper %s %s: %s", entry.paper_id, entry.outcome, entry.reason)


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
) -> SummaryRun:
    """Summarize the papers readers will see that lack a summary, within the budgets.

    Without an endpoint configured it does nothing. `topic` takes that topic's papers whether
    or not a chat subscribes to it (UnknownTopic if there is no such topic). `client` replaces
    the one built from the settings, and is closed when the run ends.
    """
    if not endpoint_configured(settings):
        return SummaryRun()
    now = now or datetime.now(UTC)
    wanted = await _wanted(db, settings, topic, now)
    day = await ledger.spend_since(db, datetime.combine(now.astimezone(UTC).date(), clock(), UTC))
    cap, cap_reason = _paper_cap(settings.summary, day, limit)
    papers = await ledger.pending(db, wanted, now=now, limit=cap + 1)
    if client is None:
        client = ChatClient(
            settings.openai_base_url,
            settings.summary_model or DEFAULT_SUMMARY_MODEL,
            api_key=settings.openai_api_key,
            concurrency=settings.summary.concurrency,
            timeout=settings.summary.timeout,
        )
    async with client:
        run = await _run(db, client, settings, day, papers[:cap], now)
    if len(papers) > cap and run.report.budget_stopped is None:
        run.report.budget_stopped = cap_reason
    _log_spend(run.report, day)
    return run.report


async def _run(
    db: Database,
    client: ChatClient,
    settings: Settings,
    day: ledger.Spend,
    papers: list[Paper],
    now: datetime,
) -> _Run:
    """Workers, as many as requests may be in flight, share the queue of papers."""
    run = _Run(db, client, settings, day)
    for paper in papers:
        run.papers.put_nowait(paper)
    started = time.monotonic()
    async with asyncio.TaskGroup() as group:
        for _ in range(min(settings.summary.concurrency, len(papers))):
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
