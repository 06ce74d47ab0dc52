"""The bot's place in chats: kicked pauses, added back resumes, an upgraded group moves."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage import chats, subscriptions
from storage.db import Database
from tests.fakes.bot_api_updates import group


async def chat_row(seeded: Path, chat_id: int, *, wait_for=lambda chat: chat is not None):
    """The chat as the bot stored it, once `wait_for` holds (updates are handled async)."""
    for _ in range(100):
        async with await Database.open(seeded) as db:
            chat = await chats.get(db, chat_id)
            subs = await subscriptions.for_chat(db, chat_id)
        if wait_for(chat):
            return chat, {s.topic_slug for s in subs}
        await asyncio.sleep(0.05)
    raise AssertionError(f"chat {chat_id} never reached the expected state: {chat}")


async def test_a_group_that_removes_the_bot_is_paused_and_resumed_when_added_back(app, api, seeded):
    reading = api.add_chat(group(-4001))
    api.bot_membership_changes(reading, "kicked")
    chat, _ = await chat_row(seeded, reading.id, wait_for=lambda c: c is not None and not c.active)
    assert chat.paused_reason
    api.bot_membership_changes(reading, "member", old="kicked")
    chat, _ = await chat_row(seeded, reading.id, wait_for=lambda c: c is not None and c.active)
    assert chat.paused_reason is None


async def test_a_user_who_blocks_the_bot_pauses_their_private_chat(app, api, seeded):
    ada = api.user(1001)
    api.bot_membership_changes(api.world.chats[ada.id], "kicked")
    chat, _ = await chat_row(seeded, ada.id, wait_for=lambda c: c is not None and not c.active)
    assert chat.paused_reason == "blocked"


async def test_a_group_upgraded_to_a_supergroup_keeps_its_subscriptions(app, api, seeded):
    reading = api.add_chat(group(-4001))
    ada = api.user(1001)
    api.set_admins(reading.id, [ada.id])
    mark = api.mark()
    api.user_says(ada, "/subscribe rag agents", chat=reading)
    await api.wait_for("sendMessage", since=mark)
    api.group_migrates(reading, -1004001)
    chat, slugs = await chat_row(seeded, -1004001)
    assert (chat.type, slugs) == ("supergroup", {"rag", "agents"})
    old, _ = await chat_row(seeded, reading.id, wait_for=lambda c: c is None)
    assert old is None
