"""/settings changes one delivery setting at a time, validated; /stats is for operators only."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import chats
from storage.db import Database
from tests.fakes.bot_api_updates import group
from tests.fakes.conversation import reply_to


async def say(api, user, text, **where) -> str:
    return (await reply_to(api, user, text, **where))["text"]


async def stored_chat(seeded: Path, chat_id: int):
    async with await Database.open(seeded) as db:
        return await chats.get(db, chat_id)


async def test_settings_show_the_defaults_and_change_one_value_at_a_time(app, api, seeded):
    ada = api.user(1001)
    shown = await say(api, ada, "/settings")
    assert "Timezone: Asia/Shanghai" in shown
    assert "Monday, 09:00" in shown
    assert "Europe/Berlin" in await say(api, ada, "/settings timezone Europe/Berlin")
    await say(api, ada, "/settings weekday fri")
    await say(api, ada, "/settings hour 7")
    await say(api, ada, "/settings empty line")
    chat = await stored_chat(seeded, ada.id)
    assert (chat.timezone, chat.delivery_weekday, chat.delivery_hour, chat.empty_topics) == (
        "Europe/Berlin", 4, 7, "line",
    )  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        "/settings timezone Mars/Olympus",
        "/settings weekday someday",
        "/settings hour 24",
        "/settings hour -1",
        "/settings empty maybe",
        "/settings colour blue",
        "/settings timezone <b>" + "x" * 5000,
    ],
)
async def test_an_invalid_setting_is_refused_clearly_and_changes_nothing(app, api, seeded, command):
    ada = api.user(1001)
    await say(api, ada, "/settings")
    before = await stored_chat(seeded, ada.id)
    reply = await say(api, ada, command)
    assert "Nothing was changed" in reply or "Usage: /settings" in reply
    after = await stored_chat(seeded, ada.id)
    assert (after.timezone, after.delivery_weekday, after.delivery_hour, after.empty_topics) == (
        before.timezone, before.delivery_weekday, before.delivery_hour, before.empty_topics,
    )  # fmt: skip


async def test_only_a_groups_admins_change_its_settings(app, api, seeded):
    reading = api.add_chat(group(-4001))
    ada, bo = api.user(1001), api.user(1002)
    api.set_admins(reading.id, [ada.id])
    assert "Only the group's admins" in await say(api, bo, "/settings hour 7", chat=reading)
    await say(api, ada, "/settings hour 7", chat=reading)
    assert (await stored_chat(seeded, reading.id)).delivery_hour == 7


async def test_stats_are_for_operators_only(app, api):
    stranger, operator = api.user(1001), api.user(4242)  # DIGESTBOT_ADMINS=4242 in conftest
    assert "for the bot's operators only" in await say(api, stranger, "/stats")
    report = await say(api, operator, "/stats")
    assert "Papers: " in report
    assert "Chats: " in report
    assert "Next push: none: no chat is subscribed" in report
    await say(api, stranger, "/subscribe rag")
    report = await say(api, operator, "/stats")
    assert "Digest messages: 0 sent, 0 waiting, 0 failed" in report
    assert "Next push: " in report
    assert "no chat is subscribed" not in report
