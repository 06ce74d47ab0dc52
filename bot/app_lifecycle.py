"""`digestbot run`: the Application built in bot/app.py started, kept running and stopped.

Start-up waits for Telegram with a capped back-off, one log line a try (a service outlives a
network blip), and gives up only on what cannot heal: a rejected token. SIGTERM or SIGINT
ends the process within seconds in every phase: while waiting for Telegram, during start-up,
and while a long job runs. The scheduler's running jobs are cancelled first (an open
transaction rolls back, and the work is picked up again on the next start), then the updates
stop, then the database closes.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.config import Settings

log = logging.getLogger("bot.lifecycle")
T = TypeVar("T")

FIRST_RETRY = 1.0  # seconds before the second try to reach Telegram
LONGEST_RETRY = 60.0  # the back-off's cap: a blip is noticed within a minute of its end
JOB_GRACE = 3.0  # seconds a cancelled job may take to roll back


def serve(app: Application, settings: Settings, webhook: dict | None = None) -> int:
    """Run until SIGTERM or SIGINT; polling, or serving `webhook` (run_webhook's options)."""
    return asyncio.run(_serve(app, settings, webhook))


async def _serve(app: Application, settings: Settings, webhook: dict | None) -> int:
    stop = _stop_on_signals()
    host = urlsplit(settings.api_base_url).hostname or settings.api_base_url
    try:
        connected = _retrying(host, app.initialize, undo=app.bot.shutdown)
        if await _first_of(stop, connected) and await _first_of(stop, _start(app, host, webhook)):
            await stop.wait()
    finally:
        await _stop(app)
    return 0


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _first_of(stop: asyncio.Event, step: Awaitable[object]) -> bool:
    """Run `step` unless a stop signal comes first (then the step is cancelled): True if done."""
    work = asyncio.ensure_future(step)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({work, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not work.done():
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        return False
    work.result()  # its exception, if it failed
    return True


async def _retrying(
    host: str, attempt: Callable[[], Awaitable[T]], undo: Callable[[], Awaitable[object]]
) -> T:
    """`attempt` until Telegram answers, waiting longer after each network failure.

    A rejected token is no blip: InvalidToken goes up at once, as does any other error.
    """
    delay = FIRST_RETRY
    while True:
        try:
            return await attempt()
        except RetryAfter as exc:
            await undo()
            wait = _seconds(exc.retry_after)
            log.warning("Telegram at %s asks to wait %g s before trying again", host, wait)
        except (InvalidToken, BadRequest):  # PTB counts BadRequest as a NetworkError
            await undo()
            raise
        except NetworkError as exc:  # TimedOut included
            await undo()
            wait, delay = delay, min(delay * 2, LONGEST_RETRY)
            log.warning("cannot reach Telegram at %s (%s); trying again in %g s", host, exc, wait)
        except BaseException:
            await undo()
            raise
        await asyncio.sleep(wait)


def _seconds(value: object) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


async def _start(app: Application, host: str, webhook: dict | None) -> None:
    """post_init (database, jobs, menus), then updates, then the handlers."""
    await app.post_init(app)
    name = app.bot.username
    if webhook is None:

        def polling_failed(error: TelegramError) -> None:  # PTB retries; one line each time
            log.warning("polling Telegram at %s failed (%s); trying again", host, error)

        await _retrying(
            host,
            lambda: app.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, error_callback=polling_failed
            ),
            undo=_nothing,
        )
        log.info("polling as @%s", name)
    else:
        await _retrying(host, lambda: app.updater.start_webhook(**webhook), undo=_nothing)
        log.info("webhook at %s as @%s", webhook["webhook_url"], name)
    await app.start()


async def _nothing() -> None:
    return None


async def _stop(app: Application) -> None:
    """Cancel the running jobs, stop the updates and the handlers, close everything."""
    scheduler = app.bot_data.get("scheduler")
    if scheduler is not None:
        await scheduler.stop(JOB_GRACE)
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    was_running = app.running
    if was_running:
        await app.stop()
        if app.post_stop:
            await app.post_stop(app)
    await app.shutdown()
    await app.bot.shutdown()  # a bot whose first call failed is not the app's to close
    if app.post_shutdown:
        await app.post_shutdown(app)
    if was_running:
        log.info("stopped")
