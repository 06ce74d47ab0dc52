"""Subscriptions in chat: topic buttons, /subscribe, /unsubscribe, /lang; admins decide."""

from __future__ import annotations

from pathlib import Path

from storage import chats, subscriptions
from storage.db import Database
from tests.fakes.bot_api_updates import group, supergroup
from tests.fakes.conversation import reply_to


async def stored(seeded: Path, chat_id: int) -> tuple[set[str], set[str], set[int | None]]:
    """The chat's topic slugs, queries and threads, read as the bot stored them."""
    async with await Database.open(seeded) as db:
        rows = await subscriptions.for_chat(db, chat_id)
    return (
        {r.topic_slug for r in rows if r.topic_slug},
        {r.query for r in rows if r.query},
        {r.thread_id for r in rows},
    )


async def say(api, user, text, **where) -> str:
    return (await reply_to(api, user, text, **where))["text"]


async def test_a_topic_button_subscribes_and_redraws_in_place(app, api, seeded):
    ada = api.user(1001)
    mark = api.mark()
    api.user_says(ada, "/topics")
    [sent] = await api.wait_for("sendMessage", since=mark)
    mark = api.mark()
    api.user_presses(ada, sent.result, "topic:toggle:rag")
    [edit] = await api.wait_for("editMessageText", since=mark)
    rows = edit.result["reply_markup"]["inline_keyboard"]
    rag = next(b for row in rows for b in row if b["callback_data"] == "topic:toggle:rag")
    assert rag["text"].startswith("✅")
    assert (await stored(seeded, ada.id))[0] == {"rag"}


async def test_subscribe_takes_slugs_aliases_in_both_languages_and_quoted_queries(app, api, seeded):
    ada = api.user(1001)
    reply = await say(api, ada, '/subscribe RAG, 安全与对齐, agents "mixture of experts"')
    assert "mixture of experts" in reply
    slugs, queries, _ = await stored(seeded, ada.id)
    assert (slugs, queries) == ({"rag", "safety", "agents"}, {"mixture of experts"})
    await say(api, ada, "/unsubscribe Safety & Alignment")
    assert (await stored(seeded, ada.id))[0] == {"rag", "agents"}


async def test_an_unknown_topic_is_named_and_nothing_changes(app, api, seeded):
    ada = api.user(1001)
    await say(api, ada, "/subscribe rag")
    reply = await say(api, ada, "/subscribe agents quantum-gravity")
    assert "Unknown topic: “quantum-gravity”" in reply
    assert (await stored(seeded, ada.id))[0] == {"rag"}
    reply = await say(api, ada, "/subscribe " + "<b>x" * 1250)
    assert "Unknown topic" in reply
    assert (await stored(seeded, ada.id))[0] == {"rag"}


async def test_a_group_member_who_is_not_an_admin_cannot_change_the_groups_subscriptions(
    app, api, seeded
):
    reading = api.add_chat(group(-4001))
    ada, bo = api.user(1001), api.user(1002)
    api.set_admins(reading.id, [ada.id])
    reply = await say(api, bo, "/subscribe rag", chat=reading)
    assert "Only the group's admins" in reply
    assert (await stored(seeded, reading.id))[0] == set()
    await say(api, ada, f"/subscribe@{api.bot_username} rag", chat=reading)
    assert (await stored(seeded, reading.id))[0] == {"rag"}
    mark = api.mark()
    api.user_says(bo, "/topics", chat=reading)
    [sent] = await api.wait_for("sendMessage", since=mark)
    mark = api.mark()
    api.user_presses(bo, sent.result, "topic:toggle:rag")
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert "Only the group's admins" in answer.params["text"]
    assert api.calls("editMessageText", since=mark) == []
    assert (await stored(seeded, reading.id))[0] == {"rag"}


async def test_an_anonymous_admin_subscribes_and_a_forum_thread_is_remembered(app, api, seeded):
    forum = api.add_chat(supergroup(-1005001, "ML", forum=True))
    mark = api.mark()
    api.anonymous_admin_says(forum, "/subscribe agents", thread_id=7)
    await api.wait_for("sendMessage", since=mark)
    slugs, _, threads = await stored(seeded, forum.id)
    assert (slugs, threads) == ({"agents"}, {7})


async def test_lang_switches_the_chat_and_bad_values_get_the_usage(app, api, seeded):
    ada = api.user(1001, language_code="en")
    assert "Usage: /lang zh or /lang en" in await say(api, ada, "/lang klingon")
    assert "中文" in await say(api, ada, "/lang zh")
    assert "全部命令" in await say(api, ada, "/help")
    async with await Database.open(seeded) as db:
        assert (await chats.get(db, ada.id)).language == "zh"
