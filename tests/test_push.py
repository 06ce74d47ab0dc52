"""Scheduled pushes, one delivery pass at a time as of a chosen moment, against the fake
Bot API: on time, once, in the chat's language, within Telegram's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.push import push_bot, push_pass
from storage import chats, deliveries
from tests import digest_world as world

# The fortnight of 17–30 June 2024 closes on Monday 1 July; 09:00 in Shanghai is 01:00 UTC.
JUNE_17 = datetime(2024, 6, 17, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)


@pytest.fixture
async def rt(tmp_path, api):
    api.world.any_chat = True  # the chats met the bot before these tests begin
    runtime = await world.runtime(tmp_path / "push.sqlite3", api)
    try:
        yield runtime
    finally:
        await runtime.close()


async def run_pass(rt, now):
    bot = push_bot(rt.settings)
    async with bot:
        return await push_pass(rt, bot, now)


async def test_a_chat_gets_its_digest_once_when_the_fortnight_closes(rt, api):
    await world.add_paper(rt, "2406.00001", JUNE_17, {"rag": 1.0}, title="Retrieval at scale")
    await world.subscribe(rt, 101, ["rag"])

    early = await run_pass(rt, DUE - timedelta(minutes=1))
    assert (early.planned, early.sent) == (0, 0)
    on_time = await run_pass(rt, DUE)
    assert (on_time.due, on_time.sent, on_time.failed) == (1, 1, 0)
    [text] = [m["text"] for m in api.messages_in(101)]
    assert "Jun 17\u2009–\u200930, 2024" in text  # CLDR sets the dash between thin spaces
    assert "Retrieval at scale" in text
    again = await run_pass(rt, DUE + timedelta(hours=5))
    assert (again.planned, again.sent) == (0, 0)
    assert len(api.messages_in(101)) == 1


async def test_a_chinese_chat_reads_its_digest_in_chinese(rt, api):
    await world.add_paper(
        rt, "2406.00002", JUNE_17, {"rag": 1.0}, summaries_by_lang={"zh": "检索增强生成的新方法。"}
    )
    await world.subscribe(rt, 102, ["rag"], language="zh")
    await run_pass(rt, DUE)
    [text] = [m["text"] for m in api.messages_in(102)]
    assert "2024年6月17日至30日" in text
    assert "检索增强生成的新方法。" in text


async def test_a_period_with_nothing_for_the_chat_sends_nothing(rt, api):
    await world.add_paper(rt, "2406.00003", JUNE_17, {"agents": 1.0})
    await world.subscribe(rt, 103, ["rag"])
    report = await run_pass(rt, DUE)
    assert (report.sent, api.messages_in(103)) == (0, [])
    assert [row["state"] for row in await deliveries.of_chat(rt.db, 103)] == ["empty"]


async def test_a_blocked_chat_is_paused_and_the_others_still_get_theirs(rt, api):
    await world.add_paper(rt, "2406.00004", JUNE_17, {"rag": 1.0})
    for chat_id in (104, 105, 106):
        await world.subscribe(rt, chat_id, ["rag"])
    api.block(105)
    report = await run_pass(rt, DUE)
    assert (report.sent, report.paused_chats) == (2, 1)
    assert (await chats.get(rt.db, 105)).active is False
    assert len(api.messages_in(104)) == len(api.messages_in(106)) == 1
