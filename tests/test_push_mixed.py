"""Pushes to a realistic mix of chats at once: private chats and groups, both languages,
topics and saved keyword queries side by side; one chat's broken plan costs only that chat."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_application
from tests import digest_world as world
from tests.running import running
from tests.test_cli import run
from tests.test_scheduler import TravelClock

JUNE_17 = datetime(2024, 6, 17, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)  # Monday 09:00 in Shanghai after 17–30 June

ADA, LIN, LAB, READING_GROUP = 301, 302, -1000000000303, -304


@pytest.fixture
async def rt(push_rt):
    """Papers of the fortnight, and chats subscribed as readers do it."""
    rt = push_rt
    await world.add_paper(
        rt, "2406.40001", JUNE_17, {"rag": 1.0}, title="Retrieval at scale",
        summaries_by_lang={"en": "Retrieval helps.", "zh": "检索有帮助。"},
    )  # fmt: skip
    await world.add_paper(rt, "2406.40002", JUNE_17, {"agents": 1.0}, title="Agents that plan")
    await world.add_paper(rt, "2406.40003", JUNE_17, {}, title="Long context without the cost")
    await world.add_paper(rt, "2406.40004", JUNE_17, {}, title="Mixture of experts routing")
    # `/subscribe rag` then `/subscribe "long context"` in one private chat
    await world.subscribe(rt, ADA, ["rag", "agents"], queries=["long context"])
    await world.subscribe(rt, LIN, ["rag"], language="zh", queries=["mixture of experts"])
    await world.subscribe(rt, LAB, ["rag"], chat_type="supergroup", language="zh")
    await world.subscribe(rt, READING_GROUP, [], chat_type="group", queries=["long context"])
    return rt


def digest_of(api, chat_id: int) -> str:
    [text] = [m["text"] for m in api.messages_in(chat_id)]
    return text


async def test_chats_mixing_topics_and_saved_queries_all_get_their_digest_from_cron(rt, api):
    process = await world.push_process(rt, api, DUE)
    out, _ = await process.communicate()
    assert process.returncode == 0
    report = json.loads(out)
    assert (report["sent"], report["failed"], report["failed_chats"]) == (4, 0, 0)

    ada = digest_of(api, ADA)
    assert "Retrieval at scale" in ada
    assert "Agents that plan" in ada
    assert "Your search “long context”" in ada
    assert "Long context without the cost" in ada
    lin = digest_of(api, LIN)
    assert "2024年6月17日至30日重要论文总结" in lin
    assert "检索有帮助。" in lin
    assert "你订阅的关键词“mixture of experts”" in lin
    assert "Mixture of experts routing" in lin
    lab = digest_of(api, LAB)
    assert "检索有帮助。" in lab
    assert "Mixture of experts" not in lab
    group = digest_of(api, READING_GROUP)
    assert "Long context without the cost" in group
    assert "Retrieval at scale" not in group
    # A group's saved search is the group's, not one reader's.
    assert "This group's search “long context”" in group
    assert "🔎 matches this group's search" in group


async def break_a_paper(rt, arxiv_id: str) -> None:
    """An operator's hand edit leaves a paper's authors as plain text, not the JSON list."""
    await rt.db.conn.execute(
        "UPDATE papers SET authors = 'Ada Lovelace, Alan Turing' WHERE arxiv_id = ?", (arxiv_id,)
    )
    await rt.db.conn.commit()


async def move_to_unknown_timezone(rt, chat_id: int) -> None:
    """A database restored onto a machine whose time-zone data lacks the chat's zone."""
    await rt.db.conn.execute(
        "UPDATE chats SET timezone = 'America/Nowhere_Yet' WHERE id = ?", (chat_id,)
    )
    await rt.db.conn.commit()


async def test_a_chat_whose_digest_cannot_be_composed_is_skipped_and_the_others_are_sent(rt, api):
    await world.add_paper(rt, "2406.40005", JUNE_17, {}, title="Speculative decoding, revisited")
    await world.subscribe(rt, 305, [], queries=["speculative decoding"])
    await break_a_paper(rt, "2406.40005")  # only chat 305's digest holds it

    process = await world.push_process(rt, api, DUE)
    out, _ = await process.communicate()
    assert process.returncode == 0
    report = json.loads(out)
    assert (report["sent"], report["failed"], report["failed_chats"]) == (4, 0, 1)
    assert all(len(api.messages_in(c)) == 1 for c in (ADA, LIN, LAB, READING_GROUP))
    assert api.messages_in(305) == []

    # Repaired, the skipped chat gets its digest on the next pass; nobody gets one twice.
    await rt.db.conn.execute(
        "UPDATE papers SET authors = '[\"Ada Lovelace\"]' WHERE arxiv_id = '2406.40005'"
    )
    await rt.db.conn.commit()
    again = await world.run_pass(rt, DUE + timedelta(hours=1))
    assert (again.sent, again.failed_chats) == (1, 0)
    assert "Speculative decoding, revisited" in digest_of(api, 305)
    assert all(len(api.messages_in(c)) == 1 for c in (ADA, LIN, LAB, READING_GROUP))


async def test_a_chat_in_a_timezone_unknown_here_is_named_in_one_log_line(rt, api, caplog):
    await move_to_unknown_timezone(rt, LIN)
    with caplog.at_level(logging.INFO, logger="bot.push.plan"):
        report = await world.run_pass(rt, DUE)
    assert (report.sent, report.failed_chats) == (3, 1)
    assert report.to_json()["failed_chats"] == 1
    assert api.messages_in(LIN) == []
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    message = line.getMessage()
    assert f"chat {LIN}" in message
    assert "America/Nowhere_Yet" in message
    assert "\n" not in message
    assert line.exc_info is None  # one line: the traceback only at debug level


async def test_the_running_bots_push_job_outlives_chats_whose_plan_fails(rt, api, caplog):
    await world.add_paper(rt, "2406.40005", JUNE_17, {}, title="Speculative decoding, revisited")
    await world.subscribe(rt, 305, [], queries=["speculative decoding"])
    await break_a_paper(rt, "2406.40005")
    await move_to_unknown_timezone(rt, LIN)
    await world.add_paper(rt, "2407.40006", JUNE_17 + timedelta(days=14), {"rag": 1.0})
    settings = world.settings(rt.settings.db_path, api, DIGESTBOT_JOBS="push")
    clock = TravelClock(DUE - timedelta(seconds=1))
    with caplog.at_level(logging.ERROR, logger="bot.push.plan"):
        async with running(build_application(settings, clock=clock)) as app:
            await api.wait_for("sendMessage", count=3, timeout=10)
            await asyncio.sleep(1.5)  # a job that retried at once would spin here
            assert all(len(api.messages_in(c)) == 1 for c in (ADA, LAB, READING_GROUP))
            skipped = [r for r in caplog.records if "chat 305" in r.getMessage()]
            assert len(skipped) == 1
            # A fortnight later the job is still there and pushes again.
            clock.travel_to(DUE + timedelta(days=14) - timedelta(seconds=1))
            await app.bot_data["scheduler"].wake()
            await api.wait_for("sendMessage", count=2, since=api.mark(), timeout=10)
    assert len(api.messages_in(ADA)) == len(api.messages_in(LAB)) == 2


async def test_an_operator_reads_how_many_chats_were_skipped_and_the_log_names_each(
    rt, api, tmp_path
):
    await move_to_unknown_timezone(rt, LIN)
    env = {
        "DIGESTBOT_DB": rt.settings.db_path,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DIGESTBOT_TIMEZONE": "Asia/Shanghai",
    }
    code, out, err = await run(
        tmp_path, "push", "--now", DUE.isoformat(), **env, LANG="zh_CN.UTF-8"
    )
    assert code == 0
    assert "已发 3" in out
    assert "跳过 1 个聊天：无法安排速递推送（原因见日志）" in out
    [line] = [line for line in err.splitlines() if f"chat {LIN}" in line]
    assert "America/Nowhere_Yet" in line
    assert "Traceback" not in err
