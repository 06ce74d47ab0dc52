"""Why a paper is there, told to readers through the real Application and the fake Bot API:
a line under each paper of /digest, and on a paper card, in English and in Chinese."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app import build_application
from storage import hf_signals
from storage.hf_signals import DaySignal
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser
from tests.fakes.conversation import reply_to
from tests.running import running

NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)  # in the fortnight of 17–30 June 2024
ADA = FakeUser(601, "Ada", language_code="en")
LI = FakeUser(602, "Li", language_code="zh-CN")


@pytest.fixture
async def chat_app(tmp_path, api):
    path = tmp_path / "why.sqlite3"
    rt = await world.runtime(path)
    day = datetime(2024, 6, 18, tzinfo=UTC)
    upvoted = await world.add_paper(rt, "2406.20001", day, {"rag": 0.9}, title="Upvoted RAG")
    await world.add_paper(rt, "2406.20002", day, {"rag": 0.6}, title="Plain RAG", importance=5)
    await hf_signals.record(rt.db, date(2024, 6, 19), [DaySignal(upvoted, 26, 2)])
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)) as application:
        yield application


async def test_each_paper_of_a_digest_says_why_it_is_there_in_the_readers_language(chat_app, api):
    english = (await reply_to(api, ADA, "/digest rag"))["text"]
    assert "1. Upvoted RAG\n🔥 HF 26 upvotes · on topic\n" in english
    assert "2. Plain RAG\n⭐ rated 5/5 by the model · related to the topic\n" in english
    chinese = (await reply_to(api, LI, "/digest rag"))["text"]
    assert "1. Upvoted RAG\n🔥 HF 26 赞 · 主题吻合\n" in chinese
    assert "2. Plain RAG\n⭐ 模型评分 5/5 · 与主题相关\n" in chinese


async def test_a_card_says_what_sets_its_paper_apart_in_the_readers_language(chat_app, api):
    english = (await reply_to(api, ADA, "/paper 2406.20001"))["text"]
    assert "🔥 HF 26 upvotes" in english
    chinese = (await reply_to(api, LI, "/paper 2406.20001"))["text"]
    assert "🔥 HF 26 赞" in chinese


async def test_a_card_of_a_paper_not_on_daily_papers_tells_only_the_models_rating(chat_app, api):
    plain = (await reply_to(api, ADA, "/paper 2406.20002"))["text"]
    assert "⭐ rated 5/5 by the model" in plain
    assert "🔥" not in plain
