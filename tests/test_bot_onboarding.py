"""A new reader's first minute: `/start` with buttons to choose the language, the topics and
this fortnight's digest; `/start` in a group; the note a group gets when it adds the bot.
The bot's clock is set in the fortnight of 17–30 June 2024."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app import build_application
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser, group, supergroup
from tests.fakes.conversation import press, reply_to
from tests.running import running

NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)
ADA = FakeUser(801, "Ada", language_code="en")
LI = FakeUser(802, "Li", language_code="zh-hans")


@pytest.fixture
async def chat_app(tmp_path, api):
    path = tmp_path / "onboarding.sqlite3"
    rt = await world.runtime(path)
    await world.add_paper(rt, "2406.10001", datetime(2024, 6, 18, tzinfo=UTC), {"rag": 1.0},
                          title="Retrieval now")  # fmt: skip
    await world.add_paper(rt, "2406.10002", datetime(2024, 6, 19, tzinfo=UTC), {"agents": 1.0},
                          title="Agents now")  # fmt: skip
    await rt.close()
    for user in (ADA, LI):
        api.user(user.id, user.first_name, language_code=user.language_code)
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)) as application:
        yield application


def labels(message: dict) -> list[list[str]]:
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    return [[button["text"] for button in row] for row in markup["inline_keyboard"]]


def data_of(message: dict, text: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    [data] = [b["callback_data"] for row in rows for b in row if b["text"] == text]
    return data


async def test_start_offers_the_language_the_topics_and_this_fortnights_digest(chat_app, api):
    english = await reply_to(api, ADA, "/start")
    assert english["text"].startswith("Hello, Ada! Every fortnight")
    assert labels(english) == [
        ["中文", "✅ English"],
        ["📚 Choose topics"],
        ["📰 This fortnight's digest"],
    ]
    chinese = await reply_to(api, LI, "/start")
    assert chinese["text"].startswith("你好，Li！我每两周")
    assert "选好主题，每两周就会收到速递；也可以现在就看本期。" in chinese["text"]
    assert labels(chinese) == [["✅ 中文", "English"], ["📚 选择主题"], ["📰 本期速递"]]


async def test_choosing_chinese_redraws_the_welcome_and_the_chat_reads_chinese_from_then(
    chat_app, api
):
    welcome = await reply_to(api, ADA, "/start")
    edit = await press(api, ADA, welcome, data_of(welcome, "中文"), "editMessageText")
    assert edit.result["text"].startswith("你好，Ada！")
    assert labels(edit.result)[0] == ["✅ 中文", "English"]
    assert "2024年6月17日至30日" in (await reply_to(api, ADA, "/digest rag"))["text"]
    again = await press(api, ADA, edit.result, data_of(edit.result, "English"), "editMessageText")
    assert again.result["text"].startswith("Hello, Ada!")


async def test_the_topics_button_opens_the_topic_picker(chat_app, api):
    welcome = await reply_to(api, LI, "/start")
    picker = await press(api, LI, welcome, data_of(welcome, "📚 选择主题"), "sendMessage")
    assert picker.result["text"].startswith("主题")
    toggles = [b for row in picker.result["reply_markup"]["inline_keyboard"] for b in row]
    assert all(b["callback_data"].startswith("topic:toggle:") for b in toggles)


async def test_the_digest_button_sends_every_topic_before_any_is_chosen_and_only_once(
    chat_app, api
):
    welcome = await reply_to(api, ADA, "/start")
    button = data_of(welcome, "📰 This fortnight's digest")
    sent = await press(api, ADA, welcome, button, "sendMessage")
    assert sent.result["text"].startswith("This chat has no topics yet, so here is every topic")
    assert "Retrieval now" in sent.result["text"]
    assert "Agents now" in sent.result["text"]
    mark = api.mark()
    api.user_presses(ADA, welcome, button)
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert answer.params["text"] == "Already sent above."
    assert api.calls("sendMessage", since=mark) == []


async def test_the_digest_button_follows_the_chats_subscriptions(chat_app, api):
    await reply_to(api, LI, "/subscribe rag")
    welcome = await reply_to(api, LI, "/start")
    sent = await press(api, LI, welcome, data_of(welcome, "📰 本期速递"), "sendMessage")
    assert "2024年6月17日至30日" in sent.result["text"]
    assert "Retrieval now" in sent.result["text"]
    assert "Agents now" not in sent.result["text"]


async def test_start_in_a_group_says_what_the_bot_does_and_that_admins_choose_topics(chat_app, api):
    room = api.add_chat(group(-8001, "Reading group"))
    said = await reply_to(api, ADA, "/start", chat=room)
    assert "/topics" in said["text"]
    assert "admins" in said["text"]
    assert not said.get("reply_markup")
    # The group reads English now; a Chinese member's /start does not change that.
    assert (await reply_to(api, LI, "/start", chat=room))["text"] == said["text"]


async def test_a_group_that_adds_the_bot_is_welcomed_once_in_the_adders_language(chat_app, api):
    room = api.add_chat(supergroup(-1008002, "读书会"))
    mark = api.mark()
    api.bot_membership_changes(room, "member", old="left", by=LI)
    [welcome] = await api.wait_for("sendMessage", chat_id=room.id, since=mark)
    assert welcome.result["text"].startswith("👋 感谢邀请我入群！")
    assert "群管理员可用 /topics 选择本群的主题" in welcome.result["text"]
    # Promoted to admin, then removed: nothing more to say.
    api.bot_membership_changes(room, "administrator", old="member", by=LI)
    api.bot_membership_changes(room, "left", old="administrator", by=LI)
    await asyncio.sleep(0.3)
    assert len(api.calls("sendMessage", chat_id=room.id, since=mark)) == 1
    # An English-speaking member's command in it is answered in the group's Chinese.
    api.bot_membership_changes(room, "member", old="left", by=ADA)
    await api.wait_for("sendMessage", count=2, chat_id=room.id, since=mark)
    said = await reply_to(api, ADA, "/start", chat=room)
    assert "群管理员" in said["text"]


async def test_an_english_speaker_who_adds_the_bot_gets_the_welcome_in_english(chat_app, api):
    room = api.add_chat(group(-8003, "Paper club"))
    mark = api.mark()
    api.bot_membership_changes(room, "administrator", old="left", by=ADA)
    [welcome] = await api.wait_for("sendMessage", chat_id=room.id, since=mark)
    assert welcome.result["text"].startswith("👋 Thanks for adding me!")
    assert "the group's admins choose its topics with /topics" in welcome.result["text"]


async def test_help_in_a_group_lists_the_members_commands_then_the_admins(chat_app, api):
    room = api.add_chat(group(-8004, "读书会"))
    await reply_to(api, LI, "/start", chat=room)  # the group reads its first reader's Chinese
    text = (await reply_to(api, ADA, "/help", chat=room))["text"]
    members, admins = text.split("群管理员还可以使用：")
    assert "/digest — " in members
    assert "/search — " in members
    assert "/topics" not in members.split("\n\n👍")[0]
    assert "/topics — " in admins
    assert "/lang — " in admins
    # The group's library is every member's; whom it follows only its admins change.
    for command in ("/saved — ", "/export — ", "/following — "):
        assert command in members, command
    assert "/follow — " in admins
    assert "/follow — " not in members
    assert text.endswith(
        "投过几票之后，本聊天的速递会把和赞过的论文相近的排在前面，踩过的不再出现。"
    )
    private = (await reply_to(api, ADA, "/help"))["text"]
    assert "/topics — " in private
    assert "admins also" not in private
    # Why vote at all: the reader learns that votes shape the chat's own digest.
    assert private.endswith(
        "After a few votes, this chat's digest puts papers like the ones it liked first and "
        "leaves out those voted down."
    )


async def test_a_group_admin_choosing_a_language_on_a_welcome_the_bot_never_recorded_is_answered(
    chat_app, api
):
    # A welcome from before a restored backup: the group is unknown to the database.
    room = api.add_chat(group(-1001944))
    api.set_admins(room.id, [ADA.id])
    buttons = [[{"text": "中文", "callback_data": "start:lang:zh"}]]
    old_welcome = {
        "chat": room.to_json(),
        "message_id": 7,
        "date": 1718000000,
        "reply_markup": {"inline_keyboard": buttons},
    }
    await press(api, ADA, old_welcome, "start:lang:zh", "answerCallbackQuery")
    said = await reply_to(api, ADA, "/digest rag", chat=room)
    assert "2024年6月17日至30日" in said["text"]
