"""A pushed digest as a group and a private chat read it: ◀ ▶ under its last message as under
/digest's, in the chat's language, and a group's footer that leaves subscriptions to admins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import build_application
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser, group
from tests.fakes.conversation import press
from tests.running import running

# The fortnight of 17–30 June 2024 closes on Monday 1 July; 09:00 in Shanghai is 01:00 UTC.
JUNE_3 = datetime(2024, 6, 4, 8, tzinfo=UTC)
JUNE_17 = datetime(2024, 6, 17, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)
ROOM = group(-5001, "读书会")
ADA = FakeUser(5101, "Ada", language_code="en")


@pytest.fixture
async def rt(push_rt):
    await world.add_paper(push_rt, "2406.00001", JUNE_17, {"rag": 1.0}, title="Retrieval now")
    await world.add_paper(push_rt, "2406.00002", JUNE_3, {"rag": 1.0}, title="Retrieval before")
    return push_rt


def rows(message: dict) -> list[list[dict]]:
    return (message.get("reply_markup") or {"inline_keyboard": []})["inline_keyboard"]


def walk_labels(message: dict) -> list[str]:
    return [b["text"] for row in rows(message) for b in row if b["callback_data"][:7] == "digest:"]


async def test_a_groups_pushed_digest_walks_like_digest_and_leaves_topics_to_its_admins(rt, api):
    await world.subscribe(rt, ROOM.id, ["rag"], chat_type="group", language="zh")
    await world.subscribe(rt, 5002, ["rag"], language="en")
    report = await world.run_pass(rt, DUE)
    assert report.sent == 2
    [pushed] = api.messages_in(ROOM.id)
    assert "/unsubscribe" not in pushed["text"]
    assert pushed["text"].rstrip().endswith("本群的主题由管理员用 /topics 选择。")
    assert walk_labels(pushed) == ["◀ 2024年6月3日至16日", "2024年7月1日至14日 ▶"]
    assert rows(pushed)[0][0]["callback_data"] == "card:open:2406.00001"  # papers above ◀ ▶
    [private] = api.messages_in(5002)
    assert private["text"].rstrip().endswith("/unsubscribe.")
    assert walk_labels(private)[0].startswith("◀ Jun")

    # An English-speaking member walks back from the push: the group reads Chinese.
    api.add_chat(ROOM)
    api.user(ADA.id, ADA.first_name, language_code="en")
    settings = world.settings(rt.settings.db_path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: DUE)):
        back = next(b for row in rows(pushed) for b in row if b["text"].startswith("◀"))
        before = await press(api, ADA, pushed, back["callback_data"], "sendMessage")
    assert "Retrieval before" in before.result["text"]
    assert "2024年6月3日至16日" in before.result["text"]
    assert "本群的主题由管理员用 /topics 选择。" in before.result["text"]


async def test_the_only_issue_there_is_has_no_arrow_back(push_rt, api):
    await world.add_paper(push_rt, "2406.00003", JUNE_17, {"agents": 1.0})
    await world.subscribe(push_rt, 5003, ["agents"], language="en")
    await world.run_pass(push_rt, DUE)
    [pushed] = api.messages_in(5003)
    assert [label[-1] for label in walk_labels(pushed)] == ["▶"]
