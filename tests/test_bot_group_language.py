"""One language per chat: a group's messages and buttons read the group's language, whoever
presses them; the bot's clock is set in the fortnight of 17–30 June 2024."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import build_application
from storage import chats, subscriptions
from storage.db import Database
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser, group
from tests.fakes.conversation import press, reply_to
from tests.running import running

NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)
ADA = FakeUser(701, "Ada", language_code="en")
LI = FakeUser(702, "Li", language_code="zh-hans")
ROOM = group(-7001, "读书会")


@pytest.fixture
async def db_path(tmp_path):
    path = tmp_path / "group-language.sqlite3"
    rt = await world.runtime(path)
    await world.add_paper(rt, "2406.10001", datetime(2024, 6, 18, tzinfo=UTC), {"rag": 1.0},
                          title="Retrieval now")  # fmt: skip
    await world.add_paper(rt, "2406.10002", datetime(2024, 6, 5, tzinfo=UTC), {"rag": 1.0},
                          title="Retrieval in early June",
                          summaries_by_lang={"en": "Found it.", "zh": "找到了。"})  # fmt: skip
    await rt.close()
    return path


@pytest.fixture
async def chat_app(db_path, api):
    api.add_chat(ROOM)
    for user in (ADA, LI):
        api.user(user.id, user.first_name, language_code=user.language_code)
    settings = world.settings(db_path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)) as application:
        yield application


def buttons(message: dict, prefix: str = "") -> list[dict]:
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    every = [button for row in markup["inline_keyboard"] for button in row]
    return [b for b in every if b.get("callback_data", "").startswith(prefix)]


async def test_a_group_keeps_the_language_of_its_first_reader_whoever_presses_the_arrows(
    chat_app, api, db_path
):
    now = await reply_to(api, LI, "/digest rag", chat=ROOM)
    assert "2024年6月17日至30日" in now["text"]
    # An English-speaking member walks back: the issue is still written for the group.
    before = await press(api, ADA, now, buttons(now, "digest:")[0]["callback_data"], "sendMessage")
    assert "2024年6月3日至16日" in before.result["text"]
    assert [b["text"] for b in buttons(before.result, "digest:")][-1].endswith("至30日 ▶")
    card = await press(
        api, ADA, before.result, buttons(before.result, "card:open:")[0]["callback_data"],
        "sendMessage",
    )  # fmt: skip
    assert "找到了。" in card.result["text"]
    vote = buttons(card.result, "vote:up:")[0]["callback_data"]
    toast = await press(api, ADA, card.result, vote, "answerCallbackQuery")
    assert toast.params["text"] == "👍 已记下，再按一次可撤回。"
    async with await Database.open(db_path) as db:
        assert (await chats.get(db, ROOM.id)).language == "zh"


async def test_an_english_admin_who_sets_chinese_reads_the_topic_picker_in_chinese(chat_app, api):
    api.set_admins(ROOM.id, [ADA.id])
    assert (await reply_to(api, ADA, "/lang zh", chat=ROOM))["text"] == "本聊天现在使用中文。"
    picker = await reply_to(api, ADA, "/topics", chat=ROOM)
    assert "点按主题即可为本聊天订阅或退订。" in picker["text"]
    rag = next(b for b in buttons(picker, "topic:") if b["callback_data"].endswith(":rag"))
    redrawn = await press(api, ADA, picker, rag["callback_data"], "editMessageText")
    assert "✅ RAG" in redrawn.result["text"]
    now = await reply_to(api, ADA, "/digest", chat=ROOM)
    assert "2024年6月17日至30日" in now["text"]
    # The admin switches the group to English: a Chinese member's next press reads English.
    switched = await reply_to(api, ADA, "/lang en", chat=ROOM)
    assert switched["text"] == "This chat now reads English."
    back = buttons(now, "digest:")[0]["callback_data"]
    before = await press(api, LI, now, back, "sendMessage")
    assert "Retrieval in early June" in before.result["text"]
    assert "年" not in before.result["text"]


async def test_a_private_chat_still_follows_its_readers_telegram_language(chat_app, api):
    assert "2024年6月17日至30日" in (await reply_to(api, LI, "/digest rag"))["text"]
    assert "年6月" not in (await reply_to(api, ADA, "/digest rag"))["text"]


async def test_a_card_shared_inline_keeps_the_sharers_language_and_offers_the_other(chat_app, api):
    mark = api.mark()
    api.user_queries_inline(LI, "2406.10002")
    [answer] = await api.wait_for("answerInlineQuery", since=mark)
    inline_id = api.user_shares_inline_result(LI, answer.params, "2406.10002")
    card = api.world.inline_messages[inline_id]
    assert "找到了。" in card["text"]
    [other] = buttons(card, "card:lang:")
    assert other["text"] == "English"
    # An English reader's vote counts without turning the Chinese card's buttons English.
    mark = api.mark()
    api.user_presses_inline(ADA, inline_id, buttons(card, "vote:up:")[0]["callback_data"])
    await api.wait_for("editMessageReplyMarkup", since=mark)
    card = api.world.inline_messages[inline_id]
    assert [b["text"] for b in buttons(card, "card:lang:")] == ["English"]
    mark = api.mark()
    api.user_presses_inline(ADA, inline_id, other["callback_data"])
    await api.wait_for("editMessageText", since=mark)
    card = api.world.inline_messages[inline_id]
    assert "Found it." in card["text"]
    assert [b["text"] for b in buttons(card, "card:lang:")] == ["中文"]


async def test_a_group_subscribed_in_chinese_keeps_reading_chinese_when_an_english_member_asks(
    chat_app, api, db_path
):
    async with await Database.open(db_path) as db:
        await chats.ensure(db, ROOM.id, "group", ROOM.title, default_timezone="Asia/Shanghai")
        await subscriptions.add_topic(db, ROOM.id, "rag", language="zh")
    now = await reply_to(api, ADA, "/digest", chat=ROOM)
    assert "2024年6月17日至30日" in now["text"]


async def test_a_members_refused_lang_leaves_the_groups_language_to_whoever_speaks_next(
    chat_app, api, db_path
):
    # Ada is no admin: her /lang en is refused, in her language, and chooses nothing.
    refused = await reply_to(api, ADA, "/lang en", chat=ROOM)
    assert refused["text"] == "Only the group's admins can change its settings."
    picker = await reply_to(api, ADA, "/lang", chat=ROOM)
    english = next(b for b in buttons(picker, "lang:set:") if b["callback_data"].endswith(":en"))
    toast = await press(api, ADA, picker, english["callback_data"], "answerCallbackQuery")
    assert toast.params["text"] == "Only the group's admins can change its settings."
    async with await Database.open(db_path) as db:
        assert (await chats.get(db, ROOM.id)).language is None
    # The first member who asks for something else sets it, as for any group.
    now = await reply_to(api, LI, "/digest rag", chat=ROOM)
    assert "2024年6月17日至30日" in now["text"]
    async with await Database.open(db_path) as db:
        assert (await chats.get(db, ROOM.id)).language == "zh"


async def test_a_members_forged_welcome_language_press_leaves_the_groups_language_alone(
    chat_app, api, db_path
):
    # A group is never shown the private welcome's language buttons; a press carrying one is
    # refused for a member like /lang is, and chooses nothing.
    old = {"message_id": 4242, "date": 1718000000, "chat": ROOM.to_json(), "text": "Hello"}
    toast = await press(api, ADA, old, "start:lang:zh", "answerCallbackQuery")
    assert toast.params["text"] == "Only the group's admins can change its settings."
    async with await Database.open(db_path) as db:
        assert (await chats.get(db, ROOM.id)).language is None


async def test_a_member_of_a_group_without_topics_is_told_its_admins_choose_them(chat_app, api):
    told = await reply_to(api, LI, "/digest", chat=ROOM)
    assert told["text"] == (
        "本群还没有订阅任何主题：可以试试 /digest RAG；群管理员可在 /topics 中选择主题。"
    )
    # A private chat chooses for itself.
    own = await reply_to(api, ADA, "/digest")
    assert own["text"] == (
        "This chat has no subscriptions yet: try /digest RAG, or choose in /topics."
    )
