"""The fake Bot API behaves like Telegram for python-telegram-bot: shapes, refusals, updates."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    SwitchInlineQueryChosenChat,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, TypeHandler

from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_html import HtmlParseError, parse_html
from tests.fakes.bot_api_process import FakeBotApiProcess
from tests.fakes.bot_api_updates import FakeChat, group, supergroup

FORUM = supergroup(-1001234567890, "ML papers", forum=True)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


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


ALLOWED_HTML = [
    ("<b>b</b><strong>s</strong>", "bs"),
    ("<i>i</i><em>e</em><u>u</u><ins>n</ins>", "ieun"),
    ("<s>s</s><strike>t</strike><del>d</del>", "std"),
    ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
    ('<a href="https://arxiv.org/abs/2401.00001?a=1&amp;b=2">abs</a>', "abs"),
    ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
    ("<code>x &lt; y</code>", "x < y"),
    ('<pre><code class="language-python">print("hi")</code></pre>', 'print("hi")'),
    ("<pre>block</pre><blockquote>q</blockquote><blockquote expandable>e</blockquote>", "blockqe"),
    ("&lt;&gt;&amp;&quot;&#39;&#x4e2d; 5 > 3", "<>&\"'中 5 > 3"),
    ("<b>bold <i>both</i></b> <B>upper</B>", "bold both upper"),
]
REFUSED_HTML = [
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("AT&T", 'Character "&" must be escaped'),
    ("&nbsp;", 'Character "&" must be escaped'),
    ("<a href>x</a>", "Expected equal sign"),
    ("中文<p>", 'Unsupported start tag "p" at byte offset 6'),
]


@pytest.mark.parametrize(("html", "visible"), ALLOWED_HTML)
def test_the_html_checker_accepts_every_documented_construct(html, visible):
    assert parse_html(html).text == visible


@pytest.mark.parametrize(("html", "reason"), REFUSED_HTML)
def test_the_html_checker_refuses_what_telegram_refuses(html, reason):
    with pytest.raises(HtmlParseError) as refused:
        parse_html(html)
    assert str(refused.value).startswith(reason)


def test_entities_carry_utf16_offsets_and_pre_keeps_its_language():
    parsed = parse_html('🙂 <b>x</b><pre><code class="language-py">y</code></pre>')
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 1},
        {"type": "pre", "offset": 4, "length": 1, "language": "py"},
    ]


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
    assert raised.value.retry_after == 7
    api.limit_rate(overall_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    await bot.send_message(ada.id, "first")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(ada.id, "second at once")
    assert raised.value.retry_after == 1
    api.limit_rate(per_group_per_minute=20, burst=20)
    for number in range(20):
        await bot.send_message(reading_group.id, f"item {number}")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(reading_group.id, "one too many")
    assert raised.value.retry_after == 3


async def test_a_wrong_token_or_an_unknown_method_is_refused(api, bot):
    wrong = Bot("987654321:AAWrongTokenWrongTokenWrongToken", base_url=api.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await wrong.initialize()
    assert len(api.calls("getMe")) == 1  # the fixture's own: a wrong token reaches no method
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})


async def test_a_long_poll_returns_an_injected_update_and_offset_acknowledges_it(api, bot):
    ada = api.user(1001, language_code="zh-hans")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    api.user_says(ada, "/start paper_2401.00001")
    [update] = await poll
    assert time.monotonic() - started < 2
    assert update.message.from_user.language_code == "zh-hans"
    assert update.message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=update.update_id, timeout=0) == (update,)
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert await bot.get_updates(timeout=0.3) == ()


async def test_allowed_updates_persist_and_drop_other_kinds(api, bot):
    ada = api.user(1001)
    api.user_queries_inline(ada, "rag")
    api.user_says(ada, "hello")
    updates = await bot.get_updates(timeout=0, allowed_updates=["message"])
    assert [u.message.text for u in updates] == ["hello"]
    api.user_queries_inline(ada, "rag")
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_inline_answers_are_checked_like_telegram_checks_them(api, bot):
    ada = api.user(1001)
    query_id = api.user_queries_inline(ada, "rag", offset="5")["inline_query"]["id"]

    def results(count: int, ids: str = "paper-{}") -> list:
        content = InputTextMessageContent("<b>card</b>", parse_mode="HTML")
        return [InlineQueryResultArticle(ids.format(n), "t", content) for n in range(count)]

    for bad, reason in [
        (results(51), "Results_too_much"),
        (results(2, "same"), "Result_id_duplicate"),
        (results(1, "x" * 65), "Result_id_invalid"),
    ]:
        with pytest.raises(BadRequest, match=reason):
            await bot.answer_inline_query(query_id, bad)
    assert await bot.answer_inline_query(query_id, results(50), next_offset="10")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, results(1))


async def test_a_button_press_can_be_answered_once(api, bot):
    ada = api.user(1001)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("中", callback_data="l:zh")]])
    sent = await bot.send_message(ada.id, "card", reply_markup=keyboard)
    api.user_presses(ada, api.sent_to(ada.id)[0], "l:zh")
    [update] = await bot.get_updates(timeout=0)
    assert update.callback_query.message.message_id == sent.message_id
    assert update.callback_query.data == "l:zh"
    assert await bot.answer_callback_query(update.callback_query.id, "ok")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(update.callback_query.id)


async def test_members_admins_and_chat_info_have_every_status_ptb_knows(api, bot):
    chat = api.add_chat(supergroup(-1005, "Papers"))
    api.set_admins(chat.id, [11, 12], creator=10, anonymous=(12,))
    api.set_member_status(chat.id, 13, "left")
    api.set_member_status(chat.id, 14, "kicked")
    api.set_member_status(chat.id, 15, "restricted")
    statuses = [(await bot.get_chat_member(chat.id, n)).status for n in range(10, 17)]
    assert statuses == [
        "creator",
        "administrator",
        "administrator",
        "left",
        "kicked",
        "restricted",
        "member",
    ]
    admins = await bot.get_chat_administrators(chat.id)
    assert [(a.user.id, a.status, a.is_anonymous) for a in admins] == [
        (10, "creator", False),
        (11, "administrator", False),
        (12, "administrator", True),
    ]
    assert (await bot.get_chat(chat.id)).title == "Papers"


async def test_commands_are_kept_per_scope_and_language(api, bot):
    await bot.set_my_commands([("digest", "本期摘要")], language_code="zh")
    await bot.set_my_commands([("digest", "This fortnight's digest"), ("help", "Every command")])
    assert [c.command for c in await bot.get_my_commands()] == ["digest", "help"]
    assert (await bot.get_my_commands(language_code="zh"))[0].description == "本期摘要"
    assert await bot.delete_my_commands(language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Digest!", "no")])
    assert await bot.set_chat_menu_button()
    assert await bot.send_chat_action(api.user(1001).id, "typing")


async def test_a_document_sent_to_the_bot_can_be_fetched_and_one_sent_is_recorded(api, bot):
    ada = api.user(1001)
    api.user_sends_document(ada, "digest.md", "1、标题\n".encode())
    [update] = await bot.get_updates(timeout=0)
    assert update.message.caption == "/import"
    assert update.message.caption_entities[0].type == "bot_command"
    file = await bot.get_file(update.message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == "1、标题\n".encode()
    sent = await bot.send_document(
        ada.id, b"id,title\n", filename="export.csv", caption="<b>ok</b>", parse_mode="HTML"
    )
    assert (sent.document.file_name, sent.caption) == ("export.csv", "ok")
    assert api.calls("sendDocument")[0].params["document"].content == b"id,title\n"


async def test_a_webhook_blocks_polling_until_deleted(api, bot):
    assert await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_a_polling_application_sees_every_update_kind_and_replies_in_the_topic(api, bot):
    ada = api.user(1001)
    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    seen: list[Update] = []
    all_seen = asyncio.Event()

    async def digest(update: Update, context) -> None:
        await update.effective_message.reply_text("<b>Digest</b>", parse_mode="HTML")

    app.add_handler(CommandHandler("digest", digest))

    async def record(update: Update, context) -> None:
        seen.append(update)
        if len(seen) == 5:
            all_seen.set()

    app.add_handler(TypeHandler(Update, record), group=1)
    old_group = api.add_chat(group(-4001))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        api.user_says(ada, f"/digest@{api.bot_username}", chat=FORUM, thread_id=7)
        api.anonymous_admin_says(FORUM, "/topics", thread_id=7)
        api.bot_membership_changes(FakeChat(ada.id, "private"), "kicked")
        api.group_migrates(old_group, -1004001)
        [reply] = await api.wait_for("sendMessage", timeout=5)
        await asyncio.wait_for(all_seen.wait(), 5)
        await app.updater.stop()
        await app.stop()
    assert (reply.params["message_thread_id"], reply.result["is_topic_message"]) == (7, True)
    assert seen[1].effective_message.sender_chat.id == FORUM.id
    assert seen[2].my_chat_member.new_chat_member.status == "kicked"
    assert (seen[3].message.migrate_to_chat_id, seen[4].message.migrate_from_chat_id) == (
        -1004001,
        old_group.id,
    )
    with pytest.raises(ChatMigrated):
        await bot.send_message(old_group.id, "still there?")


async def test_latency_delays_each_answer(api, bot):
    api.latency = 0.2
    started = time.monotonic()
    await bot.send_message(api.user(1001).id, "slow")
    assert time.monotonic() - started >= 0.2


def test_the_server_runs_in_its_own_process_and_reports_its_counts():
    async def send(base_url: str, token: str) -> None:
        async with Bot(token, base_url=base_url) as client:
            await asyncio.gather(*(client.send_message(n, "hi") for n in range(1, 21)))

    with FakeBotApiProcess(per_chat_per_second=1) as server:
        asyncio.run(send(server.base_url, server.token))
        stats = server.stats()
    assert stats["counts"]["sendMessage"] == 20
    assert stats["rejected"] == 0
