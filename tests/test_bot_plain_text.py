"""Text that is no command of the bot's: searched or opened as a card in a private chat, an
unknown command gets a hint, and in a group the bot speaks only when spoken to."""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.bot_api_updates import group
from tests.fakes.conversation import reply_to

PAPER_LINKS = [
    "2406.15877",
    "2406.15877v2",
    "arXiv:2406.15877",
    "https://arxiv.org/abs/2406.15877",
    "https://arxiv.org/abs/2406.15877v1",
    "https://arxiv.org/pdf/2406.15877",
    "https://arxiv.org/pdf/2406.15877v2.pdf",
    "https://arxiv.org/html/2406.15877v2",
    "arxiv.org/abs/2406.15877",
    "Have you read https://arxiv.org/abs/2406.15877 yet?",
    "２４０６．１５８７７",  # typed with a Chinese input method in full-width mode
]
SPARSE_TITLE = "Aligning Large Language Models with Sparse Human Feedback"


async def nothing_more_for(api, user, chat_id: int, mark: int) -> list[dict]:
    """The bot's messages to `chat_id` since `mark`, once a sentinel /help was answered."""
    api.user_says(user, "/help", chat=api.world.find_chat(chat_id))
    await api.wait_for("sendMessage", chat_id=chat_id, since=mark)
    await asyncio.sleep(0.2)  # a reply to the message before would have come by now
    return [c.result for c in api.calls("sendMessage", chat_id=chat_id, since=mark)]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_plain_text_in_a_private_chat_searches_as_search_does(app, api, lang):
    ada = api.user(1001, language_code=lang)
    searched = await reply_to(api, ada, "/search sparse human feedback")
    typed = await reply_to(api, ada, "sparse human feedback")
    assert typed["text"] == searched["text"]
    assert SPARSE_TITLE in typed["text"]
    assert typed["reply_markup"]["inline_keyboard"]


@pytest.mark.parametrize("text", PAPER_LINKS)
async def test_an_arxiv_id_or_link_in_a_private_chat_opens_its_card(app, api, text):
    ada = api.user(1001)
    card = await reply_to(api, ada, text)
    assert SPARSE_TITLE in card["text"]
    assert "arxiv.org/abs/2406.15877" in str(card.get("entities", "")) + card["text"]


@pytest.mark.parametrize(
    "text", ["hep-th/9901001", "hep-th/9901001v3", "https://arxiv.org/abs/hep-th/9901001"]
)
async def test_an_old_style_arxiv_id_opens_its_card(app, api, text):
    ada = api.user(1001)
    card = await reply_to(api, ada, text)
    assert "Quantum Field Theory Methods" in card["text"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "I don't know the command /nosuchcommand. /help lists what I can do."),
        ("zh", "没有 /nosuchcommand 这个命令。发送 /help 查看我能做的事。"),
    ],
)
async def test_an_unknown_command_in_a_private_chat_gets_a_hint_naming_help(
    app, api, lang, expected
):
    ada = api.user(1001, language_code=lang)
    assert (await reply_to(api, ada, "/nosuchcommand please"))["text"] == expected


async def test_a_command_for_another_bot_is_ignored_even_in_private(app, api):
    ada = api.user(1001)
    mark = api.mark()
    api.user_says(ada, "/nosuch@other_bot")
    api.user_says(ada, "/search@other_bot retrieval")
    sent = await nothing_more_for(api, ada, ada.id, mark)
    assert [m["text"][:6] for m in sent] == ["/start"]


async def test_a_card_shared_inline_into_the_chat_is_not_taken_for_a_request(app, api):
    ada = api.user(1001)
    mark = api.mark()
    message = api._message(api.world.find_chat(ada.id), ada, text="Sparse feedback card")
    message["via_bot"] = api.bot.to_json()
    api.inject("message", message)
    sent = await nothing_more_for(api, ada, ada.id, mark)
    assert len(sent) == 1


def said_in_group(api, user, chat, text: str, **extra) -> dict:
    message = api._message(chat, user, text=text)
    message.update(extra)
    return api.inject("message", message)


async def test_in_a_group_the_bot_ignores_chatter_and_unaddressed_unknown_commands(app, api):
    ada = api.user(1001)
    room = api.add_chat(group(-500, "Reading group"))
    mark = api.mark()
    for text in ("hello everyone", "2406.15877", "/nosuch", "/nosuch@other_bot", "@other_bot hi"):
        said_in_group(api, ada, room, text)
    sent = await nothing_more_for(api, ada, room.id, mark)
    assert [m["text"][:6] for m in sent] == ["/help "]  # the sentinel: a group's /help


async def test_in_a_group_a_mention_searches_or_opens_a_card(app, api):
    ada = api.user(1001, language_code="zh")
    room = api.add_chat(group(-500, "Reading group"))
    handle = "@" + api.bot_username
    mention = [{"type": "mention", "offset": 0, "length": len(handle)}]
    mark = api.mark()
    said_in_group(api, ada, room, f"{handle} 2406.15877", entities=mention)
    [card] = await api.wait_for("sendMessage", chat_id=room.id, since=mark)
    assert SPARSE_TITLE in card.result["text"]
    mark = api.mark()
    said_in_group(api, ada, room, f"{handle.upper()} sparse human feedback", entities=mention)
    [found] = await api.wait_for("sendMessage", chat_id=room.id, since=mark)
    assert SPARSE_TITLE in found.result["text"]
    mark = api.mark()
    said_in_group(api, ada, room, handle, entities=mention)
    [hint] = await api.wait_for("sendMessage", chat_id=room.id, since=mark)
    assert "/help" in hint.result["text"]


async def test_in_a_group_a_reply_to_the_bot_is_answered_and_an_addressed_command_hinted(app, api):
    ada = api.user(1001)
    room = api.add_chat(group(-500, "Reading group"))
    bot_said = await reply_to(api, ada, "/help", chat=room)
    mark = api.mark()
    said_in_group(api, ada, room, "sparse human feedback", reply_to_message=bot_said)
    [found] = await api.wait_for("sendMessage", chat_id=room.id, since=mark)
    assert SPARSE_TITLE in found.result["text"]
    hint = await reply_to(api, ada, f"/nosuch@{api.bot_username}", chat=room)
    assert hint["text"].startswith("I don't know the command /nosuch.")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Send me words to search, an arXiv link to open its card, or /help"),
        ("zh", "发给我关键词即可搜索"),
    ],
)
async def test_a_location_or_an_uncaptioned_file_in_private_gets_a_hint(app, api, lang, expected):
    ada = api.user(1001, language_code=lang)
    mark = api.mark()
    api.user_sends_document(ada, "notes.txt", b"hello", caption=None)
    [hint] = await api.wait_for("sendMessage", chat_id=ada.id, since=mark)
    assert expected in hint.result["text"]
    mark = api.mark()
    location = api._message(api.world.find_chat(ada.id), ada)
    location["location"] = {"latitude": 31.23, "longitude": 121.47}
    api.inject("message", location)
    [hint] = await api.wait_for("sendMessage", chat_id=ada.id, since=mark)
    assert expected in hint.result["text"]
