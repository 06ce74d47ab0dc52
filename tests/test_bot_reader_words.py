"""What the bot sends names things as a reader does, in both languages, in a private chat and in
a group: no topic slug, English setting key, raw URL, identifier or traceback in any message or
button label."""

from __future__ import annotations

import pytest

from tests.fakes.bot_api_updates import group
from tests.fakes.conversation import reply_to
from tests.reader_words import wording_problems

COMMANDS = (
    "/start", "/help", "/topics", "/subscriptions", "/settings", "/settings 时区", "/digest",
    "/issues", "/lang", "/subscribe nosuchtopic", "/settings 颜色 蓝", "/settings tz Mars",
    "/subscribe RAG", "/subscriptions",
)  # fmt: skip


def shown(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    return [message["text"], *(b["text"] for row in markup["inline_keyboard"] for b in row)]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("where", ["private", "group"])
async def test_no_reply_names_a_slug_key_or_url(app, api, lang, where):
    ada = api.user(1001, language_code=lang)
    chat = None
    if where == "group":
        chat = api.add_chat(group(-4001))
        api.set_admins(chat.id, [ada.id])
    problems = []
    for command in COMMANDS:
        sent = await reply_to(api, ada, command, **({"chat": chat} if chat else {}))
        for text in shown(sent):
            problems += [f"{command}: {p} in {text!r}" for p in wording_problems(text, lang)]
    assert problems == []


@pytest.mark.parametrize(("lang", "name"), [("zh", "RAG"), ("en", "Retrieval-augmented")])
async def test_topics_are_listed_by_name_only(app, api, lang, name):
    ada = api.user(1001, language_code=lang)
    text = (await reply_to(api, ada, "/topics"))["text"]
    assert name in text
    assert " rag" not in text
    assert "finetuning" not in text
