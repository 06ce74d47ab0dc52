"""Readers vote on cards: 👍 / 👎 / 🔖 in a private chat and in a group, on a card shared inline,
and with Telegram reactions; nothing a reader does (or forges) reaches the error handler.

The real python-telegram-bot Application polls the fake Bot API on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from telegram import Update

from bot.render import callbacks
from storage import papers, votes
from storage.db import Database
from tests.fakes.bot_api_updates import ANONYMOUS_ADMIN, FakeUser, chat_member_json, group
from tests.fakes.conversation import reply_to


def trouble(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def a_stored_paper(seeded: Path) -> str:
    async with await Database.open(seeded) as db:
        return (await papers.latest(db, 1))[0].arxiv_id


def vote_row(message: dict) -> list[str]:
    """The labels of the card's 👍 / 👎 / 🔖 buttons."""
    rows = message["reply_markup"]["inline_keyboard"]
    return [b["text"] for b in rows[0] if b.get("callback_data", "").startswith("vote:")]


async def press_vote(api, user, message: dict, action: str, arxiv_id: str, lang: str = "en"):
    """`user` presses a vote button; the toast they see and the card as it looks afterwards."""
    mark = api.mark()
    api.user_presses(user, message, callbacks.pack_vote(action, arxiv_id, lang))
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    await api.wait_for("editMessageReplyMarkup", since=mark)
    current = api.world.messages[(message["chat"]["id"], message["message_id"])]
    return answer.params.get("text"), current


async def test_a_reader_votes_in_a_private_chat_and_pressing_again_takes_it_back(
    app, api, seeded, caplog
):
    arxiv_id = await a_stored_paper(seeded)
    ada = api.user(1001, language_code="en")
    card = await reply_to(api, ada, f"/paper {arxiv_id}")
    assert vote_row(card) == ["👍", "👎", "🔖"]
    with caplog.at_level(logging.WARNING):
        toast, card = await press_vote(api, ada, card, "up", arxiv_id)
        assert toast == "👍 Counted. Press again to take it back."
        assert vote_row(card) == ["👍 1", "👎", "🔖"]
        toast, card = await press_vote(api, ada, card, "down", arxiv_id)
        assert vote_row(card) == ["👍", "👎 1", "🔖"]  # 👍 then 👎 switches
        toast, card = await press_vote(api, ada, card, "down", arxiv_id)
        assert toast == "Your vote is taken back."
        assert vote_row(card) == ["👍", "👎", "🔖"]
        toast, card = await press_vote(api, ada, card, "save", arxiv_id)
        assert toast == "🔖 Saved for this chat."
        assert vote_row(card) == ["👍", "👎", "🔖 Saved"]
    assert trouble(caplog) == []
    async with await Database.open(seeded) as db:
        paper = await papers.get(db, arxiv_id)
        assert await votes.saved(db, ada.id) == [paper.id]
        assert await votes.vote_of(db, ada.id, ada.id, paper.id) is None


async def test_a_group_counts_each_member_once_and_shows_the_groups_counts_in_chinese(
    app, api, seeded, caplog
):
    arxiv_id = await a_stored_paper(seeded)
    reading = api.add_chat(group(-500, "读书会"))
    li = api.user(2001, "李", language_code="zh-hans")
    wang = api.user(2002, "王", language_code="zh")
    card = await reply_to(api, li, f"/paper {arxiv_id}", chat=reading)
    with caplog.at_level(logging.WARNING):
        toast, card = await press_vote(api, li, card, "up", arxiv_id, "zh")
        assert toast == "👍 已记下，再按一次可撤回。"
        toast, card = await press_vote(api, wang, card, "up", arxiv_id, "zh")
        assert vote_row(card) == ["👍 2", "👎", "🔖"]
        # A double tap: the second press takes Wang's vote back, and says so.
        toast, card = await press_vote(api, wang, card, "up", arxiv_id, "zh")
        assert toast == "已撤回你的投票。"
        assert vote_row(card) == ["👍 1", "👎", "🔖"]
        toast, card = await press_vote(api, wang, card, "save", arxiv_id, "zh")
        assert toast == "🔖 已为本聊天收藏。"
        assert vote_row(card) == ["👍 1", "👎", "🔖 已收藏"]
    assert trouble(caplog) == []
    # The private chat of a member keeps its own counts: nobody voted there.
    mine = await reply_to(api, li, f"/paper {arxiv_id}")
    assert vote_row(mine) == ["👍", "👎", "🔖"]


async def test_a_member_who_left_keeps_their_vote_and_an_anonymous_admin_votes_as_the_group(
    app, api, seeded, caplog
):
    arxiv_id = await a_stored_paper(seeded)
    reading = api.add_chat(group(-600))
    ada = api.user(1001)
    bob = api.user(1002, "Bob")
    card = await reply_to(api, ada, f"/paper {arxiv_id}", chat=reading)
    with caplog.at_level(logging.WARNING):
        _, card = await press_vote(api, bob, card, "down", arxiv_id)
        api.inject(
            "chat_member",
            {
                "chat": reading.to_json(),
                "from": FakeUser(1002, "Bob").to_json(),
                "date": int(time.time()),
                "old_chat_member": chat_member_json(bob, "member"),
                "new_chat_member": chat_member_json(bob, "left"),
            },
        )
        _, card = await press_vote(api, ANONYMOUS_ADMIN, card, "up", arxiv_id)
        _, card = await press_vote(api, ada, card, "up", arxiv_id)
        await asyncio.sleep(0.2)
    assert vote_row(card) == ["👍 2", "👎 1", "🔖"]
    assert trouble(caplog) == []
    async with await Database.open(seeded) as db:
        paper = await papers.get(db, arxiv_id)
        assert await votes.vote_of(db, reading.id, reading.id, paper.id) == "up"


async def test_forged_vote_buttons_are_answered_politely_and_change_nothing(
    app, api, seeded, caplog
):
    arxiv_id = await a_stored_paper(seeded)
    ada = api.user(1001)
    card = await reply_to(api, ada, f"/paper {arxiv_id}")
    forged = [
        "vote:up:2101.99999:en",  # no such paper
        f"vote:like:{arxiv_id}:en",
        f"vote:up:{arxiv_id}:fr",
        f"vote:up:{arxiv_id}v2:en",
        "vote:up",
        "vote:up:２４０６.15877:en",  # full-width digits
        f"vote:up:{arxiv_id}:en:" + "x" * 30,
    ]
    with caplog.at_level(logging.WARNING):
        for data in forged:
            mark = api.mark()
            api.user_presses(ada, card, data)
            [answer] = await api.wait_for("answerCallbackQuery", since=mark)
            assert answer.params.get("text") == "This button has expired."
        await asyncio.sleep(0.2)
    assert api.calls("editMessageReplyMarkup") == []
    assert trouble(caplog) == []


async def test_a_card_shared_inline_counts_its_own_voters_under_their_private_chats(
    app, api, seeded, caplog
):
    arxiv_id = await a_stored_paper(seeded)
    ada = api.user(1001)
    bob = api.user(1002, "Bob", language_code="zh")
    mark = api.mark()
    api.user_queries_inline(ada, arxiv_id)
    [answer] = await api.wait_for("answerInlineQuery", since=mark)
    shared = api.user_shares_inline_result(ada, answer.params, arxiv_id)
    with caplog.at_level(logging.WARNING):
        for user, action in ((ada, "up"), (bob, "up"), (bob, "down")):
            mark = api.mark()
            api.user_presses_inline(user, shared, callbacks.pack_vote(action, arxiv_id, "en"))
            await api.wait_for("answerCallbackQuery", since=mark)
            await api.wait_for("editMessageReplyMarkup", since=mark)
        mark = api.mark()
        api.user_presses_inline(bob, shared, callbacks.pack_vote("save", arxiv_id, "en"))
        [saved] = await api.wait_for("answerCallbackQuery", since=mark)
    assert saved.params["text"] == "🔖 已收藏到你和我的私聊里。"
    markup = api.world.inline_messages[shared]["reply_markup"]
    assert [b["text"] for b in markup["inline_keyboard"][0]] == ["👍 1", "👎 1", "🔖"]
    assert trouble(caplog) == []
    async with await Database.open(seeded) as db:
        paper = await papers.get(db, arxiv_id)
        assert await votes.vote_of(db, bob.id, bob.id, paper.id) == "down"
        assert (await votes.community(db, [paper.id]))[paper.id].net == 0
        assert await votes.saved(db, bob.id) == [paper.id]


def reaction(chat, message: dict, user, old: list[str], new: list[str]) -> dict:
    def emojis(names: list[str]) -> list[dict]:
        return [{"type": "emoji", "emoji": name} for name in names]

    payload = {
        "chat": chat.to_json(),
        "message_id": message["message_id"],
        "date": int(time.time()),
        "old_reaction": emojis(old),
        "new_reaction": emojis(new),
    }
    if user.id == ANONYMOUS_ADMIN.id:
        payload["actor_chat"] = chat.to_json()
    else:
        payload["user"] = user.to_json()
    return payload


async def test_reactions_on_a_card_count_as_votes_and_other_reactions_do_not(
    app, api, seeded, caplog
):
    api.world.updates.set_allowed(list(Update.ALL_TYPES))  # as `digestbot run` asks
    arxiv_id = await a_stored_paper(seeded)
    reading = api.add_chat(group(-700))
    ada = api.user(1001)
    bob = api.user(1002, "Bob")
    card = await reply_to(api, ada, f"/paper {arxiv_id}", chat=reading)
    with caplog.at_level(logging.WARNING):
        mark = api.mark()
        api.inject("message_reaction", reaction(reading, card, ada, [], ["👍"]))
        api.inject("message_reaction", reaction(reading, card, bob, [], ["👎"]))
        api.inject("message_reaction", reaction(reading, card, ANONYMOUS_ADMIN, [], ["🔥"]))
        await api.wait_for("editMessageReplyMarkup", count=2, since=mark)
        current = api.world.messages[(reading.id, card["message_id"])]
        assert vote_row(current) == ["👍 1", "👎 1", "🔖"]
        mark = api.mark()
        api.inject("message_reaction", reaction(reading, card, bob, ["👎"], []))
        await api.wait_for("editMessageReplyMarkup", since=mark)
        await asyncio.sleep(0.2)
    current = api.world.messages[(reading.id, card["message_id"])]
    assert vote_row(current) == ["👍 1", "👎", "🔖"]
    assert trouble(caplog) == []


async def test_help_says_how_to_vote_and_that_group_reactions_need_the_bot_as_admin(app, api):
    ada = api.user(1001, language_code="en")
    li = api.user(1002, "李", language_code="zh-hans")
    assert "only if I am an admin" in (await reply_to(api, ada, "/help"))["text"]
    assert "只有我是管理员时" in (await reply_to(api, li, "/help"))["text"]


async def test_a_vote_on_a_card_too_old_for_telegram_to_hand_over_still_counts_quietly(
    app, api, seeded, caplog
):
    arxiv_id = await a_stored_paper(seeded)
    ada = api.user(1001)
    old_card = {"message_id": 77, "date": 0, "chat": {"id": ada.id, "type": "private"}}
    mark = api.mark()
    with caplog.at_level(logging.WARNING):
        api.user_presses(ada, old_card, callbacks.pack_vote("up", arxiv_id, "en"))
        [answer] = await api.wait_for("answerCallbackQuery", since=mark)
        await asyncio.sleep(0.2)  # a failure would reach the error handler by now
    assert answer.params["text"] == "👍 Counted. Press again to take it back."
    assert trouble(caplog) == []
    async with await Database.open(seeded) as db:
        paper = await papers.get(db, arxiv_id)
        assert await votes.vote_of(db, ada.id, ada.id, paper.id) == "up"
