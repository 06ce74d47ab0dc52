"""One delivery pass, for the scheduler and for `digestbot push`: plan what is due as of a
moment into the ledger, then send every open part.

Passes never overlap: each holds an exclusive lock on a file beside the database, which the
operating system releases when the process ends, however it ends. Holding it, a pass knows
that any part still marked claimed belongs to a process that died, and sends it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from telegram import Bot
from telegram.ext import ExtBot

from bot.config import Settings, file_url
from bot.push.navigation import PushNavigation
from bot.push.plan import plan_due
from bot.push.send import Broadcast
from bot.push.transport import AiohttpRequest, telegram_pace
from bot.runtime import Runtime
from storage import deliveries

CONCURRENCY = 64


@dataclass(frozen=True, slots=True)
class PushReport:
    due: int = 0  # open parts when sending began
    sent: int = 0
    failed: int = 0
    paused_chats: int = 0
    planned: int = 0
    deferred: int = 0
    retry_after_hits: int = 0
    busy: bool = False  # another pass was running: this one did nothing
    failed_chats: int = 0  # chats skipped because their digest could not be planned
    skipped: tuple[int, ...] = ()  # their ids, for the scheduler; the log names each

    def to_json(self) -> dict:
        found = asdict(self)
        del found["skipped"]
        return found


@contextlib.contextmanager
def pass_lock(db_path: str) -> Iterator[bool]:
    """True while this process holds the push lock of the database, False if another does."""
    if db_path == ":memory:" or db_path.startswith("file:"):
        yield True  # a private database: no other process can push from it
        return
    fd = os.open(f"{db_path}.push-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


async def push_pass(
    rt: Runtime, bot: Bot, now: datetime | None = None, *, concurrency: int = CONCURRENCY
) -> PushReport:
    """Plan as of `now` (default: the current time), then send; what happened."""
    with pass_lock(rt.db.path) as held:
        if not held:
            return PushReport(busy=True)
        now = now or datetime.now(UTC)
        planned = await plan_due(rt, now, bot_username=_username(bot))
        due = await deliveries.open_count(rt.db)
        sent = await Broadcast(
            rt.db,
            bot,
            concurrency=concurrency,
            paid_broadcast=rt.settings.paid_broadcast,
            navigation=PushNavigation(rt.db, rt.settings.epoch, now),
        ).run()
    return PushReport(
        due=due,
        sent=sent.sent,
        failed=sent.failed,
        paused_chats=sent.paused_chats,
        planned=planned.parts,
        deferred=sent.deferred,
        retry_after_hits=sent.retry_after_hits,
        failed_chats=len(planned.failed_chats),
        skipped=planned.failed_chats,
    )


def _username(bot: Bot) -> str | None:
    try:
        return bot.username
    except RuntimeError:  # not initialized (no getMe yet): the digest links to no card
        return None


def push_bot(settings: Settings, *, connections: int = CONCURRENCY) -> ExtBot:
    """A bot for a push outside `digestbot run`: aiohttp transport, Telegram's rate limits."""
    return ExtBot(
        settings.require_token(),
        base_url=settings.api_base_url,
        base_file_url=file_url(settings.api_base_url),
        request=AiohttpRequest(connections),
        rate_limiter=telegram_pace(settings.sends_per_second),
    )
