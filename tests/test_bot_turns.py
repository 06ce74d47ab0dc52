"""Many readers at once: each chat answered in order, nobody waiting behind a flood, replies
that meet a 429 sent again, inline answers Telegram would refuse left unsent and quiet."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from bot.handlers import inline
from bot.updates import BUDGET
from storage import chats, papers
from storage.db import Database
from storage.models import Paper

SLOW_DOWN_ZH = "你发得太快了"


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    """Twelve papers on retrieval."""
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        await papers.upsert(
            db, [Paper(f"2406.{i:05d}", 1, f"Retrieval for answering, part {i}") for i in range(12)]
        )
    return path


def texts_to(api, chat_id: int) -> list[str]:
    return [message["text"] for message in api.sent_to(chat_id)]


def errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_one_chats_commands_are_answered_in_the_order_they_were_sent(app, api):
    api.latency = 0.05  # each answer takes a round trip, as with Telegram
    ada = api.user(1001)
    commands = ["/lang zh", "/search retrieval", "/lang en", "/search retrieval"] * 2
    for command in commands:
        api.user_says(ada, command)
    await api.wait_for("sendMessage", count=len(commands), chat_id=ada.id, timeout=15)
    replies = texts_to(api, ada.id)
    expected = ["中文", "找到 12 篇论文", "English", "12 papers found"] * 2
    assert len(replies) == len(expected)
    for reply, part in zip(replies, expected, strict=True):
        assert part in reply


async def test_twenty_readers_asking_at_once_are_answered_together(app, api):
    api.latency = 0.3
    readers = [api.user(2000 + i) for i in range(20)]
    started = time.monotonic()
    for reader in readers:
        api.user_says(reader, "/search retrieval")
    await api.wait_for("sendMessage", count=20, timeout=30)
    # One after another, twenty round trips of 0.3 s would take at least 6 s
    assert time.monotonic() - started < 3.0
    assert all("12 papers found" in texts_to(api, r.id)[0] for r in readers)


async def test_a_reader_flooding_the_bot_does_not_hold_up_another(app, api):
    api.latency = 0.05
    flooder, bo = api.user(3001), api.user(3002)
    for _ in range(60):
        api.user_says(flooder, "/search retrieval")
    api.user_says(bo, "/search retrieval")
    [answer] = await api.wait_for("sendMessage", chat_id=bo.id, timeout=10)
    await api.wait_for("sendMessage", count=BUDGET, chat_id=flooder.id, timeout=30)
    to_flooder = api.calls("sendMessage", chat_id=flooder.id)
    assert answer.at < max(call.at for call in to_flooder)
    assert "12 papers found" in answer.result["text"]


async def test_a_flooding_reader_is_asked_once_to_slow_down_in_their_language(app, api):
    api.latency = 0.02
    ming = api.user(4001, "Ming", language_code="zh-hans")
    for _ in range(3 * BUDGET):
        api.user_says(ming, "/search retrieval")
    await api.wait_for("sendMessage", count=BUDGET + 1, chat_id=ming.id, timeout=30)
    await asyncio.sleep(0.5)  # anything more would have come by now
    replies = texts_to(api, ming.id)
    assert sum(SLOW_DOWN_ZH in text for text in replies) == 1
    assert sum("找到 12 篇论文" in text for text in replies) == BUDGET
    # Once the flood has drained, Ming is answered as before
    mark = api.mark()
    api.user_says(ming, "/search retrieval")
    [later] = await api.wait_for("sendMessage", chat_id=ming.id, since=mark)
    assert "找到 12 篇论文" in later.result["text"]


async def test_a_reply_refused_with_429_is_sent_again_after_retry_after(app, api, caplog):
    ada = api.user(5001)
    api.throttle(ada.id, retry_after=1)
    with caplog.at_level(logging.INFO):
        api.user_says(ada, "/search retrieval")
        refused, sent = await api.wait_for("sendMessage", count=2, chat_id=ada.id, timeout=10)
    assert (refused.ok, sent.ok) == (False, True)
    assert sent.at - refused.at >= 1.0
    assert ["12 papers found" in text for text in texts_to(api, ada.id)] == [True]
    assert errors(caplog) == []


async def test_an_inline_query_past_telegrams_window_is_not_answered_nor_an_error(
    app, api, caplog, monkeypatch
):
    monkeypatch.setattr(inline, "ANSWER_WINDOW", 0.0)  # as if it had waited 10 s in line
    ada = api.user(6001)
    with caplog.at_level(logging.DEBUG, logger="bot.handlers.inline"):
        api.user_queries_inline(ada, "retrieval")
        for _ in range(100):
            if any("dropped" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    assert any("dropped" in r.getMessage() for r in caplog.records)
    assert api.calls("answerInlineQuery") == []
    assert errors(caplog) == []


async def test_telegram_refusing_a_too_old_inline_query_is_not_an_error(app, api, caplog):
    ada = api.user(7001)
    api.fail_next(
        "answerInlineQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    with caplog.at_level(logging.DEBUG):
        mark = api.mark()
        api.user_queries_inline(ada, "retrieval")
        await api.wait_for("answerInlineQuery", since=mark)
        # The same user's next query is handled after the first has been dealt with
        api.user_queries_inline(ada, "retrieval")
        refused, answered = await api.wait_for("answerInlineQuery", count=2, since=mark)
    assert (refused.ok, answered.ok) == (False, True)
    assert errors(caplog) == []
    assert any("too late" in r.getMessage() for r in caplog.records)


async def test_a_known_chat_is_read_while_another_update_holds_the_write_lock(db):
    await chats.ensure(db, 8001, "private", None, default_timezone="UTC")
    async with db.transaction():  # a long write, as a big import makes
        read = asyncio.create_task(chats.ensure(db, 8001, "private", None, default_timezone="UTC"))
        chat = await asyncio.wait_for(read, timeout=2)
    assert chat.id == 8001


async def test_a_reader_pressing_a_button_in_a_frenzy_is_told_once_in_an_alert(app, api):
    api.latency = 0.02
    ada = api.user(9001)
    api.user_says(ada, "/search retrieval")
    [page] = await api.wait_for("sendMessage", chat_id=ada.id)
    forward = page.result["reply_markup"]["inline_keyboard"][-1][-1]["callback_data"]
    mark = api.mark()
    for _ in range(3 * BUDGET):
        api.user_presses(ada, page.result, forward)
    await api.wait_for("answerCallbackQuery", count=BUDGET + 1, since=mark, timeout=30)
    await asyncio.sleep(0.5)
    alerts = [
        call.params for call in api.calls("answerCallbackQuery", since=mark)
        if call.params.get("show_alert")
    ]  # fmt: skip
    assert len(alerts) == 1
    assert alerts[0]["text"].startswith("You are sending requests faster than I can answer")
