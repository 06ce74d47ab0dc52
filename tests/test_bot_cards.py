"""The bot in a private chat: welcome, help, deep links and paper cards, in English and Chinese.

The real python-telegram-bot Application polls the fake Bot API on 127.0.0.1.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.arxiv_ids import to_deep_link
from bot.runtime import RedactTokens
from storage import papers
from storage.db import Database
from tests.fakes.conversation import press, reply_to


async def a_stored_paper(seeded: Path) -> str:
    async with await Database.open(seeded) as db:
        return (await papers.latest(db, 1))[0].arxiv_id


async def test_start_welcomes_in_the_users_language_and_escapes_their_name(app, api):
    ada = api.user(1001, "<Ada & co>", language_code="en")
    li = api.user(1002, "李", language_code="zh-hans")
    mark = api.mark()
    api.user_says(ada, "/start")
    api.user_says(li, "/start")
    await api.wait_for("sendMessage", count=2, since=mark)
    assert "Hello, <Ada & co>!" in api.last_text(ada.id)
    assert "你好，李！" in api.last_text(li.id)


async def test_the_command_menus_are_published_in_english_and_chinese(app, api):
    english = api.commands(language_code="")
    chinese = api.commands(language_code="zh")
    assert [c["command"] for c in english] == [c["command"] for c in chinese]
    assert {"start", "help", "paper"} <= {c["command"] for c in english}
    assert english[0]["description"] != chinese[0]["description"]


async def test_a_deep_link_opens_the_papers_card_with_its_buttons(app, api, seeded):
    arxiv_id = await a_stored_paper(seeded)
    ada = api.user(1001)
    sent = await reply_to(api, ada, f"/start {to_deep_link(arxiv_id)}")
    buttons = [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]
    assert any(f"arxiv.org/abs/{arxiv_id}" in b.get("url", "") for b in buttons)
    assert any(b.get("callback_data", "").startswith("card:lang:") for b in buttons)
    assert any(b.get("switch_inline_query") == arxiv_id for b in buttons)


async def test_paper_without_an_id_gets_the_usage_and_an_unknown_id_a_clear_reply(app, api):
    ada = api.user(1001)
    assert "Usage: /paper <arXiv id or link>" in (await reply_to(api, ada, "/paper"))["text"]
    assert (
        "I don't know the paper “<b>2101.99999</b>”"
        in (await reply_to(api, ada, "/paper <b>2101.99999</b>"))["text"]
    )


async def test_the_language_button_edits_the_card_in_place(app, api, seeded):
    arxiv_id = await a_stored_paper(seeded)
    ada = api.user(1001, language_code="en")
    sent = await reply_to(api, ada, f"/paper https://arxiv.org/abs/{arxiv_id}v1")
    english = sent["text"]
    edit = await press(api, ada, sent, f"card:lang:{arxiv_id}:zh", "editMessageText")
    assert edit.params["message_id"] == sent["message_id"]
    assert edit.result["text"] != english
    assert "发布" in edit.result["text"]  # the Chinese card: "2024年6月25日发布"
    assert "Announced" in english


async def test_a_forged_button_is_answered_and_changes_nothing(app, api):
    ada = api.user(1001)
    sent = await reply_to(api, ada, "/help")
    mark = api.mark()
    api.user_presses(ada, sent, "card:lang:2101.99999:zh")
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert answer.params.get("text") == "This button has expired."
    assert api.calls("editMessageText", since=mark) == []


def test_bot_tokens_are_redacted_from_log_lines():
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1,
        'HTTP Request: POST %s "HTTP/1.1 200 OK"',
        ("https://api.telegram.org/bot123456789:AAFakeTokenForTestsOnly-abcdefghijkl/getMe",),
        None,
    )  # fmt: skip
    RedactTokens().filter(record)
    assert "AAFake" not in record.getMessage()
    assert "/bot<token>/getMe" in record.getMessage()


async def test_similar_papers_lists_other_papers_each_opening_its_card_never_itself(
    app, api, seeded
):
    arxiv_id = await a_stored_paper(seeded)
    ada = api.user(1001)
    card = await reply_to(api, ada, f"/paper {arxiv_id}")
    mark = api.mark()
    api.user_presses(ada, card, f"card:similar:{arxiv_id}")
    [results] = await api.wait_for("sendMessage", since=mark)
    opens = [
        b["callback_data"] for row in results.result["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert opens
    assert all(data.startswith("card:open:") for data in opens)
    assert f"card:open:{arxiv_id}" not in opens
    assert results.result["text"].startswith("🔗 Papers like")
    assert len(api.calls("answerCallbackQuery", since=mark)) == 1


async def test_a_button_no_feature_knows_is_answered_once(app, api):
    ada = api.user(1001)
    sent = await reply_to(api, ada, "/help")
    answer = await press(api, ada, sent, "legacy:button:from:v0", "answerCallbackQuery")
    assert answer.params.get("text") == "This button has expired."
