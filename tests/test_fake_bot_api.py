"""The fake Bot API answers like Telegram for python-telegram-bot: shapes, refusals, rates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    SwitchInlineQueryChosenChat,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)

from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_updates import group, supergroup

FORUM = supergroup(-1001234567890, "ML papers", forum=True)


async def test_a_sent_html_message_with_every_button_kind_comes_back_as_ptb_objects(api, bot):
    ada = api.user(1001)
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("EN", callback_data="card:lang:en:2401.00001")],
            [InlineKeyboardButton("abs", url="https://arxiv.org/abs/2401.00001")],
            [InlineKeyboardButton("share", switch_inline_query="2401.00001")],
            [
                InlineKeyboardButton(
                    "send", switch_inline_query_chosen_chat=SwitchInlineQueryChosenChat("x")
                )
            ],
        ]
    )
    message = await bot.send_message(
        ada.id,
        "<b>Attention</b> &amp; <a href='https://arxiv.org'>more</a>",
        parse_mode="HTML",
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert bot.username == "digest_test_bot"
    assert (message.text, message.from_user.id, message.chat.id) == (
        "Attention & more",
        bot.id,
        1001,
    )
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 9),
        ("text_link", 12, 4),
    ]
    assert message.reply_markup == keyboard
    assert api.last_text(ada.id) == "Attention & more"
    assert api.calls("sendMessage")[0].params["reply_markup"]["inline_keyboard"][0][0] == {
        "text": "EN",
        "callback_data": "card:lang:en:2401.00001",
    }


async def test_message_ids_count_up_per_chat_for_both_sides(api, bot):
    ada, bob = api.user(1001), api.user(1002, "Bob")
    api.user_says(ada, "hello")
    first = await bot.send_message(ada.id, "one")
    second = await bot.send_message(ada.id, "two")
    other = await bot.send_message(bob.id, "one")
    assert (first.message_id, second.message_id, other.message_id) == (2, 3, 1)


async def test_an_edit_changes_the_message_and_an_identical_edit_is_not_modified(api, bot):
    ada = api.user(1001)
    sent = await bot.send_message(ada.id, "Chinese summary")
    edited = await bot.edit_message_text("English summary", ada.id, sent.message_id)
    assert edited.text == "English summary"
    assert edited.edit_date is not None
    assert api.messages_in(ada.id)[0]["text"] == "English summary"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("English summary", ada.id, sent.message_id)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("▶", callback_data="page:2")]])
    await bot.edit_message_reply_markup(ada.id, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(ada.id, sent.message_id, reply_markup=keyboard)


async def test_editing_or_deleting_a_message_that_does_not_exist_is_refused(api, bot):
    ada = api.user(1001)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ada.id, 99)
    sent = await bot.send_message(ada.id, "bye")
    assert await bot.delete_message(ada.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ada.id, sent.message_id)


async def test_length_is_counted_on_the_visible_text_after_entity_parsing(api, bot):
    ada = api.user(1001)
    visible = "<b>" + "x" * 4000 + "</b><i>" + "&amp;" * 96 + "</i>"
    assert len((await bot.send_message(ada.id, visible, parse_mode="HTML")).text) == 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ada.id, "<b>y</b>" + visible, parse_mode="HTML")
    # an astral character is two UTF-16 units, Telegram's unit for offsets
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ada.id, "🙂" * 2049)


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>"])
async def test_a_text_with_nothing_visible_is_empty(api, bot, text):
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(api.user(1001).id, text, parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_refused(api, bot):
    too_long = "card:" + "é" * 30  # 65 bytes in UTF-8, 35 characters
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=too_long)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(api.user(1001).id, "card", reply_markup=keyboard)


async def test_malformed_html_and_unknown_chats_are_bad_requests(api, bot):
    ada = api.user(1001)
    with pytest.raises(BadRequest, match=r"Can't parse entities: unsupported start tag \"br\""):
        await bot.send_message(ada.id, "line<br>line", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello")


@pytest.mark.parametrize(
    ("script", "error", "description"),
    [
        (FakeBotApi.block, Forbidden, "Forbidden: bot was blocked by the user"),
        (FakeBotApi.kick, Forbidden, "Forbidden: bot was kicked from the group chat"),
        (FakeBotApi.throttle, RetryAfter, "Too Many Requests: retry after 3"),
    ],
    ids=["blocked", "kicked", "throttled"],
)
async def test_scripted_failures_raise_the_ptb_exception_telegram_would_cause(
    api, bot, script, error, description
):
    chat = api.add_chat(group(-4001))
    script(api, chat.id)
    with pytest.raises(error):
        await bot.send_message(chat.id, "digest")
    assert api.calls("sendMessage")[0].error == description


async def test_a_migrated_group_answers_with_the_new_supergroup_id(api, bot):
    chat = api.add_chat(group(-4001))
    api.migrate(chat.id, -1004001)
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(chat.id, "digest")
    assert raised.value.new_chat_id == -1004001


async def test_sends_above_the_configured_rate_are_answered_429(api, bot):
    ada, reading_group = api.user(1001), api.add_chat(group(-4001))
    api.throttle(ada.id, retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(ada.id, "throttled once")
    assert raised.value.retry_after == timedelta(seconds=7)
    api.limit_rate(overall_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    await bot.send_message(ada.id, "first")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(ada.id, "second at once")
    assert raised.value.retry_after == timedelta(seconds=1)
    api.limit_rate(per_group_per_minute=20, burst=20)
    for number in range(20):
        await bot.send_message(reading_group.id, f"item {number}")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(reading_group.id, "one too many")
    assert raised.value.retry_after == timedelta(seconds=3)


async def test_a_wrong_token_or_an_unknown_method_is_refused(api, bot):
    wrong = Bot("987654321:AAWrongTokenWrongTokenWrongToken", base_url=api.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await wrong.initialize()
    assert len(api.calls("getMe")) == 1  # the fixture's own: a wrong token reaches no method
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
