"""`/digest` in chat and the next push in /subscriptions, with the bot's clock set to a day
in the fortnight of 17–30 June 2024."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app import build_application
from storage import deliveries
from tests import cldr
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser, group
from tests.fakes.conversation import reply_to
from tests.running import running

NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)  # a Wednesday in the fortnight of 17–30 June
ADA = FakeUser(501, "Ada", language_code="en")
LI = FakeUser(502, "Li", language_code="zh-CN")


@pytest.fixture
async def chat_app(tmp_path, api):
    path = tmp_path / "digest.sqlite3"
    rt = await world.runtime(path)
    await world.add_paper(
        rt, "2406.10001", datetime(2024, 6, 18, tzinfo=UTC), {"rag": 1.0}, title="Retrieval <b>&"
    )
    await world.add_paper(
        rt, "2406.10002", datetime(2024, 6, 5, tzinfo=UTC), {"rag": 1.0}, title="Older retrieval"
    )
    await world.add_paper(
        rt, "2406.10003", datetime(2024, 6, 19, tzinfo=UTC), {"agents": 1.0}, title="Agents now"
    )
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)) as application:
        yield application


async def test_digest_shows_this_fortnight_of_a_named_topic(chat_app, api):
    sent = await reply_to(api, ADA, "/digest rag")
    assert "Retrieval &lt;b&gt;&amp;" not in sent["text"]  # the fake returns the parsed text
    assert "Retrieval <b>&" in sent["text"]
    assert "Older retrieval" not in sent["text"]
    assert cldr.en_period(date(2024, 6, 17), date(2024, 6, 30)) in sent["text"]


async def test_digest_previous_shows_the_fortnight_before(chat_app, api):
    sent = await reply_to(api, ADA, "/digest rag previous")
    assert "Older retrieval" in sent["text"]
    assert cldr.en_period(date(2024, 6, 3), date(2024, 6, 16)) in sent["text"]


async def test_digest_without_a_topic_follows_the_subscriptions_in_chinese(chat_app, api):
    await reply_to(api, LI, "/subscribe agents")
    sent = await reply_to(api, LI, "/digest")
    assert "2024年6月17日至30日" in sent["text"]
    assert "Agents now" in sent["text"]
    assert "Retrieval" not in sent["text"]


async def test_digest_with_an_unknown_topic_says_how_to_use_it(chat_app, api):
    sent = await reply_to(api, ADA, "/digest <b>quantum</b>")
    assert "Unknown topic" in sent["text"]
    assert "Usage: /digest" in sent["text"]


async def test_digest_without_subscriptions_suggests_a_topic(chat_app, api):
    sent = await reply_to(api, ADA, "/digest")
    assert "/digest RAG" in sent["text"]


async def test_subscriptions_tell_when_the_next_digest_is_due_in_local_time(chat_app, api):
    await reply_to(api, ADA, "/subscribe rag")
    sent = await reply_to(api, ADA, "/subscriptions")
    # The fortnight closes on Monday 1 July; 09:00 in Shanghai, the default timezone.
    assert "Next digest: Mon, Jul 1, 2024, 09:00" in sent["text"]
    await reply_to(api, ADA, "/settings timezone Europe/Berlin")
    sent = await reply_to(api, ADA, "/subscriptions")
    assert "Next digest: Mon, Jul 1, 2024, 09:00" in sent["text"]
    sent = await reply_to(api, LI, "/subscriptions", chat=group(-700))
    assert "下一期" not in sent["text"]  # a group without subscriptions has no next digest


async def test_digest_in_a_group_is_open_to_every_member(chat_app, api):
    sent = await reply_to(api, ADA, "/digest@digest_test_bot agents", chat=group(-701))
    assert "Agents now" in sent["text"]
    rt = chat_app.bot_data["runtime"]
    assert await deliveries.counts(rt.db) == {}  # showing a digest sends nothing by itself
