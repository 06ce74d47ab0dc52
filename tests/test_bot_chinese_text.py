"""A Chinese reader's messages are set as Chinese is written: a date runs into the word that
follows it (2024年6月18日发布), nothing but the text follows a full-width colon, and a thing
is called by one name on its button and in the answer (相似论文 → 相似的论文). English readers
keep their spaces.

The real python-telegram-bot Application polls the fake Bot API on 127.0.0.1; the bot's clock
is set in the fortnight of 17–30 June 2024.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import build_application
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser
from tests.fakes.conversation import press, reply_to
from tests.running import running

NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)
ADA = FakeUser(801, "Ada", language_code="en")
LI = FakeUser(802, "Li", language_code="zh-hans")


@pytest.fixture
async def chat_app(tmp_path, api):
    path = tmp_path / "chinese-text.sqlite3"
    rt = await world.runtime(path)
    await world.add_paper(rt, "2406.30001", datetime(2024, 6, 18, tzinfo=UTC), {"rag": 1.0},
                          title="Retrieval in English only",
                          summaries_by_lang={"en": "Retrieval helps."})  # fmt: skip
    await world.add_paper(rt, "2406.30002", datetime(2024, 6, 19, tzinfo=UTC), {"rag": 1.0},
                          title="Retrieval in English, again")  # fmt: skip
    await rt.close()
    for user in (ADA, LI):
        api.user(user.id, user.first_name, language_code=user.language_code)
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)) as application:
        yield application


async def test_a_chinese_digest_reads_as_chinese_is_written(chat_app, api):
    text = (await reply_to(api, LI, "/digest rag"))["text"]
    assert text.startswith("📚 2024年6月17日至30日重要论文总结\n")
    assert "暂无中文摘要，以下为英文：Retrieval helps." in text
    english = (await reply_to(api, ADA, "/digest rag"))["text"]
    assert english.startswith("📚 Papers that mattered, Jun 17\u2009–\u200930, 2024\n")


async def test_a_chinese_card_says_when_its_paper_came_out_in_one_word(chat_app, api):
    card = (await reply_to(api, LI, "/paper 2406.30001"))["text"]
    assert "📅 2024年6月18日发布 · cs.CL" in card
    english = (await reply_to(api, ADA, "/paper 2406.30001"))["text"]
    assert "📅 Announced Jun 18, 2024 · cs.CL" in english


async def test_the_similar_papers_button_and_its_answer_use_one_word(chat_app, api):
    card = await reply_to(api, LI, "/paper 2406.30001")
    rows = card["reply_markup"]["inline_keyboard"]
    [similar] = [b for row in rows for b in row if b["text"] == "相似论文"]
    answer = await press(api, LI, card, similar["callback_data"], "sendMessage")
    assert answer.result["text"].startswith("🔗 与“Retrieval in English only”相似的论文：\n")
