"""The bot's timed work on the JobQueue: the fortnightly push, daily ingestion (the arXiv feeds,
then Hugging Face Daily Papers), the backfill of the last two fortnights on a fresh database
(resumed at each start until done), the embeddings and the summaries after each ingestion
(the summaries daily too), and the daily pruning of caches.

Nothing is remembered in the job queue itself: the next push time is worked out from the
database after every pass, after a change of settings or subscriptions, and at least hourly,
so a restart loses nothing and a push missed while the bot was down goes out on its return.
The clock is injectable, so tests can live through several fortnights in seconds.

Every job can be cancelled at shut-down: its open transaction rolls back, and what it left
undone (papers not fetched, parts not sent, summaries not asked) is found undone on the next
start, which is how a crash is survived too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime, time, timedelta

from telegram.ext import Application, ContextTypes, Job

from bot.ingest.backfill import backfill_at_start, backfill_due
from bot.ingest.completion import summarize_completed
from bot.ingest.daily import ingest_configured
from bot.push.delivery import push_pass
from bot.push.plan import next_push_at, next_push_for
from bot.runtime import Clock, Runtime, system_clock
from bot.search import semantic
from bot.search.embedding_run import configured as embeddings_configured
from bot.search.embedding_run import embed_pending
from bot.summarize.service import endpoint_configured
from storage import chat_admins, chats, feeds, papers, search_sessions, subscriptions

log = logging.getLogger(__name__)

INGEST_AT = time(1, 30, tzinfo=UTC)  # arXiv announces at 00:00 UTC on weekdays
SUMMARIZE_AT = time(2, 30, tzinfo=UTC)  # for runs a budget stopped, and ingestion by cron
INGEST_OVERDUE = timedelta(hours=26)
RECHECK = timedelta(hours=1)  # the longest the push job sleeps without looking again
RETRY_DEFERRED = timedelta(minutes=1)  # after a pass that left parts for later
# Jobs set in post_init start once Telegram answered; APScheduler would drop them as missed
LATE_IS_FINE = {"misfire_grace_time": None}
PRUNE_AT = time(3, 30, tzinfo=UTC)
SEARCHES_KEPT = timedelta(days=14)  # a search's paging buttons work for a fortnight
ADMIN_CHECKS_KEPT = timedelta(days=1)  # read for minutes only; a day keeps them for operators


async def ingestion_overdue(rt: Runtime, now: datetime) -> bool:
    """True when nothing is stored yet or the last fetch is more than a day old."""
    if await papers.count(rt.db) == 0:
        return True
    last = await feeds.last_fetch(rt.db)
    return (
        last is not None and last.fetched_at is not None and now - last.fetched_at > INGEST_OVERDUE
    )


class Scheduler:
    """The jobs of one running application."""

    def __init__(self, app: Application, rt: Runtime, clock: Clock = system_clock) -> None:
        self.app, self.rt, self.clock = app, rt, clock
        self._push: Job | None = None
        self._push_at: datetime | None = None  # by this scheduler's clock
        self._failed_chats: frozenset[int] = frozenset()  # whose plan failed in the last pass
        self._running: set[asyncio.Task] = set()
        self._stopping = False

    async def start(self) -> None:
        jobs = self.rt.settings.jobs
        queue = self.app.job_queue
        if "ingest" in jobs:
            queue.run_daily(self._ingest, INGEST_AT, name="ingest")
            if await ingestion_overdue(self.rt, self.clock()):
                queue.run_once(self._ingest, 0, name="ingest-at-start", job_kwargs=LATE_IS_FINE)
        if "backfill" in jobs and await backfill_due(self.rt.db):
            queue.run_once(self._backfill, 0, name="backfill", job_kwargs=LATE_IS_FINE)
        if self.summarizing:
            queue.run_daily(self._summarize, SUMMARIZE_AT, name="summarize")
        queue.run_daily(self._prune, PRUNE_AT, name="prune-caches")
        if embeddings_configured(self.rt.settings):
            queue.run_once(self._load_vectors, 0, name="load-vectors", job_kwargs=LATE_IS_FINE)
        if "push" in jobs:
            await self.wake()

    async def stop(self, grace: float) -> None:
        """Cancel the jobs running now and wait up to `grace` seconds for them to roll back."""
        self._stopping = True
        for task in self._running:
            task.cancel()
        if self._running:
            await asyncio.wait(self._running, timeout=grace)

    async def _cancellable(self, name: str, work: Coroutine[object, object, None]) -> None:
        # PTB shields a job from cancellation; the task under the shield is ours to cancel
        task = asyncio.current_task()
        if self._stopping or task is None:
            work.close()
            return
        self._running.add(task)
        try:
            await work
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            log.info("%s stopped by shut-down; it resumes on the next start", name)
        finally:
            self._running.discard(task)

    @property
    def summarizing(self) -> bool:
        return "summarize" in self.rt.settings.jobs and endpoint_configured(self.rt.settings)

    def summarize_soon(self) -> None:
        """A summaries run now, when the bot summarizes: an article was just imported, and
        readers of the other language wait for its translations."""
        queue = self.app.job_queue
        if self.summarizing and not queue.get_jobs_by_name("summarize-now"):
            queue.run_once(self._summarize, 0, name="summarize-now", job_kwargs=LATE_IS_FINE)

    async def wake(self) -> None:
        """Work out the next push time again, from every chat."""
        if "push" not in self.rt.settings.jobs:
            return
        now = self.clock()
        when = await next_push_at(self.rt, now, self._failed_chats)
        delay = RECHECK if when is None else min(max(when - now, timedelta()), RECHECK)
        self._schedule(delay)

    async def chat_changed(self, chat_id: int) -> None:
        """A chat's settings or subscriptions changed: push sooner if it is now due sooner.

        Only that chat is looked at; a push it no longer needs finds nothing to do.
        """
        if "push" not in self.rt.settings.jobs:
            return
        chat = await chats.get(self.rt.db, chat_id)
        subs = await subscriptions.for_chat(self.rt.db, chat_id)
        now = self.clock()
        when = await next_push_for(self.rt, chat, subs, now) if chat else None
        if when is not None and (self._push_at is None or when < self._push_at):
            self._schedule(max(when - now, timedelta()))

    def _schedule(self, delay: timedelta) -> None:
        if self._push is not None:
            self._push.schedule_removal()
        self._push_at = self.clock() + delay
        self._push = self.app.job_queue.run_once(
            self._run_push, delay, name="push", job_kwargs=LATE_IS_FINE
        )

    async def _run_push(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._cancellable("the push pass", self._push_pass(context))

    async def _push_pass(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._push, self._push_at = None, None
        try:
            report = await push_pass(self.rt, context.bot, self.clock())
        except Exception:
            # Whatever failed, pushes go on: the pass is tried again, the error handler reports.
            self._schedule(RETRY_DEFERRED)
            raise
        self._failed_chats = frozenset(report.skipped)
        if report.sent or report.failed or report.planned or report.failed_chats:
            log.info("push pass: %s", report.to_json())
        if report.deferred or report.busy:
            self._schedule(RETRY_DEFERRED)
        else:
            await self.wake()

    async def _ingest(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._cancellable("ingestion", self._ingest_and_summarize(context))

    async def _ingest_and_summarize(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        report = await ingest_configured(
            self.rt.db, self.rt.settings, self.clock().date(), matcher=self.rt.matcher
        )
        log.info(
            "ingestion: %d new, %d updated, %d errors",
            report.new,
            report.updated,
            len(report.errors),
        )
        await self._embeddings()  # first: a few seconds, where summaries may take an hour
        if self.summarizing:
            await self._summaries()
        await self.wake()

    async def _backfill(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._cancellable("the backfill", self._backfill_and_summarize())

    async def _backfill_and_summarize(self) -> None:
        await backfill_at_start(
            self.rt.db, self.rt.settings, self.clock().date(), matcher=self.rt.matcher
        )
        await self._embeddings()  # first: a few seconds, where summaries may take an hour
        if self.summarizing:
            await self._summaries()
        await self.wake()

    async def _prune(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        now = self.clock()
        searches = await search_sessions.prune(self.rt.db, SEARCHES_KEPT, now=now)
        checks = await chat_admins.prune(self.rt.db, ADMIN_CHECKS_KEPT, now=now)
        log.info("pruned %d search sessions and %d admin checks", searches, checks)

    async def _summarize(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._cancellable("the summaries run", self._summaries())

    async def _load_vectors(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Load the vector index now, so that no reader's search waits for it."""
        if (vectors := semantic.for_runtime(self.rt)) is not None:
            await self._cancellable("loading the vector index", vectors.index.refresh(self.rt.db))

    async def _embeddings(self) -> None:
        """Embed the new papers, once, when an embeddings endpoint is configured."""
        if embeddings_configured(self.rt.settings):
            run = await embed_pending(self.rt.db, self.rt.settings)
            log.info("embeddings: %s", run.as_json())

    async def _summaries(self) -> None:
        run = await summarize_completed(self.rt, now=self.clock())
        log.info("summaries: %s", run.as_json())
