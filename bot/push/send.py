"""Sending the ledger's open parts to Telegram within its limits, one chat never holding up
the rest.

A producer reads the chats with open parts in id order, claims them in one commit and
queues one job per chat; workers send a chat's parts in order, at least a second apart
(three in a group: Telegram allows 20 a minute there), and write each completion at once.
The bot's AIORateLimiter keeps the overall rate (30/s, or 1,000/s with paid broadcasts).
A rate limit or a network failure puts the chat back for later in the pass; a chat that
blocked or removed the bot is paused; a group that became a supergroup is moved and sent
to there; a part Telegram refuses is marked failed and the chat's next part goes on.
A send that timed out is tried again: Telegram may have taken it, and has no idempotency
key to ask with, so this is the ledger's window (storage.deliveries) met another way.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import warnings
from dataclasses import dataclass, field, replace
from datetime import timedelta
from itertools import groupby
from operator import attrgetter

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBUserWarning

from bot.push.navigation import PushNavigation
from bot.render.digest_buttons import digest_keyboard
from storage import chats, deliveries
from storage.db import Database
from storage.deliveries import Part

log = logging.getLogger(__name__)
# The broadcast asks for sendMessage's raw answer on purpose (see Broadcast._send_next).
warnings.filterwarnings("ignore", "Please use 'Bot.sendMessage'", PTBUserWarning)

PER_CHAT_GAP = 1.0  # seconds between two messages to one chat
GROUP_GAP = 3.0  # 20 a minute in a group
NETWORK_BACKOFF = (1.0, 2.0, 4.0)  # then the part waits for the next pass
RETRY_AFTER_TIMES = 5  # 429s a part may meet in one pass
BATCH_CHATS = 500  # chats read and claimed per commit


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0  # left open for the next pass
    paused_chats: int = 0
    retry_after_hits: int = 0


@dataclass
class _Job:
    chat_id: int
    parts: list[Part]
    not_before: float = 0.0
    network_tries: int = 0
    retry_after_tries: int = 0
    texts: dict[int, str] = field(default_factory=dict)


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds, whether PTB hands it over as a timedelta or an int."""
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; both forms are read here.
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Broadcast:
    """One pass over the ledger's open parts."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        *,
        concurrency: int = 64,
        paid_broadcast: bool = False,
        navigation: PushNavigation | None = None,
    ) -> None:
        self.db, self.bot = db, bot
        self.navigation = navigation  # the ◀ ▶ row under each digest's last message
        self.concurrency = concurrency
        self.paid_broadcast = paid_broadcast
        self.report = SendReport()
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(maxsize=4 * BATCH_CHATS)
        self._outstanding = 0
        self._produced = asyncio.Event()
        self._done = asyncio.Event()
        self._later: set[asyncio.Task] = set()
        self._resume_at = 0.0  # a 429 stops every send until then, not just the chat's

    async def run(self) -> SendReport:
        workers = [asyncio.create_task(self._worker()) for _ in range(self.concurrency)]
        try:
            await self._produce()
            self._produced.set()
            if self._outstanding == 0:
                self._done.set()
            await self._done.wait()
        finally:
            for worker in workers:
                worker.cancel()
            for task in self._later:
                task.cancel()
            await asyncio.gather(*workers, *self._later, return_exceptions=True)
        return self.report

    async def _produce(self) -> None:
        after = None
        while True:
            batch = await deliveries.open_parts(self.db, after=after, chats=BATCH_CHATS)
            if not batch:
                return
            after = batch[-1].chat_id
            await deliveries.claim(self.db, batch)
            if self.navigation is not None:
                await self.navigation.load(sorted({p.chat_id for p in batch}))
            texts = await deliveries.texts(self.db, sorted({p.text_id for p in batch}))
            for chat_id, parts in groupby(batch, key=attrgetter("chat_id")):
                self._outstanding += 1
                await self._queue.put(_Job(chat_id, list(parts), texts=texts))

    async def _worker(self) -> None:
        while True:
            job = await self._queue.get()
            await self._wait_turn(job)
            try:
                again = await self._send_next(job)
            except Exception:
                log.exception(
                    "push to chat %s failed unexpectedly; it waits for the next pass", job.chat_id
                )
                again = None
                self.report.deferred += len(job.parts)
            if again is None:
                self._finish()
            else:
                self._requeue(job, again)

    async def _wait_turn(self, job: _Job) -> None:
        # A 429 met by another worker while this one sleeps can push the pause further.
        for _ in range(RETRY_AFTER_TIMES + 2):
            wait = max(job.not_before, self._resume_at) - time.monotonic()
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    def _finish(self) -> None:
        self._outstanding -= 1
        if self._outstanding == 0 and self._produced.is_set():
            self._done.set()

    def _requeue(self, job: _Job, delay: float) -> None:
        job.not_before = time.monotonic() + delay

        async def later() -> None:
            await asyncio.sleep(delay)
            await self._queue.put(job)

        task = asyncio.create_task(later())
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _send_next(self, job: _Job) -> float | None:
        """Send the job's next part; the delay before its next, or None when it is done."""
        part = job.parts[0]
        try:
            # The raw answer: parsing each sent Message back into objects would cost the
            # broadcast about a third of its time, and only the message id is kept.
            message = await self.bot.do_api_request(
                "sendMessage", _send_args(job, part, self.paid_broadcast, self._walk_rows(part))
            )
        except RetryAfter as exc:
            return await self._rate_limited(job, exc)
        except ChatMigrated as exc:
            return await self._migrated(job, exc.new_chat_id)
        except Forbidden as exc:
            return await self._forbidden(job, exc)
        except BadRequest as exc:
            return await self._refused(job, exc)
        except NetworkError as exc:  # TimedOut included
            return await self._network(job, exc)
        except TelegramError as exc:
            return await self._refused(job, exc)
        await deliveries.complete(self.db, part, message["message_id"], chat_id=job.chat_id)
        self.report.sent += 1
        job.parts.pop(0)
        job.network_tries = 0
        return self._gap(job) if job.parts else None

    def _walk_rows(self, part: Part) -> list[list[dict]]:
        if self.navigation is None or part.part != part.parts:
            return []
        return self.navigation.rows(part.chat_id, part.period_start)

    def _gap(self, job: _Job) -> float:
        return GROUP_GAP if job.chat_id < 0 else PER_CHAT_GAP

    async def _rate_limited(self, job: _Job, exc: RetryAfter) -> float | None:
        self.report.retry_after_hits += 1
        job.retry_after_tries += 1
        delay = retry_seconds(exc)
        self._resume_at = max(self._resume_at, time.monotonic() + delay)
        if job.retry_after_tries > RETRY_AFTER_TIMES:
            return await self._defer(job, f"rate limited: {exc}")
        return delay

    async def _network(self, job: _Job, exc: Exception) -> float | None:
        if job.network_tries >= len(NETWORK_BACKOFF):
            return await self._defer(job, f"network: {exc}")
        delay = NETWORK_BACKOFF[job.network_tries]
        job.network_tries += 1
        return delay

    async def _defer(self, job: _Job, reason: str) -> None:
        for part in job.parts:
            await deliveries.release(self.db, replace(part, chat_id=job.chat_id), reason)
        self.report.deferred += len(job.parts)
        log.warning("push to chat %s deferred to the next pass: %s", job.chat_id, reason)
        return None

    async def _migrated(self, job: _Job, new_chat_id: int) -> float:
        # The ledger rows follow the chat (ON UPDATE CASCADE), so the parts keep their state.
        await chats.migrate(self.db, job.chat_id, new_chat_id)
        log.info("chat %s became supergroup %s: pushing there", job.chat_id, new_chat_id)
        job.chat_id = new_chat_id
        return 0.0

    async def _forbidden(self, job: _Job, exc: Forbidden) -> None:
        reason = "blocked" if "blocked" in exc.message.lower() else "removed"
        with contextlib.suppress(chats.UnknownChat):
            await chats.pause(self.db, job.chat_id, reason)
        await deliveries.cancel_chat(self.db, job.chat_id, f"forbidden: {exc.message}")
        self.report.paused_chats += 1
        log.info("chat %s paused: %s", job.chat_id, exc.message)
        return None

    async def _refused(self, job: _Job, exc: TelegramError) -> float | None:
        part = replace(job.parts[0], chat_id=job.chat_id)
        if part.thread_id is not None and "thread" in exc.message.lower():
            # The forum thread is gone: the chat still gets its digest, in the main thread.
            await deliveries.drop_thread(self.db, job.chat_id)
            job.parts = [replace(p, thread_id=None) for p in job.parts]
            return 0.0
        await deliveries.fail(self.db, part, exc.message)
        self.report.failed += 1
        log.warning("push part refused for chat %s: %s", job.chat_id, exc.message)
        job.parts.pop(0)
        return self._gap(job) if job.parts else None


@functools.lru_cache(maxsize=1024)
def _buttons(text: str) -> dict | None:
    # Thousands of chats share a handful of texts: their buttons are made once each.
    keyboard = digest_keyboard(text)
    return keyboard.to_dict() if keyboard is not None else None


def _send_args(job: _Job, part: Part, paid_broadcast: bool, walk: list[list[dict]]) -> dict:
    """sendMessage's arguments: the part, its papers' buttons, and under them `walk` (◀ ▶)."""
    text = job.texts[part.text_id]
    args = {
        "chat_id": job.chat_id,
        "text": text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": {"is_disabled": True},
    }
    keyboard = _buttons(text)  # each paper's card, where readers vote, one tap away
    rows = [*(keyboard["inline_keyboard"] if keyboard is not None else ()), *walk]
    if rows:
        args["reply_markup"] = {"inline_keyboard": rows}
    if part.thread_id is not None:
        args["message_thread_id"] = part.thread_id
    if paid_broadcast:
        args["allow_paid_broadcast"] = True
    return args
