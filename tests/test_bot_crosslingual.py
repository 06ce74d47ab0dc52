"""Chinese readers find English papers in chat: /search and inline mode through the real
Application and the fake Bot API, with the terms searched in the other language shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import papers
from storage.db import Database
from storage.models import Paper
from tests.fakes.conversation import reply_to


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    """English-only papers, as the arXiv feeds bring them."""
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        await papers.upsert(
            db,
            [
                Paper("2403.00001", 1, "Red-Teaming Large Language Models"),
                Paper("2403.00002", 1, "Safety Alignment Should Be More Than Skin Deep"),
                Paper("2403.00003", 1, "Protein Folding with Diffusion"),
            ],
        )
    return path


async def test_a_chinese_reader_finds_an_english_red_teaming_paper_and_sees_why(app, api):
    mei = api.user(1002, language_code="zh-hans")
    sent = await reply_to(api, mei, "/search 红队测试")
    assert "Red-Teaming Large Language Models" in sent["text"]
    assert "同时搜索了：红队测试 → red teaming" in sent["text"]
    assert "Protein" not in sent["text"]


async def test_an_english_reader_sees_the_searched_terms_in_english(app, api):
    ada = api.user(1001, language_code="en")
    sent = await reply_to(api, ada, "/search 安全对齐")
    assert "Safety Alignment Should Be More Than Skin Deep" in sent["text"]
    assert "Also searched: 安全对齐 → safety alignment" in sent["text"]


async def test_an_english_query_says_its_chinese_terms_too(app, api):
    ada = api.user(1001, language_code="en")
    sent = await reply_to(api, ada, "/search red teaming")
    assert "Also searched: red teaming → 红队测试" in sent["text"]


async def test_nothing_found_still_says_what_was_searched(app, api):
    mei = api.user(1002, language_code="zh-hans")
    sent = await reply_to(api, mei, "/search 联邦学习")
    assert "没有找到" in sent["text"]
    assert "联邦学习 → federated learning" in sent["text"]


async def test_an_inline_chinese_query_offers_the_english_card_and_says_why(app, api):
    mei = api.user(1002, language_code="zh-hans")
    mark = api.mark()
    api.user_queries_inline(mei, "红队测试")
    [answer] = await api.wait_for("answerInlineQuery", since=mark)
    assert answer.ok, answer.error
    [result] = answer.params["results"]
    assert result["title"] == "Red-Teaming Large Language Models"
    assert result["description"].endswith("\n🔎 红队测试 → red teaming")
