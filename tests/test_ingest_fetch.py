"""Fetching over real HTTP from a fake arXiv: validators, retries, timeouts, paging, bad answers."""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.ingest.fetch import Fetcher, retry_after_seconds
from bot.ingest.service import complete_metadata, fetch_api_search, ingest_many, ingest_url
from storage import feeds, papers
from storage.models import Paper
from tests.fakes.arxiv_server import ATOM_TYPE, Answer, FakeArxiv, SeenRequest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DAY1 = (FIXTURES / "arxiv_rss_day1.xml").read_bytes()
MIXED = (FIXTURES / "arxiv_rss_mixed.xml").read_bytes()
RFC_DATE = "Mon, 24 Jun 2024 04:00:00 GMT"


@pytest.fixture
async def arxiv() -> AsyncIterator[FakeArxiv]:
    async with FakeArxiv() as server:
        yield server


class Waits:
    """Records the waits the fetcher asks for instead of sleeping through them."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def quick_fetcher(**options) -> Fetcher:
    settings = {"min_interval": 0.0, "backoff": 0.01, "max_wait": 0.05, "timeout": 2.0}
    return Fetcher(**(settings | options))


def atom_page(ids: list[str], total: int, start: int) -> bytes:
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v1</id><title>Paper {arxiv_id}</title>"
        "<summary>An abstract.</summary><published>2024-06-20T10:00:00Z</published>"
        "<updated>2024-06-20T10:00:00Z</updated><author><name>A. Author</name></author>"
        '<arxiv:primary_category term="cs.CL"/><category term="cs.CL"/></entry>'
        for arxiv_id in ids
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
        ' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
        ' xmlns:arxiv="http://arxiv.org/schemas/atom"><title>arXiv Query</title>'
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>{entries}</feed>"
    ).encode()


# Conditional GET


async def test_an_unchanged_feed_is_answered_304_by_etag_and_nothing_is_parsed(db, arxiv):
    url = arxiv.script("/rss/cs.CL", Answer(body=DAY1, etag='"day1"'))
    async with quick_fetcher() as fetcher:
        first = await ingest_url(db, url, fetcher=fetcher)
        second = await ingest_url(db, url, fetcher=fetcher)
    assert first.new == 2
    assert (second.new, second.updated, second.unchanged, second.not_modified) == (0, 0, 0, 1)
    assert arxiv.seen("/rss/cs.CL")[1].headers["If-None-Match"] == '"day1"'
    state = await feeds.get(db, url)
    assert (state.status, state.etag) == ("not-modified", '"day1"')


async def test_a_feed_with_last_modified_is_fetched_conditionally(db, arxiv):
    url = arxiv.script("/rss/cs.LG", Answer(body=DAY1, last_modified=RFC_DATE))
    async with quick_fetcher() as fetcher:
        await ingest_url(db, url, fetcher=fetcher)
        second = await ingest_url(db, url, fetcher=fetcher)
    assert second.not_modified == 1
    assert arxiv.seen("/rss/cs.LG")[1].headers["If-Modified-Since"] == RFC_DATE


async def test_a_feed_that_failed_keeps_no_validators_so_it_is_fetched_in_full_next_time(db, arxiv):
    url = arxiv.script(
        "/rss/cs.AI",
        Answer(body=MIXED[:2600], etag='"broken"'),
        Answer(body=MIXED, etag='"fixed"'),
    )
    async with quick_fetcher() as fetcher:
        broken = await ingest_url(db, url, fetcher=fetcher)
        fixed = await ingest_url(db, url, fetcher=fetcher)
    assert broken.problems[0].kind == "malformed"
    assert "If-None-Match" not in arxiv.seen("/rss/cs.AI")[1].headers
    assert fixed.new == 4


# Retries, waits and timeouts


async def test_a_429_is_retried_after_the_wait_the_server_asks_for(db, arxiv):
    url = arxiv.script(
        "/rss/busy", Answer(status=429, headers={"Retry-After": "2"}), Answer(body=DAY1)
    )
    waits = Waits()
    async with Fetcher(min_interval=0, sleep=waits) as fetcher:
        report = await ingest_url(db, url, fetcher=fetcher)
    assert report.new == 2
    assert waits.seconds == [2.0]


async def test_a_wait_the_server_asks_for_is_capped(db, arxiv):
    url = arxiv.script(
        "/rss/greedy", Answer(status=503, headers={"Retry-After": "3600"}), Answer(body=DAY1)
    )
    waits = Waits()
    async with Fetcher(min_interval=0, max_wait=30, sleep=waits) as fetcher:
        await ingest_url(db, url, fetcher=fetcher)
    assert waits.seconds == [30]


async def test_backoff_doubles_between_attempts_without_retry_after(arxiv):
    url = arxiv.script("/rss/down", Answer(status=502))
    waits = Waits()
    async with Fetcher(min_interval=0, attempts=4, backoff=1.0, sleep=waits) as fetcher:
        with pytest.raises(Exception, match="HTTP 502"):
            await fetcher.get(url)
    assert waits.seconds == [1.0, 2.0, 4.0]


async def test_a_503_that_persists_is_one_error_after_bounded_attempts(db, arxiv):
    url = arxiv.script("/rss/unavailable", Answer(status=503))
    async with quick_fetcher(attempts=3) as fetcher:
        report = await ingest_url(db, url, fetcher=fetcher)
    assert len(arxiv.seen("/rss/unavailable")) == 3
    assert report.problems[0].kind == "http"
    assert report.errors == [f"{url}: HTTP 503 Service Unavailable after 3 attempts [http]"]
    assert (await feeds.get(db, url)).status == "error"


async def test_a_slow_answer_times_out(db, arxiv):
    url = arxiv.script("/rss/slow", Answer(body=DAY1, delay=1.0))
    started = time.monotonic()
    async with quick_fetcher(timeout=0.2, attempts=2) as fetcher:
        report = await ingest_url(db, url, fetcher=fetcher)
    assert time.monotonic() - started < 1.0
    assert report.problems[0].kind == "timeout"
    assert "no answer within 0.2 s after 2 attempts" in report.errors[0]
    assert await papers.count(db) == 0


async def test_a_server_that_refuses_connections_is_a_network_error(db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/rss/cs.CL"
    async with quick_fetcher(attempts=2) as fetcher:
        report = await ingest_url(db, url, fetcher=fetcher)
    assert report.problems[0].kind == "network"
    assert report.errors[0].startswith(url)


# Bad answers


@pytest.mark.parametrize(
    ("answer", "kind", "words"),
    [
        (
            Answer(body=(FIXTURES / "arxiv_html_page.html").read_bytes(), content_type="text/html"),
            "not-a-feed",
            "HTML page",
        ),
        (Answer(body=MIXED[:2600]), "malformed", "malformed XML"),
        (
            Answer(status=400, body=(FIXTURES / "arxiv_api_error.xml").read_bytes()),
            "api-error",
            "max_results must be less than 2000",
        ),
        (Answer(status=404, body=b"Not Found", content_type="text/plain"), "http", "HTTP 404"),
        (Answer(body=(FIXTURES / "arxiv_rss_empty.xml").read_bytes()), "empty", "no items"),
    ],
)
async def test_a_bad_answer_is_one_error_naming_the_url_and_stores_nothing(
    db, arxiv, answer, kind, words
):
    url = arxiv.script("/feed", answer)
    async with quick_fetcher() as fetcher:
        report = await ingest_url(db, url, fetcher=fetcher)
    assert [p.kind for p in report.problems] == [kind]
    assert report.errors[0].startswith(f"{url}: ")
    assert words in report.errors[0]
    assert len(arxiv.seen("/feed")) == 1  # a client error is not retried
    assert await papers.count(db) == 0


async def test_a_failing_url_does_not_stop_the_next_one(db, arxiv):
    bad = arxiv.script("/rss/bad", Answer(status=500))
    good = arxiv.script("/rss/good", Answer(body=DAY1))
    async with quick_fetcher(attempts=2) as fetcher:
        report = await ingest_many(db, [bad, good], fetcher=fetcher)
    assert report.new == 2
    assert len(report.errors) == 1
    assert bad in report.errors[0]


# Politeness


async def test_requests_to_one_host_are_spaced_and_say_who_is_asking(arxiv):
    url = arxiv.script("/rss/cs.CL", Answer(body=DAY1))
    async with quick_fetcher(min_interval=0.3) as fetcher:
        await fetcher.get(url)
        await fetcher.get(url)
    first, second = arxiv.seen("/rss/cs.CL")
    assert second.at - first.at >= 0.28
    assert first.headers["User-Agent"].startswith("digestbot/")


def test_retry_after_may_be_an_http_date():
    now = datetime(2024, 6, 24, 4, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Mon, 24 Jun 2024 04:00:30 GMT", now) == 30
    assert retry_after_seconds("Mon, 24 Jun 2024 03:00:00 GMT", now) == 0
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("soon", now) is None


# The export API


async def test_a_search_is_fetched_page_by_page_until_the_total(db, arxiv):
    ids = [f"2406.{n:05d}" for n in range(1, 6)]

    def pages(request: SeenRequest) -> Answer:
        start, size = int(request.query["start"]), int(request.query["max_results"])
        body = atom_page(ids[start : start + size], total=len(ids), start=start)
        return Answer(body=body, content_type=ATOM_TYPE)

    base = arxiv.respond("/api/query", pages)
    async with quick_fetcher() as fetcher:
        report = await fetch_api_search(
            db, ["cs.CL", "cs.LG"], date(2024, 6, 17), date(2024, 6, 30),
            fetcher=fetcher, page_size=2, base=base,
        )  # fmt: skip
    seen = arxiv.seen("/api/query")
    assert [request.query["start"] for request in seen] == ["0", "2", "4"]
    assert seen[0].query["search_query"] == (
        "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202406170000 TO 202406302359]"
    )
    assert (report.new, report.errors) == (5, [])


async def test_metadata_of_papers_known_from_an_article_is_completed_by_id(db, arxiv):
    editor_known = [Paper("2406.20001", 0, "CoT for small models"), Paper("2406.20002", 0, "SFT")]
    await papers.upsert(db, editor_known)
    body = (FIXTURES / "arxiv_api_lookup.xml").read_bytes()
    base = arxiv.script("/api/query", Answer(body=body, content_type=ATOM_TYPE))
    async with quick_fetcher() as fetcher:
        report = await complete_metadata(
            db, await papers.missing_metadata(db), fetcher=fetcher, base=base
        )
    assert (report.updated, report.errors) == (2, [])
    assert arxiv.seen("/api/query")[0].query["id_list"] == "2406.20001,2406.20002"
    paper = await papers.get(db, "2406.20001")
    assert paper.version == 2
    assert paper.title == "Chain-of-Thought Prompting Elicits Multi-Step Reasoning in Small Models"
    assert (paper.doi, paper.categories) == ("10.1000/example.2024.001", ("cs.CL", "cs.AI"))
    assert await papers.missing_metadata(db) == []


# Answers too large or hostile


async def test_an_answer_larger_than_the_cap_is_refused_with_one_error(db, arxiv):
    url = arxiv.script("/rss/huge", Answer(body=MIXED + b" " * 20_000))
    async with quick_fetcher(max_bytes=10_000) as fetcher:
        report = await ingest_url(db, url, fetcher=fetcher)
    assert [problem.kind for problem in report.problems] == ["too-large"]
    assert report.errors == [
        f"{url}: the answer is larger than 0.01 MB, the most a document may have [too-large]"
    ]
    assert await papers.count(db) == 0


async def test_a_compressed_answer_is_measured_as_it_unpacks_and_stopped_at_the_cap(db, arxiv):
    bomb = gzip.compress(b"<rss>" + b" " * 5_000_000)
    assert len(bomb) < 10_000
    url = arxiv.script("/rss/bomb", Answer(body=bomb, headers={"Content-Encoding": "gzip"}))
    async with quick_fetcher(max_bytes=100_000) as fetcher:
        report = await ingest_url(db, url, fetcher=fetcher)
    assert [problem.kind for problem in report.problems] == ["too-large"]


async def test_an_api_look_up_answered_with_entity_declarations_is_refused_unread(db, arxiv):
    await papers.upsert(db, [Paper("2406.15877", 0, "Known from an article")])
    hostile = (
        '<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY a "' + "A" * 100_000 + '">\n]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2406.15877v1'
        "</id><title>" + "&a;" * 10_000 + "</title></entry></feed>"
    ).encode()
    base = arxiv.script("/api/query", Answer(body=hostile, content_type=ATOM_TYPE))
    async with quick_fetcher() as fetcher:
        report = await complete_metadata(db, ["2406.15877"], fetcher=fetcher, base=base)
    assert [problem.kind for problem in report.problems] == ["declarations"]
    assert (await papers.get(db, "2406.15877")).title == "Known from an article"
