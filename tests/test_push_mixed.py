"""Pushes to a realistic mix of chats at once: private chats and groups, both languages,
topics and saved keyword queries side by side; one chat's broken plan costs only that chat."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests import digest_world as world

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
    assert (report["sent"], report["failed"]) == (4, 0)

    ada = digest_of(api, ADA)
    assert "Retrieval at scale" in ada
    assert "Agents that plan" in ada
    assert "Your search “long context”" in ada
    assert "Long context without the cost" in ada
    lin = digest_of(api, LIN)
    assert "检索有帮助。" in lin
    assert "你的关键词“mixture of experts”" in lin
    assert "Mixture of experts routing" in lin
    lab = digest_of(api, LAB)
    assert "检索有帮助。" in lab
    assert "Mixture of experts" not in lab
    group = digest_of(api, READING_GROUP)
    assert "Long context without the cost" in group
    assert "Retrieval at scale" not in group
