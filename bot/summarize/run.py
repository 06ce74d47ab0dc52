"""One summaries run at work: its queue of requests, each asked, read and stored with its
ledger row, and what the run spent.

A request is either a paper's summaries in both languages from its abstract (with its topics
among the configured ones, when given), or the translation of an editor's summary into the
other language. Whatever happens to one request — a hostile answer, an error nobody foresaw, a
refused write — is recorded for that paper with its reason (secrets redacted), and the run
goes on with the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.endpoint.redact import redact
from bot.summarize import translation
from bot.summarize.llm_answer import RejectedAnswer, SummaryAnswer, load_glossary, parse_answer
from bot.summarize.llm_answer import build_messages as summary_messages
from bot.summarize.llm_client import AnswerRefused, ChatClient, ChatError
from bot.summarize.translation import Translation
from storage import summaries as stored_summaries
from storage import summary_requests as ledger
from storage import topics as stored_topics
from storage.db import Database
from storage.models import Paper, Summary, Topic
from storage.summary_requests import EditorOnly

log = logging.getLogger(__name__)

# A run stops after this many failed requests in a row: the endpoint is down, not one paper.
FAILURES_IN_A_ROW = 8

Answer = SummaryAnswer | Translation


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


@dataclass(frozen=True, slots=True)
class Job:
    """One request to make: a paper's summaries, or the translation of its editor's summary."""

    paper: Paper
    editor: EditorOnly | None = None


class Run:
    """One run's shared state: the queue of requests and the spend so far."""

    def __init__(
        self,
        db: Database,
        client: ChatClient,
        settings: Settings,
        day: ledger.Spend,
        topics: Sequence[Topic] = (),
    ):
        self.db, self.client, self.limits = db, client, settings.summary
        self.secrets = (settings.openai_api_key,)
        self.day = day
        self.topics = tuple(topics)
        self.report = SummaryRun()
        self.jobs: asyncio.Queue[Job] = asyncio.Queue()
        self.glossary = load_glossary()
        self.failures_in_a_row = 0

    def token_budget_spent(self) -> str | None:
        if self.report.tokens >= self.limits.run_tokens:
            return "run_tokens"
        if self.day.tokens + self.report.tokens >= self.limits.daily_tokens:
            return "daily_tokens"
        return None

    async def worker(self, started: float, now: datetime) -> None:
        """Make requests from the queue until it is empty or a budget is spent."""
        while not self.jobs.empty() and self.failures_in_a_row < FAILURES_IN_A_ROW:
            if (spent := self.token_budget_spent()) is not None:
                self.report.budget_stopped = spent
                return
            job = self.jobs.get_nowait()
            self.report.requests += 1
            at = now + timedelta(seconds=time.monotonic() - started)
            await self.handle(job, at)

    async def handle(self, job: Job, at: datetime) -> None:
        """One request: its answer stored, or its rejection or failure recorded, come what may."""
        paper = job.paper
        level = logging.INFO
        try:
            entry, answer = await self.ask(job, at)
        except Exception as exc:  # one paper's surprise must not end the run
            entry, answer = self.entry(paper, at, "failed", _unexpected(exc)), None
            level = logging.ERROR
        try:
            await self.write(job, entry, answer, level)
        except Exception as exc:  # e.g. the database refused this paper's row
            failed = replace(entry, outcome="failed", reason=f"not stored: {_unexpected(exc)}")
            try:
                await self.write(job, failed, None, logging.ERROR)
            except Exception as again:
                self.count(failed)
                reason = redact(_unexpected(again), self.secrets)
                log.error("summary of paper %s not recorded: %s", paper.id, reason)

    def entry(
        self, paper: Paper, at: datetime, outcome: str, reason: str | None, *tokens: int
    ) -> ledger.LedgerEntry:
        """The ledger row of one request to this run's model."""
        return ledger.LedgerEntry(paper.id, self.client.model, at, outcome, reason, *tokens)

    def messages(self, job: Job) -> list[dict[str, str]]:
        """What the model is asked: to translate the editor's summary, or to summarize."""
        paper, editor = job.paper, job.editor
        if editor is not None:
            return translation.build_messages(paper.title, editor.text, editor.lang, self.glossary)
        return summary_messages(paper.title, paper.abstract, self.glossary, self.topics)

    def read(self, job: Job, content: str | None) -> Answer:
        """The answer as the request expects it, or RejectedAnswer."""
        editor = job.editor
        if editor is not None:
            return translation.parse_translation(content, editor.text, editor.lang)
        return parse_answer(content, self.topics)

    async def ask(self, job: Job, at: datetime) -> tuple[ledger.LedgerEntry, Answer | None]:
        """The endpoint's answer for one request, and the ledger row it earns."""
        paper = job.paper
        try:
            done = await self.client.complete(self.messages(job))
        except ChatError as exc:
            outcome = "rejected" if isinstance(exc, AnswerRefused) else "failed"
            tokens = (exc.prompt_tokens, exc.completion_tokens)
            return self.entry(paper, at, outcome, str(exc), *tokens), None
        tokens = (done.prompt_tokens, done.completion_tokens)
        kind = "translation: " if job.editor is not None else ""
        try:
            answer = self.read(job, done.content)
        except RejectedAnswer as exc:
            return self.entry(paper, at, "rejected", f"{kind}{exc}", *tokens), None
        notes = _notes(answer)
        reason = f"{kind}{'; '.join(notes)}" if notes else None
        return self.entry(paper, at, "stored", reason, *tokens), answer

    async def write(
        self,
        job: Job,
        entry: ledger.LedgerEntry,
        answer: Answer | None = None,
        level: int = logging.INFO,
    ) -> None:
        """Store what the answer gave (a better source is kept) and the ledger row, one commit."""
        if entry.reason is not None:
            entry = replace(entry, reason=redact(entry.reason, self.secrets))
        async with self.db.transaction():
            for summary in _summaries(job, entry, answer):
                await stored_summaries.put(self.db, entry.paper_id, summary)
            if (chosen := _chosen(answer)) is not None:
                offered = [topic.slug for topic in self.topics]
                await stored_topics.choose(self.db, entry.paper_id, chosen, offered, entry.model)
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


def _notes(answer: Answer) -> tuple[str, ...]:
    """What was cleaned from the answer or dropped from its topics, for the ledger."""
    if isinstance(answer, Translation):
        return (f"cleaned: {'; '.join(answer.cleaned)}",) if answer.cleaned else ()
    return answer.notes


def _chosen(answer: Answer | None) -> tuple[str, ...] | None:
    """The topics the model chose for the paper; None when it made no usable choice."""
    if isinstance(answer, SummaryAnswer) and answer.topics is not None:
        return answer.topics.slugs
    return None


def _summaries(job: Job, entry: ledger.LedgerEntry, answer: Answer | None) -> list[Summary]:
    """The summaries an answer gives: both languages, or the one translated."""
    at, model = entry.requested_at, entry.model
    if isinstance(answer, Translation) and job.editor is not None:
        return [Summary(answer.lang, answer.text, "llm", model, None, at, job.editor.lang)]
    if isinstance(answer, SummaryAnswer):
        return [
            Summary(lang, text, "llm", model, answer.importance, at)
            for lang, text in (("zh", answer.zh), ("en", answer.en))
        ]
    return []


def _unexpected(exc: BaseException) -> str:
    """An error nobody foresaw: its type, its message and where it arose, for the operator."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"unexpected {type(exc).__name__}: {exc}{where}"
