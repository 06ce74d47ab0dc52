"""Scheduled pushes, one delivery pass at a time as of a chosen moment, against the fake
Bot API: on time, once, in the chat's language, within Telegram's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from bot.digest.compose import section_cap
from storage import chats, deliveries
from tests import cldr
from tests import digest_world as world

# The fortnight of 17–30 June 2024 closes on Monday 1 July; 09:00 in Shanghai is 01:00 UTC.
JUNE_17 = datetime(2024, 6, 17, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)


@pytest.fixture
def rt(push_rt):
    return push_rt


async def test_a_chat_gets_its_digest_once_when_the_fortnight_closes(rt, api):
    await world.add_paper(rt, "2406.00001", JUNE_17, {"rag": 1.0}, title="Retrieval at scale")
    await world.subscribe(rt, 101, ["rag"])

    early = await world.run_pass(rt, DUE - timedelta(minutes=1))
    assert (early.planned, early.sent) == (0, 0)
    on_time = await world.run_pass(rt, DUE)
    assert (on_time.due, on_time.sent, on_time.failed) == (1, 1, 0)
    [text] = [m["text"] for m in api.messages_in(101)]
    assert cldr.en_period(date(2024, 6, 17), date(2024, 6, 30)) in text
    assert "Retrieval at scale" in text
    again = await world.run_pass(rt, DUE + timedelta(hours=5))
    assert (again.planned, again.sent) == (0, 0)
    assert len(api.messages_in(101)) == 1


async def test_a_chinese_chat_reads_its_digest_in_chinese(rt, api):
    await world.add_paper(
        rt, "2406.00002", JUNE_17, {"rag": 1.0}, summaries_by_lang={"zh": "检索增强生成的新方法。"}
    )
    await world.subscribe(rt, 102, ["rag"], language="zh")
    await world.run_pass(rt, DUE)
    [text] = [m["text"] for m in api.messages_in(102)]
    assert "2024年6月17日至30日" in text
    assert "检索增强生成的新方法。" in text


async def test_a_period_with_nothing_for_the_chat_sends_nothing(rt, api):
    await world.add_paper(rt, "2406.00003", JUNE_17, {"agents": 1.0})
    await world.subscribe(rt, 103, ["rag"])
    report = await world.run_pass(rt, DUE)
    assert (report.sent, api.messages_in(103)) == (0, [])
    assert [row["state"] for row in await deliveries.of_chat(rt.db, 103)] == ["empty"]


async def test_a_blocked_chat_is_paused_and_the_others_still_get_theirs(rt, api):
    await world.add_paper(rt, "2406.00004", JUNE_17, {"rag": 1.0})
    for chat_id in (104, 105, 106):
        await world.subscribe(rt, chat_id, ["rag"])
    api.block(105)
    report = await world.run_pass(rt, DUE)
    assert (report.sent, report.paused_chats) == (2, 1)
    assert (await chats.get(rt.db, 105)).active is False
    assert len(api.messages_in(104)) == len(api.messages_in(106)) == 1


async def test_a_chat_throttled_with_429s_gets_its_digest_once_after_waiting(rt, api):
    await world.add_paper(rt, "2406.00005", JUNE_17, {"rag": 1.0})
    await world.subscribe(rt, 107, ["rag"])
    api.throttle(107, retry_after=1, times=2)
    report = await world.run_pass(rt, DUE)
    assert (report.sent, report.retry_after_hits, report.deferred) == (1, 2, 0)
    assert len(api.messages_in(107)) == 1


async def test_a_group_that_became_a_supergroup_gets_its_digest_there(rt, api):
    await world.add_paper(rt, "2406.00006", JUNE_17, {"rag": 1.0})
    await world.subscribe(rt, -108, ["rag"], chat_type="group")
    api.migrate(-108, -1000000000108)
    report = await world.run_pass(rt, DUE)
    assert report.sent == 1
    assert len(api.messages_in(-1000000000108)) == 1
    assert await chats.get(rt.db, -108) is None
    moved = await chats.get(rt.db, -1000000000108)
    assert moved.type == "supergroup"
    assert [r["state"] for r in await deliveries.of_chat(rt.db, -1000000000108)] == ["sent"]


async def test_a_refused_message_fails_alone_and_the_broadcast_goes_on(rt, api):
    await world.add_paper(rt, "2406.00007", JUNE_17, {"rag": 1.0})
    for chat_id in (109, 110):
        await world.subscribe(rt, chat_id, ["rag"])
    api.fail_next("sendMessage", 400, "Bad Request: not enough rights", chat_id=109)
    report = await world.run_pass(rt, DUE)
    assert (report.sent, report.failed) == (1, 1)
    assert len(api.messages_in(110)) == 1
    [row] = await deliveries.of_chat(rt.db, 109)
    assert (row["state"], row["error"]) == ("failed", "Not enough rights")


async def test_a_network_failure_is_retried_after_a_pause(rt, api):
    await world.add_paper(rt, "2406.00008", JUNE_17, {"rag": 1.0})
    await world.subscribe(rt, 111, ["rag"])
    api.fail_next("sendMessage", 502, "Bad Gateway", chat_id=111)
    report = await world.run_pass(rt, DUE)
    assert (report.sent, report.failed, report.deferred) == (1, 0, 0)
    assert len(api.messages_in(111)) == 1


async def test_a_long_digest_is_split_between_papers_and_sent_in_order(rt, api):
    summary = "A careful summary sentence about retrieval and its evaluation. " * 6
    for n in range(10):
        for slug in ("rag", "agents", "reasoning"):
            await world.add_paper(
                rt,
                f"2406.2{n:02d}{len(slug)}",
                JUNE_17,
                {slug: 1.0},
                title=f"Paper {n} on {slug} with a long title " + "that goes on " * 20,
                summaries_by_lang={"en": summary},
            )
    await world.subscribe(rt, 112, ["rag", "agents", "reasoning"])
    report = await world.run_pass(rt, DUE)
    texts = [m["text"] for m in api.messages_in(112)]
    assert report.sent == len(texts) > 1
    assert all(len(text) <= 4096 for text in texts)
    assert texts[0].startswith("📚 Papers that mattered")
    assert texts[-1].rstrip().endswith("/unsubscribe.")
    joined = "\n".join(texts)
    assert joined.count("Paper ") == 3 * section_cap(10, 3)  # a digest a reader finishes
    assert joined.index("▍Retrieval") < joined.index("▍Agents")  # configured topic order
    sends = [c for c in api.log.select(chat_id=112) if c.method == "sendMessage"]
    gaps = [b.at - a.at for a, b in pairwise(sends)]
    assert min(gaps) >= 0.95  # about one message a second in a chat


async def test_a_pushed_digest_links_each_paper_to_its_card(rt, api):
    await world.add_paper(rt, "2406.00042", JUNE_17, {"rag": 1.0})
    await world.subscribe(rt, 114, ["rag"])
    await world.run_pass(rt, DUE)
    [message] = api.messages_in(114)
    urls = [e.get("url") for e in message.get("entities", []) if e["type"] == "text_link"]
    assert "https://t.me/digest_test_bot?start=paper_2406_00042" in urls


async def test_a_forum_group_gets_its_digest_in_the_thread_it_subscribed_from(rt, api):
    await world.add_paper(rt, "2406.00009", JUNE_17, {"rag": 1.0})
    await world.subscribe(rt, -1000000000113, ["rag"], chat_type="supergroup", thread_id=7)
    await world.run_pass(rt, DUE)
    [call] = [c for c in api.log.select(chat_id=-1000000000113) if c.method == "sendMessage"]
    assert call.params["message_thread_id"] == 7


async def test_a_saved_keyword_query_gets_its_own_section(rt, api):
    await world.add_paper(rt, "2406.00010", JUNE_17, {}, title="Mixture of experts routing")
    await world.add_paper(rt, "2406.00011", JUNE_17, {}, title="Unrelated optics")
    await world.subscribe(rt, 114, [], queries=["mixture of experts"])
    await world.run_pass(rt, DUE)
    [text] = [m["text"] for m in api.messages_in(114)]
    assert "Your search “mixture of experts”" in text
    assert "Mixture of experts routing" in text
    assert "Unrelated optics" not in text


async def test_bursts_of_429_from_an_overloaded_telegram_pause_everyone_and_lose_nothing(rt, api):
    await world.add_paper(rt, "2406.00012", JUNE_17, {"rag": 1.0})
    chat_ids = list(range(120, 140))
    for chat_id in chat_ids:
        await world.subscribe(rt, chat_id, ["rag"])
    api.limit_rate(overall_per_second=8)  # far below what the bot is allowed to send
    report = await world.run_pass(rt, DUE)
    assert report.retry_after_hits > 0
    assert (report.sent, report.failed, report.deferred) == (20, 0, 0)
    assert all(len(api.messages_in(chat_id)) == 1 for chat_id in chat_ids)


async def test_a_slow_chat_does_not_hold_up_the_others(rt, api):
    await world.add_paper(rt, "2406.00013", JUNE_17, {"rag": 1.0})
    for chat_id in range(141, 152):
        await world.subscribe(rt, chat_id, ["rag"])
    api.faults.slow_chats[141] = 3.0  # Telegram takes three seconds to answer for this chat
    report = await world.run_pass(rt, DUE)
    assert report.sent == 11
    sends = {c.chat_id: c.at for c in api.log.select("sendMessage")}
    others = [at for chat_id, at in sends.items() if chat_id != 141]
    assert max(others) - min(others) < 1.0
    assert sends[141] - max(others) > 1.5  # answered long after every other chat was served
