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
import logging
import os
from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest
from hypothesis import HealthCheck, given, settings
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ContextTypes

from tests import fuzz_harness as harness
from tests.fakes.bot_api_updates import (
    ANONYMOUS_ADMIN,
    FakeUser,
    group,
    inline_callback_query_json,
    inline_query_json,
    private_chat,
    supergroup,
)
from tests.fuzz_updates import BOT, COMMANDS, group_update, inline_update, private_update

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


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.Bot]:
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    api, app = loop.run_until_complete(harness.start(tmp_path_factory.mktemp("fuzz"), stack))
    running = harness.Bot(loop, api, app)

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


def _private_card(bot: harness.Bot, user: FakeUser) -> dict:
    """A message of the bot's with buttons in the user's chat, to press on."""
    if bot.private_card is None:
        calls = bot.feed(
            "message", harness.message(bot, bot.api.world.chat(user.id), user, text="/topics")
        )
        [sent] = [c for c in calls if c.method == "sendMessage"]
        bot.private_card = sent.result
    return bot.private_card


@FUZZ
@given(update=private_update())
def test_nothing_a_person_sends_in_private_breaks_the_bot(bot: harness.Bot, update: dict) -> None:
    user = harness.user(1001, update["lang"])
    bot.api.world.users[user.id] = user
    chat = bot.api.world.add_chat(private_chat(user))
    kind = update["kind"]
    if kind == "press":
        press = harness.press(bot, user, _private_card(bot, user), update["data"])
        calls = bot.feed("callback_query", press)
        bot.assert_calm(update)
        assert harness.answered_press(calls, press["id"])
        return
    if kind == "document":
        # An operator imports in their own chat: the note once arXiv answered lands there,
        # later, and must not pass for an answer to someone else's next message.
        sender = user
        if update["document"]["operator"]:
            sender = harness.user(harness.OPERATOR, update["lang"])
            chat = bot.api.world.add_chat(private_chat(sender))
        bot.api.world.users[sender.id] = sender
        message = harness.document_message(bot, chat, sender, update["document"])
        bot.feed("message", message)
        bot.assert_calm(update)
        return
    if kind == "blocks":
        bot.feed("my_chat_member", harness.membership(bot, chat, user, bot.api.bot, update))
        bot.assert_calm(update)
        return
    message = harness.message(bot, chat, user, text=update["text"])
    if kind == "edited":
        message["edit_date"] = message["date"]
        bot.feed("edited_message", message)
        bot.assert_calm(update)
        return
    if kind == "via_bot":
        message["via_bot"] = bot.api.bot.to_json()
    calls = bot.feed("message", message)
    bot.assert_calm(update)
    command = harness.addressee(update["text"])
    deserves = kind == "text" and (command is None or command[1] in (None, BOT))
    assert harness.answered_in(calls, user.id) == deserves, f"{update!r}: answered={not deserves}"


# A group ---------------------------------------------------------------------------------


def _bot_message_in(bot: harness.Bot, chat_id: int, *, buttons: bool) -> dict:
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
    command = harness.addressee(update["text"])
    if command is None:
        return False  # chatter among the members
    name, to = command
    return to == BOT or (to is None and name in COMMANDS)


@FUZZ
@given(update=group_update())
def test_in_a_group_the_bot_answers_only_when_addressed_and_never_breaks(
    bot: harness.Bot, update: dict
) -> None:
    chat_id = next(bot.groups)
    forum = update["forum"]
    room = supergroup(chat_id - 1_000_000_000_000, forum=True) if forum else group(chat_id)
    bot.api.world.add_chat(room)
    member = harness.user(2001, update["lang"])
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
        bot.feed(kind_of_update, harness.membership(bot, room, member, whose, update))
        bot.assert_calm(update)
        return
    if kind == "press":
        message = _bot_message_in(bot, room.id, buttons=True)
        press = harness.press(bot, member, message, update["data"])
        calls = bot.feed("callback_query", press)
        bot.assert_calm(update)
        assert harness.answered_press(calls, press["id"])
        return
    if kind == "document":
        document = harness.document_message(bot, room, sender, update["document"])
        bot.feed("message", {**document, **_thread(extra)})
        bot.assert_calm(update)
        return
    text = update["text"]
    if kind == "mention":
        text = f"@{BOT} {text}".rstrip()
    message = harness.message(bot, room, sender, text=text, **extra)
    if kind == "mention":
        message["entities"] = [{"type": "mention", "offset": 0, "length": len(BOT) + 1}]
    if kind == "reply":
        message["reply_to_message"] = _bot_message_in(bot, room.id, buttons=False)
    calls = bot.feed("message", message)
    bot.assert_calm(update)
    deserves = _group_deserves(update)
    assert harness.answered_in(calls, room.id) == deserves, f"{update!r}: answered={not deserves}"


# Inline mode -----------------------------------------------------------------------------


def _shared_card(bot: harness.Bot, user: FakeUser) -> str:
    """The inline_message_id of a card someone shared through inline mode."""
    if bot.inline_card is None:
        query = _inline_query(bot, user, "2406.15877", "")
        [answer] = [c for c in bot.feed("inline_query", query) if c.method == "answerInlineQuery"]
        bot.inline_card = bot.api.user_shares_inline_result(user, answer.params, "2406.15877")
    return bot.inline_card


def _inline_query(bot: harness.Bot, user: FakeUser, text: str, offset: str) -> dict:
    query_id = bot.api.world.new_query_id()
    bot.api.world.open_inline_queries.add(query_id)
    return inline_query_json(query_id=query_id, from_user=user, query=text, offset=offset)


@FUZZ
@given(update=inline_update())
def test_inline_mode_answers_every_query_and_every_press(bot: harness.Bot, update: dict) -> None:
    user = harness.user(3001, update["lang"])
    bot.api.world.users[user.id] = user
    if update["kind"] == "inline":
        query = _inline_query(bot, user, update["query"], update["offset"])
        calls = bot.feed("inline_query", query)
        bot.assert_calm(update)
        assert harness.answered_inline(calls, query["id"])
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
    assert harness.answered_press(calls, query_id)
    assert not [
        c for c in calls if c.method in harness.SENT and c.params.get("chat_id") != harness.OPERATOR
    ]
