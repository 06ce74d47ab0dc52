"""/import in chat: an operator sends an editor's article as a document captioned /import and
gets the report, then a short note once arXiv's details are in; anyone else is refused."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from telegram.ext import Application

from bot import config
from bot.app import build_application
from tests.conftest import FIXTURES
from tests.fakes.arxiv_lookup import lookup
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.bot_api import FakeBotApi
from tests.running import running

ARTICLE = (FIXTURES / "articles" / "en_broken_items.md").read_bytes()
ZH_ARTICLE = (FIXTURES / "articles" / "zh_broken_items.txt").read_bytes()
OPERATOR = 4242


@pytest.fixture
async def arxiv() -> AsyncIterator[FakeArxiv]:
    async with FakeArxiv() as server:
        server.respond("/api/query", lookup(date(2024, 6, 20)))
        yield server


@pytest.fixture
async def bot_app(api: FakeBotApi, arxiv: FakeArxiv, seeded: Path) -> AsyncIterator[Application]:
    """The bot as `digestbot run` starts it, asking the fake arXiv for details."""
    settings = config.load(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_DB": str(seeded),
            "DIGESTBOT_ADMINS": str(OPERATOR),
            "DIGESTBOT_ARXIV_API": arxiv.url("/api/query"),
        },
        env_file=None,
    )
    async with running(build_application(settings)) as application:
        yield application


def table_rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("papers", "summaries", "paper_topics", "editor_picks")
        }
    finally:
        db.close()


async def send(api: FakeBotApi, user, name: str, content: bytes, count: int = 1, **extra):
    mark = api.mark()
    api.user_sends_document(user, name, content, **extra)
    return [call.result["text"] for call in await api.wait_for("sendMessage", count, since=mark)]


async def test_an_operator_imports_an_article_and_hears_when_arxiv_completed_it(
    bot_app, api, arxiv, seeded
):
    operator = api.user(OPERATOR, language_code="en")
    report, completed = await send(api, operator, "issue-31.md", ARTICLE, count=2)
    assert "Imported 3 items" in report
    assert "• Robotics Corner: 1 item, no topic of that name" in report
    assert "line 31: the item's arXiv link is malformed" in report
    assert "Details from arXiv: 3 papers complete" in completed
    assert "Jun 17, 2024" in completed
    rows = table_rows(seeded)
    assert len(rows["editor_picks"]) == 3
    assert {row[0] for row in rows["editor_picks"]} == {"2024-06-17"}
    assert len(arxiv.seen("/api/query")) == 1


async def test_the_report_is_in_the_operators_language_with_the_period_given(bot_app, api):
    operator = api.user(OPERATOR, language_code="zh-hans")
    [report, _] = await send(
        api, operator, "速递.txt", ZH_ARTICLE, count=2, caption="/import --period 2024-07-10"
    )
    assert "第 12 行：条目没有 arXiv 链接" in report
    assert "2024年7月1日至2024年7月14日这两周" in report


async def test_someone_who_is_not_an_operator_is_refused_and_nothing_changes(bot_app, api, seeded):
    before = table_rows(seeded)
    stranger = api.user(1001, language_code="en")
    [reply] = await send(api, stranger, "issue-31.md", ARTICLE)
    assert reply == "/import is for the bot's operators only."
    assert table_rows(seeded) == before
    assert api.calls("getFile") == []


@pytest.mark.parametrize(
    ("name", "content", "mime_type", "expected"),
    [
        ("paper.pdf", b"%PDF-1.7", "application/pdf", "plain text or Markdown file"),
        ("huge.md", b"#" * 1_000_001, "text/markdown", "too large"),
        ("fake.txt", b"\x89PNG\x00\x00", "text/plain", "not a text article"),
    ],
)
async def test_a_file_that_is_not_an_article_gets_a_clear_reply(
    bot_app, api, seeded, name, content, mime_type, expected
):
    before = table_rows(seeded)
    operator = api.user(OPERATOR, language_code="en")
    [reply] = await send(api, operator, name, content, mime_type=mime_type)
    assert expected in reply
    assert table_rows(seeded) == before


async def test_import_as_text_explains_how_to_send_an_article(bot_app, api):
    operator = api.user(OPERATOR, language_code="en")
    mark = api.mark()
    api.user_says(operator, "/import")
    [sent] = await api.wait_for("sendMessage", since=mark)
    assert "a document with the caption /import" in sent.result["text"]
