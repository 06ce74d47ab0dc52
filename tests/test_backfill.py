"""The backfill of past days from the arXiv API, through a fake arXiv on 127.0.0.1 that pages
its answers as arXiv does: every paper stored once, progress kept per page, arXiv's ways of
failing survived, and the spacing arXiv asks for kept."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot import config
from bot.ingest import backfill
from bot.ingest.announce import announced_after
from storage import backfill as progress
from storage import hf_signals, papers
from storage.db import Database
from tests.conftest import FIXTURES
from tests.fakes.arxiv_catalogue import Catalogue, fortnights_of_papers
from tests.fakes.arxiv_server import ATOM_TYPE, Answer, FakeArxiv
from tests.fakes.hf_server import FakeHf

FIRST, LAST = date(2024, 6, 3), date(2024, 6, 16)
CATEGORIES = ("cs.CL", "cs.LG")


def settings_for(arxiv: FakeArxiv, interval: str = "0", **extra: str) -> config.Settings:
    env = {
        "DIGESTBOT_SOURCES": "https://rss.arxiv.org/rss/" + "+".join(CATEGORIES),
        "DIGESTBOT_ARXIV_API": arxiv.url("/api/query"),
        "DIGESTBOT_ARXIV_INTERVAL": interval,
        **extra,
    }
    return config.load(env, env_file=None)


def catalogue(per_day: int = 3) -> Catalogue:
    return Catalogue(fortnights_of_papers(CATEGORIES, FIRST, 14, per_day))


async def stored_ids(db: Database) -> list[str]:
    rows = await db.fetchall("SELECT arxiv_id FROM papers ORDER BY arxiv_id")
    return [row[0] for row in rows]


def listed_ids(cat: Catalogue) -> list[str]:
    return sorted(p.arxiv_id for p in cat.papers)


async def test_a_range_is_read_page_by_page_and_a_cross_listed_paper_is_stored_once(db: Database):
    cat = catalogue()
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        settings = settings_for(arxiv)
        report = await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=10)
    assert await stored_ids(db) == listed_ids(cat)
    assert report.new == len(cat.papers)
    assert not report.errors
    assert report.unchanged == sum(len(p.categories) > 1 for p in cat.papers)
    listed = {c: sum(c in p.categories for p in cat.papers) for c in CATEGORIES}
    pages = [(c, FIRST, start) for c in CATEGORIES for start in range(0, listed[c], 10)]
    assert sorted(cat.pages) == sorted(pages)
    assert all(times == 1 for times in cat.pages.values())
    assert await progress.unfinished(db) == 0


async def test_a_range_read_again_fetches_nothing(db: Database):
    cat = catalogue()
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        settings = settings_for(arxiv)
        await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=25)
        asked = len(arxiv.requests)
        again = await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=25)
    assert len(arxiv.requests) == asked
    assert again.as_json() == {"new": 0, "updated": 0, "unchanged": 0, "errors": []}


async def test_a_503_with_retry_after_is_waited_out_and_the_page_read(db: Database):
    cat = catalogue()
    busy = Answer(status=503, body=b"busy", content_type="text/plain", headers={"Retry-After": "1"})
    cat.fault("cs.CL", 20, busy)
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        report = await backfill.backfill_range(
            db, settings_for(arxiv), FIRST, LAST, today=LAST, page_size=20
        )
        asked = [r.at for r in arxiv.requests if r.query.get("start") == "20"]
    assert not report.errors
    assert await stored_ids(db) == listed_ids(cat)
    assert asked[1] - asked[0] >= 0.95  # the Retry-After, honoured


async def test_a_truncated_page_is_asked_again_and_nothing_of_it_is_lost(db: Database):
    cat = catalogue()
    whole = cat(_request("cs.CL", 20, 20)).body
    cat.pages.clear()
    cat.fault("cs.CL", 20, Answer(body=whole[: len(whole) // 2], content_type=ATOM_TYPE))
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        report = await backfill.backfill_range(
            db, settings_for(arxiv), FIRST, LAST, today=LAST, page_size=20
        )
    assert not report.errors
    assert await stored_ids(db) == listed_ids(cat)


async def test_an_empty_page_before_the_count_is_asked_again_then_the_range_goes_on(db: Database):
    cat = catalogue()
    empty = Answer(body=cat(_request("cs.CL", 10_000, 20)).body, content_type=ATOM_TYPE)
    cat.pages.clear()
    cat.fault("cs.CL", 40, empty)  # arXiv's spurious empty page in the middle of a range
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        report = await backfill.backfill_range(
            db, settings_for(arxiv), FIRST, LAST, today=LAST, page_size=20
        )
    assert not report.errors
    assert await stored_ids(db) == listed_ids(cat)


async def test_an_empty_range_is_done_after_one_request(db: Database):
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", Catalogue([]))
        report = await backfill.backfill_range(
            db, settings_for(arxiv), FIRST, LAST, today=LAST, page_size=20
        )
        assert len(arxiv.requests) == len(CATEGORIES)
    assert report.as_json() == {"new": 0, "updated": 0, "unchanged": 0, "errors": []}
    assert await progress.unfinished(db) == 0


async def test_an_unreachable_arxiv_pauses_the_backfill_and_the_next_run_resumes_it(db: Database):
    cat = catalogue()
    down = Answer(status=503, body=b"down", content_type="text/plain", headers={"Retry-After": "0"})
    cat.fault("cs.CL", 20, *[down] * 4)  # every attempt of the fetcher
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        settings = settings_for(arxiv)
        first = await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=20)
        assert len(first.errors) == 1
        assert "503" in first.errors[0]
        assert cat.asked("cs.LG", 0) == 0  # the other category waits for the next run
        await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=20)
    assert await stored_ids(db) == listed_ids(cat)
    assert cat.asked("cs.CL", 0) == 1  # resumed at the page that failed


async def test_a_cancelled_backfill_resumes_at_the_page_it_was_on(db: Database):
    cat = catalogue()
    slow = cat(_request("cs.CL", 40, 20))
    cat.pages.clear()
    cat.fault("cs.CL", 40, Answer(body=slow.body, content_type=ATOM_TYPE, delay=2))
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        settings = settings_for(arxiv)
        run = asyncio.create_task(
            backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=20)
        )
        deadline = time.monotonic() + 10
        while not any(r.query.get("start") == "40" for r in arxiv.requests):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
        assert await papers.count(db) == 40
        await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=20)
    assert await stored_ids(db) == listed_ids(cat)
    assert cat.asked("cs.CL", 0) == cat.asked("cs.CL", 20) == 1


async def test_requests_to_the_api_keep_the_spacing_set(db: Database):
    cat = catalogue(per_day=1)
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        settings = settings_for(arxiv, interval="0.3")
        await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=8)
        times = [r.at for r in arxiv.requests]
    assert len(times) >= 4
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.29


async def test_a_fresh_database_backfills_the_previous_and_the_current_fortnight(db: Database):
    today = date(2024, 6, 20)  # in the fortnight of 17-30 June (epoch 2024-01-01)
    cat = Catalogue(fortnights_of_papers(CATEGORIES, FIRST, 28, 1))
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        assert await backfill.backfill_due(db)
        await backfill.backfill_at_start(db, settings_for(arxiv), today, page_size=50)
        queries = {r.query["search_query"] for r in arxiv.requests}
    assert "cat:cs.CL AND submittedDate:[202406030000 TO 202406162359]" in queries
    assert "cat:cs.LG AND submittedDate:[202406170000 TO 202406302359]" in queries
    assert await stored_ids(db) == listed_ids(cat)
    assert not await backfill.backfill_due(db)


def test_the_categories_are_those_of_the_configured_feeds():
    sources = [
        "https://rss.arxiv.org/rss/cs.CL+cs.LG",
        "https://rss.arxiv.org/rss/cs.CL+stat.ML/",
        "https://example.org/feed.xml",
        "/var/feeds/saved.xml",
    ]
    assert backfill.categories_of(sources) == ["cs.CL", "cs.LG", "stat.ML"]


def test_a_long_range_is_queried_a_fortnight_at_a_time():
    pieces = backfill.windows_of(date(2024, 6, 1), date(2024, 7, 1))
    assert pieces == [
        (date(2024, 6, 1), date(2024, 6, 14)),
        (date(2024, 6, 15), date(2024, 6, 28)),
        (date(2024, 6, 29), date(2024, 7, 1)),
    ]


def _request(category: str, start: int, size: int):
    from tests.fakes.arxiv_server import SeenRequest

    query = f"cat:{category} AND submittedDate:[{FIRST:%Y%m%d}0000 TO {LAST:%Y%m%d}2359]"
    return SeenRequest("/api/query", {"search_query": query, "start": str(start),
                                      "max_results": str(size)}, {}, 0.0)  # fmt: skip


@pytest.mark.parametrize(
    ("submitted", "announced"),
    [
        ("2024-06-03T09:00:00+00:00", "2024-06-04T04:00:00+00:00"),  # Monday morning: Tuesday
        ("2024-06-03T19:00:00+00:00", "2024-06-05T04:00:00+00:00"),  # after 14:00 New York
        ("2024-06-07T17:00:00+00:00", "2024-06-10T04:00:00+00:00"),  # Friday: the Monday
        ("2024-06-08T12:00:00+00:00", "2024-06-11T04:00:00+00:00"),  # Saturday: with Monday's
        ("2024-12-02T18:30:00+00:00", "2024-12-03T05:00:00+00:00"),  # 13:30 EST, midnight EST
    ],
)
def test_a_paper_read_from_the_api_is_dated_as_the_feeds_would_have_announced_it(
    submitted: str, announced: str
):
    assert announced_after(datetime.fromisoformat(submitted)) == datetime.fromisoformat(announced)


async def test_backfilled_papers_are_announced_in_the_fortnight_a_digest_draws_from(db: Database):
    cat = catalogue()
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        await backfill.backfill_range(db, settings_for(arxiv), FIRST, LAST, today=LAST)
    undated = await db.fetchone("SELECT count(*) FROM papers WHERE announced_at IS NULL")
    assert undated[0] == 0
    stored = await papers.get(db, cat.papers[0].arxiv_id)  # Monday 3 June, 08:00 UTC
    assert stored.announced == datetime(2024, 6, 4, 4, tzinfo=UTC)


async def test_the_daily_papers_lists_of_the_range_are_read_once_each(db: Database):
    cat = catalogue()
    async with FakeArxiv() as arxiv, FakeHf(FIXTURES / "hf_daily") as hf:
        arxiv.respond("/api/query", cat)
        settings = settings_for(arxiv, DIGESTBOT_HF_API=hf.base_url)
        settings = replace(settings, hf_daily=True)
        report = await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST)
        weekdays = {r.query["date"] for r in hf.seen()}
        await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST)
        assert len(hf.seen()) == len(weekdays)  # read days are not asked again
    assert not report.errors
    assert len(weekdays) == 10  # two weeks of weekdays; a day without a list answers 404
    listed = await hf_signals.for_day(db, date(2024, 6, 3))
    assert len(listed) == 3
    assert all(await papers.get_many(db, list(listed)))


async def test_a_page_that_stays_empty_leaves_its_window_for_the_next_run_and_the_rest_goes_on(
    db: Database,
):
    cat = catalogue()
    empty = Answer(body=cat(_request("cs.CL", 10_000, 20)).body, content_type=ATOM_TYPE)
    cat.pages.clear()
    cat.fault("cs.CL", 40, *[empty] * backfill.PAGE_TRIES)
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        settings = settings_for(arxiv)
        first = await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=20)
        assert len(first.errors) == 1
        assert cat.asked("cs.LG", 0) == 1  # the other category was read meanwhile
        assert await progress.unfinished(db) == 1
        await backfill.backfill_range(db, settings, FIRST, LAST, today=LAST, page_size=20)
    assert await stored_ids(db) == listed_ids(cat)
    assert await progress.unfinished(db) == 0


def test_a_spacing_that_is_not_a_number_of_seconds_is_one_line_naming_the_variable():
    with pytest.raises(config.ConfigError, match="DIGESTBOT_ARXIV_INTERVAL: 'fast'"):
        config.load({"DIGESTBOT_ARXIV_INTERVAL": "fast"}, env_file=None)
    assert config.load({}, env_file=None).arxiv_interval == 3.0  # as arXiv asks
