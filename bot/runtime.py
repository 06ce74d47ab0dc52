"""What every entry point opens first: the database, with the configured topics in it, and the
clock scheduled work reads (tests travel in time with another)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import redaction
from bot.config import Settings
from bot.topics import config as topic_config
from storage import topics as stored_topics
from storage.db import Database
from storage.models import Topic

Clock = Callable[[], datetime]
_SECRET_IN_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    db: Database
    topics: tuple[Topic, ...]
    matcher: topic_config.TopicMatcher

    async def close(self) -> None:
        await self.db.close()


async def open_runtime(settings: Settings) -> Runtime:
    """Load the topics (failing before the database is touched), open and migrate, sync."""
    topics = topic_config.load(settings.topics_file)
    db = await Database.open(settings.db_path)
    try:
        await stored_topics.sync(db, topics)
    except BaseException:
        await db.close()
        raise
    return Runtime(settings, db, topics, topic_config.matcher(topics))


class RedactTokens(logging.Filter):
    """Hide bot tokens in log records: httpx logs every request URL, token included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET_IN_URL.search(message):
            record.msg = _SECRET_IN_URL.sub("/bot<token>", message)
            record.args = None
        return True


def configure_logging(verbose: bool = False) -> None:
    """One format for every entry point, to standard error, with secrets redacted (in
    tracebacks and uncaught exceptions too)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        redaction.RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactTokens())
    redaction.install()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.INFO if verbose else logging.WARNING)
    # Operators see the bot start (as whom, polling or where) and stop without -v
    logging.getLogger("bot.lifecycle").setLevel(logging.INFO)
    # and a backfill's progress, a line a page: it runs for minutes in the background
    logging.getLogger("bot.ingest.backfill").setLevel(logging.INFO)
