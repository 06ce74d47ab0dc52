"""Bad input to every command: a clear reply in the chat's language, nothing changed, no error.

Each case is said in a private chat that has already talked to the bot and subscribed to
one topic, by a user whose Telegram speaks English and by one whose Telegram speaks Chinese.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from storage import chats, papers, subscriptions
from storage.db import Database
from tests.fakes.conversation import reply_to

HUGE = "x" * 5000
FTS_SYNTAX = ("NEAR(a b)", '"unbalanced', "*", "a OR", "-x", "title:foo")
HTML = ("<b>x</b>", "<script>&")

# What the reply says, in English and in Chinese
WELCOME = ("Hello, Ada!", "你好，Ada！")
HELP = ("/search — search titles", "/search — ")
UNKNOWN_PAPER = ("I don't know the paper", "找不到论文")
PAPER_USAGE = ("Usage: /paper <arXiv id or link>", "用法：/paper")
LANG_USAGE = ("Usage: /lang zh or /lang en", "用法：/lang zh 或 /lang en")
TOPICS = ("Topics\n", "主题\n")
UNKNOWN_TOPIC = ("Unknown topic: ", "找不到主题：")
BAD_QUERY = ("A keyword query needs 1 to 200 characters", "1 到 200 个字符")
SUBSCRIPTIONS = ("Retrieval-augmented generation", "RAG")
NOT_CHANGED = ("Nothing was changed.", "未做任何修改")
SETTINGS_USAGE = ("Usage: /settings timezone Shanghai", "用法：/settings 时区 上海")
SEARCH_USAGE = ("Usage: /search <words, an author or an arXiv id>", "用法：/search")
SEARCH_TOO_LONG = ("A search can be at most 300 characters long.", "搜索词最多 300 个字符")
DIGEST_USAGE = (
    "Usage: /digest [topic] [2024-06 | 2024-06-24 | previous]",
    "用法：/digest [主题] [2024-06 | 2024-06-24 | 上期]",
)
OPERATORS_ONLY = ("/stats is for the bot's operators only.", "/stats 仅供机器人的运营者使用。")

CASES = [
    ("/start junk", WELCOME),
    ("/start paper_", WELCOME),
    ("/start paper_9999_99999", UNKNOWN_PAPER),
    ("/start " + HUGE, WELCOME),
    *[(f"/start {junk}", WELCOME) for junk in HTML],
    ("/help me please", HELP),
    ("/help " + HUGE, HELP),
    ("/lang fr", LANG_USAGE),
    ("/lang zh en", LANG_USAGE),
    ("/lang " + HUGE, LANG_USAGE),
    *[(f"/lang {junk}", LANG_USAGE) for junk in HTML],
    ("/topics all", TOPICS),
    ("/topics " + HUGE, TOPICS),
    ("/subscribe", TOPICS),
    ("/unsubscribe", TOPICS),
    ("/subscribe nosuchtopic", UNKNOWN_TOPIC),
    ("/unsubscribe nosuchtopic", UNKNOWN_TOPIC),
    ("/subscribe rag nosuchtopic", UNKNOWN_TOPIC),
    ("/unsubscribe rag nosuchtopic", UNKNOWN_TOPIC),
    ("/subscribe " + HUGE, UNKNOWN_TOPIC),
    ("/unsubscribe " + HUGE, UNKNOWN_TOPIC),
    (f'/subscribe "{HUGE}"', BAD_QUERY),
    ('/subscribe ""', BAD_QUERY),
    *[(f"/subscribe {junk}", UNKNOWN_TOPIC) for junk in HTML + FTS_SYNTAX],
    *[(f"/unsubscribe {junk}", UNKNOWN_TOPIC) for junk in HTML + FTS_SYNTAX],
    ("/subscriptions all", SUBSCRIPTIONS),
    ("/subscriptions " + HUGE, SUBSCRIPTIONS),
    ("/settings timezone Mars/Olympus", NOT_CHANGED),
    ("/settings timezone <b>x</b>", NOT_CHANGED),
    ("/settings weekday 8", NOT_CHANGED),
    ("/settings weekday 0", NOT_CHANGED),
    ("/settings weekday someday", NOT_CHANGED),
    ("/settings hour 24", NOT_CHANGED),
    ("/settings hour -1", NOT_CHANGED),
    ("/settings hour 9 extra", NOT_CHANGED),
    ("/settings colour blue", SETTINGS_USAGE),
    ("/settings <script>& x", SETTINGS_USAGE),
    ("/settings timezone " + HUGE, NOT_CHANGED),
    ("/digest nosuchtopic", DIGEST_USAGE),
    ("/digest rag previous extra", DIGEST_USAGE),
    ("/digest " + HUGE, DIGEST_USAGE),
    *[(f"/digest {junk}", DIGEST_USAGE) for junk in HTML + FTS_SYNTAX],
    ("/search", SEARCH_USAGE),
    ("/search    ", SEARCH_USAGE),
    ("/search " + HUGE, SEARCH_TOO_LONG),
    ("/paper", PAPER_USAGE),
    ("/paper 2406.15877 2406.17001", PAPER_USAGE),
    ("/paper junk", UNKNOWN_PAPER),
    ("/paper 9999.99999", UNKNOWN_PAPER),
    ("/paper " + HUGE, UNKNOWN_PAPER),
    *[(f"/paper {junk}", UNKNOWN_PAPER) for junk in HTML],
    ("/stats", OPERATORS_ONLY),
    ("/stats " + HUGE, OPERATORS_ONLY),
]


def case_id(case: tuple[str, tuple[str, str]]) -> str:
    text = case[0]
    return text if len(text) < 40 else f"{text[:20]}…({len(text)} chars)"


async def state_of(path: Path, chat_id: int) -> tuple:
    """What a bad command must not change: the chat's row, its subscriptions, the papers."""
    async with await Database.open(path) as db:
        chat = await chats.get(db, chat_id)
        subs = await subscriptions.for_chat(db, chat_id)
        return chat, [(s.topic_slug, s.query) for s in subs], await papers.count(db)


def trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that betray a failure: errors, or anything carrying a traceback."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[case_id(c) for c in CASES])
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_bad_input_gets_a_clear_reply_and_changes_nothing(
    app, api, seeded, caplog, lang, text, expected
):
    ada = api.user(1001, language_code=lang)
    await reply_to(api, ada, "/subscribe rag")
    before = await state_of(seeded, ada.id)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        reply = await reply_to(api, ada, text)
    english, chinese = expected
    assert (english if lang == "en" else chinese) in reply["text"]
    assert await state_of(seeded, ada.id) == before
    assert trouble(caplog) == []


@pytest.mark.parametrize("query", [*FTS_SYNTAX, *HTML, "AND", "NOT", "(", ":", "^", '"""'])
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_search_syntax_and_html_are_searched_as_words_and_echoed_safely(
    app, api, seeded, caplog, lang, query
):
    ada = api.user(1001, language_code=lang)
    await reply_to(api, ada, "/help")
    before = await state_of(seeded, ada.id)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        reply = await reply_to(api, ada, f"/search {query}")
    # The query comes back as the user typed it: escaped in HTML, not interpreted
    assert f"🔎 {query}" in reply["text"] or f"“{query}”" in reply["text"]
    assert await state_of(seeded, ada.id) == before
    assert trouble(caplog) == []


async def test_a_huge_search_echo_never_exceeds_a_message(app, api):
    ada = api.user(1001)
    longest = "retrieval " * 30  # exactly at the limit once stripped
    reply = await reply_to(api, ada, "/search " + longest.strip())
    assert reply["text"].startswith("🔎 retrieval")
