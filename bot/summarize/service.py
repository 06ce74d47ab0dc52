"""Summarizing with a model: which papers, within which budget, and what is stored.

Only papers some reader will see are summarized: those of a topic an active chat subscribes
to, or matching a chat's saved query, announced in the current or previous fortnight, newest
first. Each request's outcome and tokens go to the ledger; a run stops cleanly when its own
or the day's budget (papers or tokens) is spent, and says which. Whatever happens to one
paper — a hostile answer, an error nobody foresaw, a refused write — is recorded for that
paper with its reason (secrets redacted), and the run goes on with the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from bot.config import DEFAULT_SUMMARY_MODEL, Settings, SummaryLimits
from bot.digest.periods import period_of
from bot.summarize.llm_answer import (
    RejectedAnswer,
    SummaryAnswer,
    build_messages,
    load_glossary,
    parse_answer,
)
from bot.summarize.llm_client import AnswerRefused, ChatClient, ChatError
from bot.summarize.redact import redact
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
        self.secrets = (settings.openai_api_key,)
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
        """One request: its answer stored, or its rejection or failure recorded, come what may."""
        level = logging.INFO
        try:
            entry, answer = await self.ask(paper, at)
        except Exception as exc:  # one paper's surprise must not end the run
            entry, answer = self.entry(paper, at, "failed", _unexpected(exc)), None
            level = logging.ERROR
        try:
            await self.write(entry, answer, level)
        except Exception as exc:  # e.g. the database refused this paper's row
            failed = replace(entry, outcome="failed", reason=f"not stored: {_unexpected(exc)}")
            try:
                await self.write(failed, None, logging.ERROR)
            except Exception as again:
                self.count(failed)
                reason = redact(_unexpected(again), self.secrets)
                log.error("summary of paper %s not recorded: %s", paper.id, reason)

    def entry(
        self, paper: Paper, at: datetime, outcome: str, reason: str | None, *tokens: int
    ) -> ledger.LedgerEntry:
        """The ledger row of one request to this run's model."""
        return ledger.LedgerEntry(paper.id, self.client.model, at, outcome, reason, *tokens)

    async def ask(
        self, paper: Paper, at: datetime
    ) -> tuple[ledger.LedgerEntry, SummaryAnswer | None]:
        """The endpoint's answer for one paper, and the ledger row it earns."""
        messages = build_messages(paper.title, paper.abstract, self.glossary)
        try:
            done = await self.client.complete(messages)
        except ChatError as exc:
            outcome = "rejected" if isinstance(exc, AnswerRefused) else "failed"
            tokens = (exc.prompt_tokens, exc.completion_tokens)
            return self.entry(paper, at, outcome, str(exc), *tokens), None
        tokens = (done.prompt_tokens, done.completion_tokens)
        try:
            answer = parse_answer(done.content)
        except RejectedAnswer as exc:
            return self.entry(paper, at, "rejected", str(exc), *tokens), None
        reason = f"cleaned: {'; '.join(answer.cleaned)}" if answer.cleaned else None
        return self.entry(paper, at, "stored", reason, *tokens), answer

    async def write(
        self,
        entry: ledger.LedgerEntry,
        answer: SummaryAnswer | None = None,
        level: int = logging.INFO,
    ) -> None:
        """Store the summaries (a better source is kept) and the ledger row in one commit."""
        if entry.reason is not None:
            entry = replace(entry, reason=redact(entry.reason, self.secrets))
        async with self.db.transaction():
            if answer is not None:
                for lang, text in (("zh", answer.zh), ("en", answer.en)):
                    summary = Summary(
                        lang, text, "llm", entry.model, answer.importance, entry.requested_at
                    )
                    await stored_summaries.put(self.db, entry.paper_id, summary)
            await ledger.record(self.db, entry)
        self.count(entry)
        if entry.reason is not None:
            log.log(
                level, "summary of paper %s %s: %s", entry.paper_id, entry.outcome, entry.reason
            )

    def count(self, entry: ledger.LedgerEntry) -> None:
        """The entry in this run's report, and in the endpoint's run of failures."""
        report = self.report
        setattr(report, entry.outcome, getattr(report, entry.outcome) + 1)
        report.prompt_tokens += entry.prompt_tokens
        report.completion_tokens += entry.completion_tokens
        self.failures_in_a_row = self.failures_in_a_row + 1 if entry.outcome == "failed" else 0


def _unexpected(exc: BaseException) -> str:
    """An error nobody foresaw: its type, its message and where it arose, for the operator."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"unexpected {type(exc).__name__}: {exc}{where}"


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
