"""The push on the JobQueue of the running bot, with the bot's clock moved through
fortnights: due times come from the database, restarts lose nothing."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app import build_application
from storage import chats
from tests import cldr
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser
from tests.fakes.conversation import reply_to
from tests.running import running

JUNE_17 = datetime(2024, 6, 17, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)  # Monday 09:00 in Shanghai
ADA = FakeUser(601, "Ada", language_code="en")


class TravelClock:
    """Real time passing from a chosen moment; `travel_to` jumps."""

    def __init__(self, moment: datetime) -> None:
        self.travel_to(moment)

    def travel_to(self, moment: datetime) -> None:
        self.base, self.started = moment, time.monotonic()

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.started)


@pytest.fixture
async def path(tmp_path, api):
    api.world.any_chat = True
    db_path = tmp_path / "jobs.sqlite3"
    rt = await world.runtime(db_path)
    for n in range(3):
        await world.add_paper(rt, f"2406.5000{n}", JUNE_17 + timedelta(days=14 * n), {"rag": 1})
    await world.subscribe(rt, ADA.id, ["rag"], since=JUNE_17 + timedelta(days=2))
    await rt.close()
    return db_path


def digests(api) -> list[str]:
    return [
        c.params["text"].splitlines()[0]
        for c in api.log.select("sendMessage", chat_id=ADA.id)
        if c.params["text"].startswith("📚")
    ]


async def test_the_job_queue_pushes_at_the_due_time_fortnight_after_fortnight(path, api):
    clock = TravelClock(DUE - timedelta(seconds=1.5))
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=clock)) as app:
        await api.wait_for("sendMessage", timeout=10)
        assert digests(api) == [cldr.en_header(date(2024, 6, 17), date(2024, 6, 30))]
        clock.travel_to(DUE + timedelta(days=14) - timedelta(seconds=1.5))
        await app.bot_data["scheduler"].wake()  # as the hourly look or a settings change would
        await api.wait_for("sendMessage", since=api.mark(), timeout=10)
        assert len(digests(api)) == 2
        assert cldr.en_period(date(2024, 7, 1), date(2024, 7, 14)) in digests(api)[1]


async def test_a_push_due_while_the_bot_was_stopped_goes_out_when_it_starts(path, api):
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=TravelClock(DUE - timedelta(days=1)))):
        sent = await reply_to(api, ADA, "/subscriptions")
        assert "Next digest: Mon, Jul 1, 2024, 09:00" in sent["text"]
    assert digests(api) == []
    # Stopped across the due time; started again three days later.
    async with running(build_application(settings, clock=TravelClock(DUE + timedelta(days=3)))):
        await api.wait_for("sendMessage", since=api.mark(), timeout=10)
    async with running(build_application(settings, clock=TravelClock(DUE + timedelta(days=4)))):
        sent = await reply_to(api, ADA, "/subscriptions")
        assert "Next digest: Mon, Jul 15, 2024, 09:00" in sent["text"]
    assert len(digests(api)) == 1


async def test_an_empty_database_is_filled_at_start_and_its_papers_summarized(tmp_path, api):
    """Ingestion runs at start-up when nothing is stored, then the summaries for the topics
    chats take; the papers of other topics wait."""
    from tests.conftest import FIXTURES
    from tests.fakes.arxiv_server import Answer, FakeArxiv
    from tests.fakes.openai_server import FakeOpenAI

    db_path = tmp_path / "fresh.sqlite3"
    rt = await world.runtime(db_path)
    await world.subscribe(rt, ADA.id, ["rag"])
    await rt.close()
    async with FakeArxiv() as arxiv, FakeOpenAI() as model:
        feed = arxiv.script(
            "/rss/cs.CL", Answer(body=(FIXTURES / "arxiv_rss_mixed.xml").read_bytes())
        )
        settings = world.settings(
            db_path,
            api,
            DIGESTBOT_JOBS="ingest,summarize",
            DIGESTBOT_SOURCES=feed,
            OPENAI_BASE_URL=model.base_url,
            OPENAI_API_KEY="sk-test",
        )
        clock = TravelClock(datetime(2024, 6, 26, 12, tzinfo=UTC))
        async with running(build_application(settings, clock=clock)) as app:
            runtime = app.bot_data["runtime"]
            for _ in range(200):
                row = await runtime.db.fetchone(
                    "SELECT count(*) FROM summaries WHERE source = 'llm'"
                )
                if row[0]:
                    break
                await asyncio.sleep(0.05)
            papers = await runtime.db.fetchone("SELECT count(*) FROM papers")
            summarized = await runtime.db.fetchall(
                "SELECT DISTINCT p.arxiv_id FROM summaries s JOIN papers p ON p.id = s.paper_id"
                " WHERE s.source = 'llm'"
            )
    assert papers[0] == 4
    assert [row[0] for row in summarized] == ["2406.17001"]  # the one RAG paper
    assert len(model.requests) == 1


async def test_a_timezone_change_that_makes_the_digest_due_sends_it_at_once(path, api):
    rt = await world.runtime(path)
    await chats.set_timezone(rt.db, ADA.id, "America/Los_Angeles")
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    clock = TravelClock(DUE + timedelta(hours=2))  # 11:00 in Shanghai, Sunday night in LA
    async with running(build_application(settings, clock=clock)):
        sent = await reply_to(api, ADA, "/subscriptions")
        assert "Next digest: Mon, Jul 1, 2024, 09:00" in sent["text"]  # in LA, hours away
        assert digests(api) == []
        mark = api.mark()
        await reply_to(api, ADA, "/settings timezone Asia/Shanghai")
        await api.wait_for("sendMessage", count=1, since=api.mark(), timeout=10)
        assert digests(api) == [cldr.en_header(date(2024, 6, 17), date(2024, 6, 30))]
        assert len(api.log.select("sendMessage", since=mark)) == 2  # the settings, the digest
