"""The running bot for generated updates: started as `digestbot run` starts it, talking HTTP
to the fake Bot API and a fake arXiv, fed one update at a time through `process_update`;
and the Update payloads people cause, built with the fake's own builders."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from telegram import Update
from telegram.ext import Application

from bot import config
from bot.app import build_application
from bot.ingest.service import ingest_file
from storage.db import Database
from tests.conftest import FIXTURES
from tests.fakes.arxiv_lookup import lookup
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_record import Call
from tests.fakes.bot_api_updates import (
    FakeUser,
    callback_query_json,
    chat_member_json,
    command_entities,
    document_json,
)

OPERATOR = 4242
SENT = ("sendMessage", "sendDocument")


class ErrorLog(logging.Handler):
    """Every record at ERROR or above, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(repr=False)
class Bot:
    """The running bot, its fake Telegram, and what went wrong so far."""

    loop: asyncio.AbstractEventLoop
    api: FakeBotApi
    app: Application
    errors: list[BaseException] = field(default_factory=list)
    log: ErrorLog = field(default_factory=ErrorLog)
    groups: Iterator[int] = field(default_factory=lambda: itertools.count(-1_000_001, -1))
    private_card: dict | None = None
    inline_card: str | None = None

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return "<the running bot>"

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def feed(self, kind: str, payload: dict) -> list[Call]:
        """Process one update; the Bot API calls it caused."""
        mark = self.api.mark()
        self.errors.clear()
        self.log.records.clear()
        update = Update.de_json({"update_id": next(UPDATE_IDS), kind: payload}, self.app.bot)
        self.run(self.app.process_update(update))
        return self.api.calls(since=mark)

    def assert_calm(self, description: dict) -> None:
        assert not self.errors, f"{description!r} reached the error handler: {self.errors[0]!r}"
        messages = [r.getMessage() for r in self.log.records]
        assert not messages, f"{description!r} logged an error: {messages[0]}"


UPDATE_IDS = itertools.count(1)


def user(user_id: int, lang: str | None) -> FakeUser:
    return FakeUser(user_id, "Ada", None, lang or None)


async def start(tmp: Path, stack: AsyncExitStack) -> tuple[FakeBotApi, Application]:
    api = await stack.enter_async_context(FakeBotApi(any_chat=True))
    arxiv = await stack.enter_async_context(FakeArxiv())
    arxiv.respond("/api/query", lookup(date(2024, 6, 20)))
    path = tmp / "fuzz.sqlite3"
    async with await Database.open(path) as db:
        await ingest_file(db, FIXTURES / "arxiv_rss_mixed.xml")
    settings_ = config.load(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_DB": str(path),
            "DIGESTBOT_ADMINS": str(OPERATOR),
            "DIGESTBOT_JOBS": "none",
            "DIGESTBOT_ARXIV_API": arxiv.url("/api/query"),
            # Thousands of updates in a minute: the bot's own pacing is not what is tested here
            "DIGESTBOT_MAX_SENDS_PER_SECOND": "1000",
        },
        env_file=None,
    )
    app = build_application(settings_)
    await stack.enter_async_context(app)  # initialize, and shutdown on the way out
    await app.post_init(app)
    stack.push_async_callback(app.post_shutdown, app)
    await app.start()
    stack.push_async_callback(app.stop)
    return api, app


def message(bot: Bot, chat, user: FakeUser, **fields) -> dict:
    return bot.api._message(chat, user, **fields)


def document_message(bot: Bot, chat, user: FakeUser, spec: dict) -> dict:
    stored = bot.api.world.store_file(spec["content"], spec["file_name"])
    doc = document_json(stored.file_id, spec["file_name"], len(spec["content"]), spec["mime_type"])
    if not spec["mime_type"]:
        del doc["mime_type"]
    return message(bot, chat, user, document=doc, caption=spec["caption"])


def press(bot: Bot, user: FakeUser, message: dict, data: str) -> dict:
    key = (message["chat"]["id"], message["message_id"])
    current = bot.api.world.messages.get(key, message)
    query_id = bot.api.world.new_query_id()
    bot.api.world.open_callback_queries.add(query_id)
    return callback_query_json(query_id=query_id, from_user=user, message=current, data=data)


def membership(bot: Bot, chat, by: FakeUser, whose: FakeUser, update: dict) -> dict:
    return {
        "chat": chat.to_json(),
        "from": by.to_json(),
        "date": int(time.time()),
        "old_chat_member": chat_member_json(whose, update["old"]),
        "new_chat_member": chat_member_json(whose, update["new"]),
    }


def addressee(text: str) -> tuple[str, str | None] | None:
    """(command, addressee) when `text` starts with a command as Telegram marks one."""
    entities = command_entities(text)
    if not entities:
        return None
    name, _, to = text[1 : entities[0]["length"]].partition("@")
    return name.lower(), to.lower() or None


def answered_in(calls: list[Call], chat_id: int) -> bool:
    return any(
        c.method in SENT and c.ok and str(c.params.get("chat_id")) == str(chat_id) for c in calls
    )


def answered_press(calls: list[Call], query_id: str) -> bool:
    """Whether the bot answered the callback query (a button press)."""
    return any(
        c.method == "answerCallbackQuery" and str(c.params.get("callback_query_id")) == query_id
        for c in calls
    )


def answered_inline(calls: list[Call], query_id: str) -> bool:
    """Whether the bot answered the inline query."""
    return any(
        c.method == "answerInlineQuery" and str(c.params.get("inline_query_id")) == query_id
        for c in calls
    )
