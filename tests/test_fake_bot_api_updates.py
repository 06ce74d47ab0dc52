"""The fake Bot API delivers updates: long polling, allowed updates, inline queries, button
presses, members and admins, commands, documents, webhooks, a polling Application."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
)
from telegram.ext import ApplicationBuilder, CommandHandler, TypeHandler

from tests.fakes.bot_api_process import FakeBotApiProcess
from tests.fakes.bot_api_updates import FakeChat, group, supergroup

FORUM = supergroup(-1001234567890, "ML papers", forum=True)


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
