"""The bot's two caches: admin checks follow promotions and demotions at once, search sessions
stay bounded, and a daily job prunes both."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Update

from bot.render import callbacks
from storage import chat_admins, papers, search_sessions
from storage.db import Database
from storage.models import Paper
from tests.fakes.bot_api_updates import chat_member_json, group
from tests.fakes.conversation import reply_to

ONLY_ADMINS = "Only the group's admins can change its settings."


def member_update(api, chat, user, old: str, new: str) -> dict:
    """Telegram tells the bot (an admin, who asked for chat_member updates) of a change."""
    return api.inject(
        "chat_member",
        {
            "chat": chat.to_json(),
            "from": {"id": 1, "is_bot": False, "first_name": "Owner"},
            "date": int(time.time()),
            "old_chat_member": chat_member_json(user, old),
            "new_chat_member": chat_member_json(user, new),
        },
    )


def admin_rows(path: Path, chat_id: int) -> dict[int, int]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT user_id, is_admin FROM chat_admins WHERE chat_id = ?", (chat_id,))
        return dict(rows.fetchall())
    finally:
        db.close()


async def until(condition, what: str) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def room(api):
    api.world.updates.set_allowed(list(Update.ALL_TYPES))  # as run_polling asks
    return api.add_chat(group(-700, "Reading group"))


async def test_an_admin_demoted_to_member_cannot_change_settings_a_moment_later(
    app, api, seeded, room
):
    ada = api.user(1001)
    api.set_admins(room.id, [ada.id])
    changed = await reply_to(api, ada, "/settings hour 9", chat=room)
    assert "09:00" in changed["text"]
    api.set_admins(room.id, [])
    member_update(api, room, ada, "administrator", "member")
    await until(lambda: admin_rows(seeded, room.id) == {ada.id: 0}, "the demotion is seen")
    refused = await reply_to(api, ada, "/settings hour 10", chat=room)
    assert refused["text"] == ONLY_ADMINS


async def test_a_member_promoted_to_admin_may_change_settings_at_once(app, api, seeded, room):
    bo = api.user(1002)
    refused = await reply_to(api, bo, "/settings hour 9", chat=room)
    assert refused["text"] == ONLY_ADMINS
    api.set_admins(room.id, [bo.id])
    member_update(api, room, bo, "member", "administrator")
    await until(lambda: admin_rows(seeded, room.id) == {bo.id: 1}, "the promotion is seen")
    changed = await reply_to(api, bo, "/settings hour 9", chat=room)
    assert "09:00" in changed["text"]


async def test_the_bot_removed_and_added_back_asks_about_admins_again(app, api, seeded, room):
    ada = api.user(1001)
    api.set_admins(room.id, [ada.id])
    await reply_to(api, ada, "/settings hour 9", chat=room)
    assert admin_rows(seeded, room.id) == {ada.id: 1}
    api.bot_membership_changes(room, "kicked")
    await until(lambda: admin_rows(seeded, room.id) == {}, "the admin checks are forgotten")


async def test_similar_papers_pressed_again_and_again_stores_no_search(app, api, seeded):
    async with await Database.open(seeded) as db:
        await papers.upsert(db, [Paper("2406.30000", 1, "attention " * 600)])
    ada = api.user(1001)
    card = await reply_to(api, ada, "/paper 2406.30000")
    first = api.mark()
    for _ in range(5):
        mark = api.mark()
        api.user_presses(ada, card, callbacks.pack_similar("2406.30000"))
        await api.wait_for("answerCallbackQuery", since=mark)
    # Pressed again within moments, the list already on its way is not sent again.
    await api.wait_for("sendMessage", chat_id=ada.id, since=first)
    assert len(api.calls("sendMessage", chat_id=ada.id, since=first)) == 1
    db = sqlite3.connect(seeded)
    try:
        rows = db.execute("SELECT count(*) FROM search_sessions WHERE chat_id = ?", (ada.id,))
        assert rows.fetchone()[0] == 0
    finally:
        db.close()


async def test_a_search_session_refuses_a_query_over_its_cap(db):
    with pytest.raises(ValueError, match="at most"):
        await search_sessions.save(db, 1, "x" * (search_sessions.MAX_QUERY_CHARS + 1), "en")


async def test_a_search_is_kept_per_chat_and_language(db):
    token = await search_sessions.save(db, 1, "rag", "en")
    assert await search_sessions.save(db, 1, "rag", "en") == token
    assert await search_sessions.save(db, 1, "rag", "zh") != token
    assert await search_sessions.save(db, 2, "rag", "en") != token


async def test_the_daily_job_prunes_old_searches_and_admin_checks(app, seeded):
    now = datetime.now(UTC)
    async with await Database.open(seeded) as db:
        old = await search_sessions.save(db, 1, "old search", "en")
        await db.write(
            "UPDATE search_sessions SET created_at = ? WHERE token = ?",
            ((now - timedelta(days=30)).isoformat(timespec="seconds"), old),
        )
        fresh = await search_sessions.save(db, 1, "fresh search", "en")
        await chat_admins.remember(db, -700, 7, True, now=now - timedelta(days=3))
        await chat_admins.remember(db, -700, 8, True, now=now)
    [job] = app.job_queue.get_jobs_by_name("prune-caches")
    await job.run(app)
    async with await Database.open(seeded) as db:
        assert await search_sessions.load(db, old, 1) is None
        assert await search_sessions.load(db, fresh, 1) == ("fresh search", "en")
    assert admin_rows(seeded, -700) == {8: 1}
