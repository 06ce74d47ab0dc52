"""The bot started and stopped as `digestbot run` does, polling the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application


@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    """post_init, start and poll; on the way out stop polling, stop and post_shutdown."""
    async with application:
        await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            await application.post_shutdown(application)
