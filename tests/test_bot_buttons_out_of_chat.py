"""Buttons pressed where there is no chat of ours: on a card shared inline (forged or old data),
or on a message Telegram no longer hands over. Each press gets a short translated answer and
nothing reaches the error handler; an error in such a press never writes to a chat."""

from __future__ import annotations

import logging

import pytest
from telegram.ext import CallbackQueryHandler

from storage import search_sessions
from storage.db import Database

DATA = ["topic:toggle:rag", "lang:set:zh", "search:AAAAAAAAAAAA:2", "card:open:2406.99999", "junk"]


def trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "This button has expired."), ("zh", "这个按钮已失效。")]
)
async def test_a_button_on_a_card_shared_inline_gets_a_polite_answer(
    app, api, caplog, data, lang, expected
):
    ada = api.user(1001, language_code=lang)
    mark = api.mark()
    with caplog.at_level(logging.WARNING):
        api.user_presses_inline(ada, "AQAAAinline0000001001", data)
        [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert answer.ok
    assert answer.params["text"] == expected
    assert api.calls("sendMessage", since=mark) == []
    assert trouble(caplog) == []


async def test_a_search_token_of_a_real_chat_pressed_inline_reveals_nothing(
    app, api, seeded, caplog
):
    ada = api.user(1001)
    async with await Database.open(seeded) as db:
        token = await search_sessions.save(db, ada.id, "retrieval", "en")
    mark = api.mark()
    with caplog.at_level(logging.WARNING):
        api.user_presses_inline(ada, "AQAAAinline0000001001", f"search:{token}:2")
        [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert answer.params["text"] == "This button has expired."
    assert api.calls("editMessageText", since=mark) == []
    assert trouble(caplog) == []


def inaccessible(chat_id: int) -> dict:
    """A message Telegram no longer gives: only its chat, its id and date 0."""
    return {
        "chat": {"id": chat_id, "type": "private", "first_name": "Ada"},
        "message_id": 1,
        "date": 0,
    }


@pytest.mark.parametrize("data", ["topic:toggle:rag", "lang:set:zh", "card:open:2406.15877"])
async def test_a_button_on_a_message_too_old_to_reach_gets_an_answer(app, api, caplog, data):
    ada = api.user(1001)
    mark = api.mark()
    with caplog.at_level(logging.WARNING):
        api.user_presses(ada, inaccessible(ada.id), data)
        [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert answer.ok
    assert trouble(caplog) == []


async def test_a_failing_button_pressed_inline_is_apologised_for_in_its_answer(app, api, caplog):
    async def broken(update, context) -> None:
        raise RuntimeError("the database went away")

    app.add_handler(CallbackQueryHandler(broken, pattern="^broken"), group=-1)
    ada = api.user(1001, language_code="zh")
    mark = api.mark()
    with caplog.at_level(logging.ERROR, logger="bot.app"):
        api.user_presses_inline(ada, "AQAAAinline0000001001", "broken")
        [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert "抱歉" in answer.params["text"]
    assert [c.params["chat_id"] for c in api.calls("sendMessage", since=mark)] in ([], [4242])
    assert any("failed" in r.getMessage() for r in caplog.records)
