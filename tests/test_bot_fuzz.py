"""Generated updates through the real bot: whatever people send — commands with any Unicode
arguments, plain text, button data of any bytes, inline queries and offsets, documents with
any caption — in a private chat, a group and inline mode, nothing reaches the error handler,
nothing is logged as an error, and every update that deserves an answer gets one.

The Application runs as `digestbot run` starts it and talks HTTP to the fake Bot API; updates
are fed to `process_update` one by one, so each is judged by the calls it caused. Examples
per context: 2,000 when CI=true, else DIGESTBOT_FUZZ_EXAMPLES (default 100). Derandomized,
so a run is the same on every machine.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes

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
    ANONYMOUS_ADMIN,
    FakeUser,
    callback_query_json,
    chat_member_json,
    command_entities,
    document_json,
    group,
    inline_callback_query_json,
    inline_query_json,
    private_chat,
    supergroup,
)
from tests.fuzz_updates import BOT, COMMANDS, group_update, inline_update, private_update

OPERATOR = 4242
EXAMPLES = int(os.environ.get("DIGESTBOT_FUZZ_EXAMPLES") or 0) or (
    2000 if os.environ.get("CI") == "true" else 100
)
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_SENT = ("sendMessage", "sendDocument")


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
        update = Update.de_json({"update_id": next(_UPDATE_IDS), kind: payload}, self.app.bot)
        self.run(self.app.process_update(update))
        return self.api.calls(since=mark)

    def assert_calm(self, description: dict) -> None:
        assert not self.errors, f"{description!r} reached the error handler: {self.errors[0]!r}"
        messages = [r.getMessage() for r in self.log.records]
        assert not messages, f"{description!r} logged an error: {messages[0]}"


_UPDATE_IDS = itertools.count(1)


def _user(user_id: int, lang: str | None) -> FakeUser:
    return FakeUser(user_id, "Ada", None, lang or None)


async def _start(tmp: Path, stack: AsyncExitStack) -> tuple[FakeBotApi, Application]:
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


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    api, app = loop.run_until_complete(_start(tmp_path_factory.mktemp("fuzz"), stack))
    running = Bot(loop, api, app)

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        running.errors.append(context.error)

    app.add_error_handler(record)
    logging.getLogger().addHandler(running.log)
    try:
        yield running
    finally:
        logging.getLogger().removeHandler(running.log)
        loop.run_until_complete(stack.aclose())
        loop.close()


# Private chat ------------------------------------------------------------------------------


def _message(bot: Bot, chat, user: FakeUser, **fields) -> dict:
    return bot.api._message(chat, user, **fields)


def _document_message(bot: Bot, chat, user: FakeUser, spec: dict) -> dict:
    stored = bot.api.world.store_file(spec["content"], spec["file_name"])
    doc = document_json(stored.file_id, spec["file_name"], len(spec["content"]), spec["mime_type"])
    if not spec["mime_type"]:
        del doc["mime_type"]
    return _message(bot, chat, user, document=doc, caption=spec["caption"])


def _press(bot: Bot, user: FakeUser, message: dict, data: str) -> dict:
    key = (message["chat"]["id"], message["message_id"])
    current = bot.api.world.messages.get(key, message)
    query_id = bot.api.world.new_query_id()
    bot.api.world.open_callback_queries.add(query_id)
    return callback_query_json(query_id=query_id, from_user=user, message=current, data=data)


def _membership(bot: Bot, chat, by: FakeUser, whose: FakeUser, update: dict) -> dict:
    return {
        "chat": chat.to_json(),
        "from": by.to_json(),
        "date": int(time.time()),
        "old_chat_member": chat_member_json(whose, update["old"]),
        "new_chat_member": chat_member_json(whose, update["new"]),
    }


def _addressee(text: str) -> tuple[str, str | None] | None:
    """(command, addressee) when `text` starts with a command as Telegram marks one."""
    entities = command_entities(text)
    if not entities:
        return None
    name, _, to = text[1 : entities[0]["length"]].partition("@")
    return name.lower(), to.lower() or None


def _answered_in(calls: list[Call], chat_id: int) -> bool:
    return any(
        c.method in _SENT and c.ok and str(c.params.get("chat_id")) == str(chat_id) for c in calls
    )


def _answered_query(calls: list[Call], method: str, key: str, query_id: str) -> bool:
    return any(c.method == method and str(c.params.get(key)) == query_id for c in calls)


def _private_card(bot: Bot, user: FakeUser) -> dict:
    """A message of the bot's with buttons in the user's chat, to press on."""
    if bot.private_card is None:
        calls = bot.feed(
            "message", _message(bot, bot.api.world.chat(user.id), user, text="/topics")
        )
        [sent] = [c for c in calls if c.method == "sendMessage"]
        bot.private_card = sent.result
    return bot.private_card


@FUZZ
@given(update=private_update())
def test_nothing_a_person_sends_in_private_breaks_the_bot(bot: Bot, update: dict) -> None:
    user = _user(1001, update["lang"])
    bot.api.world.users[user.id] = user
    chat = bot.api.world.add_chat(private_chat(user))
    kind = update["kind"]
    if kind == "press":
        press = _press(bot, user, _private_card(bot, user), update["data"])
        calls = bot.feed("callback_query", press)
        bot.assert_calm(update)
        assert _answered_query(calls, "answerCallbackQuery", "callback_query_id", press["id"])
        return
    if kind == "document":
        sender = _user(OPERATOR, update["lang"]) if update["document"]["operator"] else user
        bot.api.world.users[sender.id] = sender
        message = _document_message(bot, chat, sender, update["document"])
        bot.feed("message", message)
        bot.assert_calm(update)
        return
    if kind == "blocks":
        bot.feed("my_chat_member", _membership(bot, chat, user, bot.api.bot, update))
        bot.assert_calm(update)
        return
    message = _message(bot, chat, user, text=update["text"])
    if kind == "edited":
        message["edit_date"] = message["date"]
        bot.feed("edited_message", message)
        bot.assert_calm(update)
        return
    if kind == "via_bot":
        message["via_bot"] = bot.api.bot.to_json()
    calls = bot.feed("message", message)
    bot.assert_calm(update)
    command = _addressee(update["text"])
    deserves = kind == "text" and (command is None or command[1] in (None, BOT))
    assert _answered_in(calls, user.id) == deserves, f"{update!r}: answered={not deserves}"


# A group ---------------------------------------------------------------------------------


def _bot_message_in(bot: Bot, chat_id: int, *, buttons: bool) -> dict:
    """A message the bot sent to the group, as Telegram holds it, to reply to or press on."""
    keyboard = None
    if buttons:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("RAG", callback_data="topic:toggle:rag")]]
        )
    sent = bot.run(bot.app.bot.send_message(chat_id, "Topics", reply_markup=keyboard))
    return bot.api.world.messages[(chat_id, sent.message_id)]


def _thread(extra: dict) -> dict:
    """The fields of a message in a forum topic, when the group is a forum."""
    return {"message_thread_id": 7, "is_topic_message": True} if "thread_id" in extra else {}


def _group_deserves(update: dict) -> bool:
    if update["kind"] in ("mention", "reply"):
        return True
    command = _addressee(update["text"])
    if command is None:
        return False  # chatter among the members
    name, to = command
    return to == BOT or (to is None and name in COMMANDS)


@FUZZ
@given(update=group_update())
def test_in_a_group_the_bot_answers_only_when_addressed_and_never_breaks(
    bot: Bot, update: dict
) -> None:
    chat_id = next(bot.groups)
    forum = update["forum"]
    room = supergroup(chat_id - 1_000_000_000_000, forum=True) if forum else group(chat_id)
    bot.api.world.add_chat(room)
    member = _user(2001, update["lang"])
    bot.api.world.users[member.id] = member
    if update["who"] == "admin":
        bot.api.set_admins(room.id, [member.id])
    sender, extra = member, {}
    if update["who"] == "anonymous":
        sender, extra = ANONYMOUS_ADMIN, {"sender_chat": room}
    if forum:
        extra["thread_id"] = 7
    kind = update["kind"]
    if kind in ("member", "bot_member"):
        whose = member if kind == "member" else bot.api.bot
        kind_of_update = "chat_member" if kind == "member" else "my_chat_member"
        bot.feed(kind_of_update, _membership(bot, room, member, whose, update))
        bot.assert_calm(update)
        return
    if kind == "press":
        message = _bot_message_in(bot, room.id, buttons=True)
        press = _press(bot, member, message, update["data"])
        calls = bot.feed("callback_query", press)
        bot.assert_calm(update)
        assert _answered_query(calls, "answerCallbackQuery", "callback_query_id", press["id"])
        return
    if kind == "document":
        document = _document_message(bot, room, sender, update["document"])
        bot.feed("message", {**document, **_thread(extra)})
        bot.assert_calm(update)
        return
    text = update["text"]
    if kind == "mention":
        text = f"@{BOT} {text}".rstrip()
    message = _message(bot, room, sender, text=text, **extra)
    if kind == "mention":
        message["entities"] = [{"type": "mention", "offset": 0, "length": len(BOT) + 1}]
    if kind == "reply":
        message["reply_to_message"] = _bot_message_in(bot, room.id, buttons=False)
    calls = bot.feed("message", message)
    bot.assert_calm(update)
    deserves = _group_deserves(update)
    assert _answered_in(calls, room.id) == deserves, f"{update!r}: answered={not deserves}"


# Inline mode -----------------------------------------------------------------------------


def _shared_card(bot: Bot, user: FakeUser) -> str:
    """The inline_message_id of a card someone shared through inline mode."""
    if bot.inline_card is None:
        query = _inline_query(bot, user, "2406.15877", "")
        [answer] = [c for c in bot.feed("inline_query", query) if c.method == "answerInlineQuery"]
        bot.inline_card = bot.api.user_shares_inline_result(user, answer.params, "2406.15877")
    return bot.inline_card


def _inline_query(bot: Bot, user: FakeUser, text: str, offset: str) -> dict:
    query_id = bot.api.world.new_query_id()
    bot.api.world.open_inline_queries.add(query_id)
    return inline_query_json(query_id=query_id, from_user=user, query=text, offset=offset)


@FUZZ
@given(update=inline_update())
def test_inline_mode_answers_every_query_and_every_press(bot: Bot, update: dict) -> None:
    user = _user(3001, update["lang"])
    bot.api.world.users[user.id] = user
    if update["kind"] == "inline":
        query = _inline_query(bot, user, update["query"], update["offset"])
        calls = bot.feed("inline_query", query)
        bot.assert_calm(update)
        assert _answered_query(calls, "answerInlineQuery", "inline_query_id", query["id"])
        return
    query_id = bot.api.world.new_query_id()
    bot.api.world.open_callback_queries.add(query_id)
    press = inline_callback_query_json(
        query_id=query_id,
        from_user=user,
        inline_message_id=_shared_card(bot, user),
        data=update["data"],
    )
    calls = bot.feed("callback_query", press)
    bot.assert_calm(update)
    assert _answered_query(calls, "answerCallbackQuery", "callback_query_id", query_id)
    assert not [c for c in calls if c.method in _SENT and c.params.get("chat_id") != OPERATOR]
