"""/settings shows a chat's delivery settings in its language with a button for each, and reads
the typed forms in Chinese and English; only a group's admins change a group's settings."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest

from storage import chats
from storage.db import Database
from tests.fakes.bot_api_updates import group
from tests.fakes.conversation import press, reply_to

ENGLISH_KEYS = re.compile(r"\b(timezone|tz|weekday|hour|empty|skip|line)\b", re.IGNORECASE)


def trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def say(api, user, text, **where) -> str:
    return (await reply_to(api, user, text, **where))["text"]


async def stored_chat(seeded: Path, chat_id: int):
    async with await Database.open(seeded) as db:
        return await chats.get(db, chat_id)


async def delivery(seeded: Path, chat_id: int) -> tuple:
    chat = await stored_chat(seeded, chat_id)
    return chat.timezone, chat.delivery_weekday, chat.delivery_hour, chat.empty_topics


def labels(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    return [button["text"] for row in markup["inline_keyboard"] for button in row]


def data_of(message: dict, label: str) -> str:
    """The callback data of the button whose label contains `label`."""
    markup = message["reply_markup"]["inline_keyboard"]
    [data] = [b["callback_data"] for row in markup for b in row if label in b["text"]]
    return data


async def test_an_english_reader_sees_the_settings_in_words_with_a_button_for_each(app, api):
    ada = api.user(1001, language_code="en")
    shown = await reply_to(api, ada, "/settings")
    text = shown["text"]
    assert "Day: Monday" in text
    assert "Time: 09:00" in text
    assert "Timezone: Beijing/Shanghai (UTC+8)" in text
    assert "A topic with nothing new gets: nothing" in text
    assert "Language: English" in text
    assert "Asia/Shanghai" not in text
    assert labels(shown) == [
        "🗓 Monday", "🕘 09:00", "🌏 Beijing/Shanghai (UTC+8)",
        "📭 Topics with nothing new: nothing", "🌐 中文",
    ]  # fmt: skip


async def test_a_chinese_reader_sees_the_settings_in_chinese_without_english_keys(app, api):
    li = api.user(1002, language_code="zh")
    shown = await reply_to(api, li, "/settings")
    text = shown["text"]
    for wanted in (
        "推送日：星期一",
        "推送时间：09:00",
        "时区：北京/上海（UTC+8）",
        "不发送",
        "语言：中文",
    ):
        assert wanted in text
    assert "/settings 时区 东京" in text
    assert not ENGLISH_KEYS.search(text)
    assert not any(ENGLISH_KEYS.search(label) for label in labels(shown))


async def test_picking_a_weekday_edits_the_message_in_place_and_confirms(app, api, seeded):
    ada = api.user(1001, language_code="en")
    shown = await reply_to(api, ada, "/settings")
    picker = await press(api, ada, shown, data_of(shown, "Monday"), "editMessageText")
    days = labels(picker.result)
    assert days[:7] == [
        "✓ Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]  # fmt: skip
    assert days[-1] == "‹ Back"
    mark = api.mark()
    api.user_presses(ada, picker.result, data_of(picker.result, "Friday"))
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    [edit] = await api.wait_for("editMessageText", since=mark)
    assert answer.params["text"] == "Digests now arrive on Friday."
    assert edit.result["message_id"] == shown["message_id"]
    assert "Day: Friday" in edit.result["text"]
    assert (await stored_chat(seeded, ada.id)).delivery_weekday == 4


async def test_a_chinese_reader_picks_tokyo_from_the_cities(app, api, seeded):
    li = api.user(1002, language_code="zh")
    shown = await reply_to(api, li, "/settings")
    picker = await press(api, li, shown, data_of(shown, "🌏"), "editMessageText")
    cities = labels(picker.result)
    for city in ("✓ 北京/上海", "香港", "台北", "新加坡", "东京", "首尔", "伦敦", "柏林", "巴黎"):
        assert city in cities
    for city in ("纽约", "旧金山/洛杉矶", "多伦多", "悉尼", "UTC", "‹ 返回"):
        assert city in cities
    assert "UTC+8" in picker.result["text"]  # how to type an offset instead
    mark = api.mark()
    api.user_presses(li, picker.result, data_of(picker.result, "东京"))
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    [edit] = await api.wait_for("editMessageText", since=mark)
    assert answer.params["text"] == "时区已改为：东京（UTC+9）。"
    assert "时区：东京（UTC+9）" in edit.result["text"]
    assert (await stored_chat(seeded, li.id)).timezone == "Asia/Tokyo"


async def test_the_hour_grid_marks_the_current_hour_and_sets_another(app, api, seeded):
    ada = api.user(1001, language_code="en")
    shown = await reply_to(api, ada, "/settings")
    picker = await press(api, ada, shown, data_of(shown, "🕘"), "editMessageText")
    hours = labels(picker.result)[:24]
    assert hours == [f"{h:02d}:00" if h != 9 else "✓ 09:00" for h in range(24)]
    await press(api, ada, picker.result, data_of(picker.result, "21:00"), "editMessageText")
    assert (await stored_chat(seeded, ada.id)).delivery_hour == 21


async def test_the_empty_topics_button_switches_between_a_line_and_nothing(app, api, seeded):
    li = api.user(1002, language_code="zh")
    shown = await reply_to(api, li, "/settings")
    edit = await press(api, li, shown, data_of(shown, "📭"), "editMessageText")
    assert "没有新论文的主题：发一行说明" in edit.result["text"]
    assert (await stored_chat(seeded, li.id)).empty_topics == "line"
    await press(api, li, edit.result, data_of(edit.result, "📭"), "editMessageText")
    assert (await stored_chat(seeded, li.id)).empty_topics == "skip"


async def test_back_returns_from_a_picker_to_the_settings(app, api):
    ada = api.user(1001, language_code="en")
    shown = await reply_to(api, ada, "/settings")
    picker = await press(api, ada, shown, data_of(shown, "🕘"), "editMessageText")
    back = await press(api, ada, picker.result, "set:view:main", "editMessageText")
    assert labels(back.result) == labels(shown)


@pytest.mark.parametrize(
    ("lang", "refusal"), [("en", "Only the group's admins"), ("zh", "群管理员")]
)
async def test_a_group_member_who_is_not_an_admin_cannot_press_the_settings(
    app, api, seeded, caplog, lang, refusal
):
    reading = api.add_chat(group(-4001))
    ada, bo = api.user(1001, language_code=lang), api.user(1002, language_code=lang)
    api.set_admins(reading.id, [ada.id])
    shown = await reply_to(api, ada, "/settings", chat=reading)
    before = await delivery(seeded, reading.id)
    for data in ("set:view:day", "set:hour:7", "set:empty:line", "set:tz:Europe/London"):
        with caplog.at_level(logging.WARNING):
            answer = await press(api, bo, shown, data, "answerCallbackQuery")
        assert refusal in answer.params["text"]
    await asyncio.sleep(0.1)
    assert api.calls("editMessageText") == []
    assert await delivery(seeded, reading.id) == before
    assert trouble(caplog) == []
    await press(api, ada, shown, "set:hour:7", "editMessageText")
    assert (await stored_chat(seeded, reading.id)).delivery_hour == 7


async def test_only_a_groups_admins_change_its_settings_by_text(app, api, seeded):
    reading = api.add_chat(group(-4001))
    ada, bo = api.user(1001), api.user(1002, language_code="zh")
    api.set_admins(reading.id, [ada.id])
    assert "只有群管理员" in await say(api, bo, "/settings 时间 7", chat=reading)
    assert (await stored_chat(seeded, reading.id)).delivery_hour == 9
    await say(api, ada, "/settings hour 7", chat=reading)
    assert (await stored_chat(seeded, reading.id)).delivery_hour == 7


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("/settings 时区 上海", "timezone", "Asia/Shanghai"),
        ("/settings timezone Shanghai", "timezone", "Asia/Shanghai"),
        ("/settings 时区 伦敦", "timezone", "Europe/London"),
        ("/settings timezone New York", "timezone", "America/New_York"),
        ("/settings timezone america/los_angeles", "timezone", "America/Los_Angeles"),
        ("/settings 时区 旧金山", "timezone", "America/Los_Angeles"),
        ("/settings tz UTC+8", "timezone", "Etc/GMT-8"),
        ("/settings tz GMT+8", "timezone", "Etc/GMT-8"),
        ("/settings 时区 东八区", "timezone", "Etc/GMT-8"),
        ("/settings tz UTC-05:30", "timezone", "UTC-05:30"),
        ("/settings tz UTC+5:30", "timezone", "UTC+05:30"),
        ("/settings 时区 ＵＴＣ＋９", "timezone", "Etc/GMT-9"),
        ("/settings tz UTC", "timezone", "UTC"),
        ("/settings 星期 1", "delivery_weekday", 0),
        ("/settings weekday 5", "delivery_weekday", 4),
        ("/settings weekday 7", "delivery_weekday", 6),
        ("/settings 星期 周五", "delivery_weekday", 4),
        ("/settings 星期 星期日", "delivery_weekday", 6),
        ("/settings 星期 礼拜一", "delivery_weekday", 0),
        ("/settings weekday Mon", "delivery_weekday", 0),
        ("/settings weekday Saturday", "delivery_weekday", 5),
        ("/settings 时间 9", "delivery_hour", 9),
        ("/settings hour 21:00", "delivery_hour", 21),
        ("/settings 时间 下午3点", "delivery_hour", 15),
        ("/settings hour 7pm", "delivery_hour", 19),
        ("/settings 空主题 开", "empty_topics", "line"),
        ("/settings empty on", "empty_topics", "line"),
        ("/settings empty line", "empty_topics", "line"),
    ],
)
async def test_a_typed_setting_is_read_in_either_language(app, api, seeded, text, field, value):
    ada = api.user(1001, language_code="zh")
    await say(api, ada, "/settings 时区 柏林")
    reply = await say(api, ada, text)
    assert reply.startswith("✅ ")
    assert getattr(await stored_chat(seeded, ada.id), field) == value


async def test_weekday_numbers_run_from_monday_1_to_sunday_7(app, api, seeded):
    ada = api.user(1001, language_code="en")
    assert "Digests now arrive on Friday." in await say(api, ada, "/settings weekday 5")
    li = api.user(1002, language_code="zh")
    assert "之后每期速递在星期日送达。" in await say(api, li, "/settings 星期 7")


async def test_an_empty_topics_switch_turns_off_in_chinese(app, api, seeded):
    li = api.user(1002, language_code="zh")
    await say(api, li, "/settings 空主题 开")
    reply = await say(api, li, "/settings 空主题 关")
    assert "没有新论文的主题已改为：不发送。" in reply
    assert (await stored_chat(seeded, li.id)).empty_topics == "skip"


async def test_a_setting_named_alone_opens_its_picker(app, api):
    li = api.user(1002, language_code="zh")
    shown = await reply_to(api, li, "/settings 时区")
    assert "东京" in labels(shown)


async def test_a_half_hour_offset_is_shown_and_plans_the_next_digest(app, api, seeded):
    ada = api.user(1001, language_code="en")
    await say(api, ada, "/subscribe RAG")
    reply = await say(api, ada, "/settings tz UTC+5:30")
    assert "Timezone: UTC+5:30" in reply
    assert "Next digest: " in reply
    assert re.search(r"Next digest: .*09:00", reply)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "/settings timezone Mars", "I don't know the timezone “Mars”."),
        ("zh", "/settings 时区 火星", "我不认识“火星”这个时区。"),
        ("en", "/settings tz UTC+15", "UTC+15 is not an offset any place keeps"),
        ("zh", "/settings 时区 UTC+15", "UTC+15 超出了实际使用的时差范围"),
        ("en", "/settings weekday 8", "“8” is not a day of the week."),
        ("zh", "/settings 星期 8", "“8”不是星期几。"),
        ("en", "/settings weekday 0", "“0” is not a day of the week."),
        ("en", "/settings hour 24", "“24” is not an hour of the day."),
        ("zh", "/settings 时间 9:30", "“9:30”不是整点时间。"),
        ("en", "/settings empty maybe", "“maybe” is neither."),
        ("zh", "/settings 空主题 也许", "“也许”两者都不是。"),
        ("en", "/settings colour blue", "Usage: /settings timezone Shanghai"),
        ("zh", "/settings 颜色 蓝", "用法：/settings 时区 上海"),
    ],
)
async def test_a_bad_setting_is_refused_in_the_readers_words_and_changes_nothing(
    app, api, seeded, caplog, lang, text, expected
):
    ada = api.user(1001, language_code=lang)
    await say(api, ada, "/settings")
    before = await delivery(seeded, ada.id)
    with caplog.at_level(logging.WARNING):
        reply = await say(api, ada, text)
    assert expected in reply
    if lang == "zh":
        assert not ENGLISH_KEYS.search(reply)
    assert await delivery(seeded, ada.id) == before
    assert trouble(caplog) == []


@pytest.mark.parametrize(
    "data", ["set:day:7", "set:hour:24", "set:tz:Mars/Olympus", "set:empty:maybe", "set:x:y"]
)
async def test_a_forged_settings_button_is_answered_as_expired(app, api, seeded, caplog, data):
    ada = api.user(1001)
    shown = await reply_to(api, ada, "/settings")
    before = await delivery(seeded, ada.id)
    with caplog.at_level(logging.WARNING):
        answer = await press(api, ada, shown, data, "answerCallbackQuery")
    assert answer.params["text"] == "This button has expired."
    assert await delivery(seeded, ada.id) == before
    assert trouble(caplog) == []


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


async def test_the_language_button_redraws_the_settings_in_the_other_language(app, api, seeded):
    li = api.user(1002, language_code="zh")
    shown = await reply_to(api, li, "/settings")
    mark = api.mark()
    api.user_presses(li, shown, data_of(shown, "🌐"))
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    [edit] = await api.wait_for("editMessageText", since=mark)
    assert answer.params["text"] == "This chat now reads English."
    assert "Day: Monday" in edit.result["text"]
    assert "Language: English" in edit.result["text"]
    assert "(from your Telegram settings)" not in edit.result["text"]
    assert "🌐 中文" in labels(edit.result)
    assert (await stored_chat(seeded, li.id)).language == "en"


async def test_a_typed_language_is_read_in_either_language(app, api, seeded):
    ada = api.user(1001, language_code="en")
    reply = await say(api, ada, "/settings 语言 中文")
    assert reply.startswith("✅ 本聊天现在使用中文。")
    assert "语言：中文" in reply
    assert (await stored_chat(seeded, ada.id)).language == "zh"


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("/settings 东京", "timezone", "Asia/Tokyo"),
        ("/settings UTC+8", "timezone", "Etc/GMT-8"),
        ("/settings 周五", "delivery_weekday", 4),
        ("/settings Sunday", "delivery_weekday", 6),
        ("/settings 21:00", "delivery_hour", 21),
        ("/settings 晚上8点", "delivery_hour", 20),
    ],
)
async def test_a_value_only_one_setting_reads_needs_no_setting_name(
    app, api, seeded, text, field, value
):
    ada = api.user(1001, language_code="zh")
    await say(api, ada, "/settings 时区 柏林")
    assert (await say(api, ada, text)).startswith("✅ ")
    assert getattr(await stored_chat(seeded, ada.id), field) == value


async def test_a_bare_number_is_no_guess_between_a_weekday_and_an_hour(app, api, seeded):
    li = api.user(1002, language_code="zh")
    assert (await say(api, li, "/settings 5")).startswith("用法：/settings 时区 上海")
    assert (await stored_chat(seeded, li.id)).delivery_weekday == 0
