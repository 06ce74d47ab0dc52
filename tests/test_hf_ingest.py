"""Hugging Face Daily Papers fetched from a fake HF server on 127.0.0.1 and stored in a real
database: new papers, signals that grow and never shrink, days without a list, bad answers."""

from __future__ import annotations

import copy
import json
import logging
from datetime import date

import pytest

from bot.ingest.fetch import Fetcher
from bot.ingest.hf_ingest import ingest_day_url, ingest_recent
from bot.ingest.service import IngestReport, ingest_file, ingest_many
from storage import feeds, hf_signals, papers, summaries, topics
from storage.models import Paper, Topic, TopicMatch
from tests.conftest import FIXTURES
from tests.fakes.arxiv_server import Answer
from tests.fakes.hf_server import JSON_TYPE, FakeHf, json_answer
from tests.test_hf_daily_parse import SHARED_HF

HF = FIXTURES / "hf_daily"
JUNE_3 = json.loads((HF / "2024-06-03.json").read_bytes())
MIXED = FIXTURES / "arxiv_rss_mixed.xml"


class WordMatcher:
    """Topics by a word in title or abstract: a small stand-in for the rule matcher."""

    def match(self, paper: Paper) -> list[TopicMatch]:
        text = f"{paper.title} {paper.abstract}".lower()
        return [TopicMatch("ssm", 1.0)] if "state space" in text else []


class Waits:
    """The waits the fetcher asks for, recorded instead of slept through."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture(autouse=True)
async def ssm_topic(db):
    await topics.sync(db, [Topic("ssm", "状态空间模型", "State space models")])


@pytest.fixture
async def hf():
    async with FakeHf(HF) as server:
        yield server


def quick_fetcher(**options) -> Fetcher:
    return Fetcher(**({"min_interval": 0.0, "backoff": 0.01, "max_wait": 0.05} | options))


def with_counts(entries: list[dict], upvotes: dict[str, int], comments: int = 0) -> list[dict]:
    """The entries with these papers' upvotes (and every comment count) changed."""
    changed = copy.deepcopy(entries)
    for entry in changed:
        paper = entry["paper"]
        paper["upvotes"] = upvotes.get(paper["id"], paper["upvotes"])
        entry["numComments"] = max(entry["numComments"], comments)
    return changed


async def read_day(db, hf, day: str, **options) -> IngestReport:
    report = IngestReport()
    async with quick_fetcher(**options) as fetcher:
        await ingest_day_url(db, hf.url(day), fetcher, report, WordMatcher())
    return report


async def test_a_listed_paper_arxiv_has_not_given_us_is_stored_with_topics_and_an_extract(db, hf):
    report = await read_day(db, hf, "2024-06-03")
    assert (report.new, report.updated, report.unchanged, report.errors) == (3, 0, 0, [])
    paper = await papers.get(db, "2405.21060")
    assert paper.title.startswith("Transformers are SSMs: Generalized Models")
    assert paper.authors == ("Tri Dao", "Albert Gu")
    assert paper.version == 0  # waiting for arXiv's metadata, categories included
    assert paper.announced.date() == date(2024, 6, 3)
    assert (await topics.for_papers(db, [paper.id]))[paper.id] == ["ssm"]
    extract = (await summaries.for_paper(db, paper.id))["en"]
    assert extract.source == "abstract"
    assert extract.text
    assert await papers.missing_metadata(db) == [e["paper"]["id"] for e in JUNE_3]


async def test_a_paper_known_from_arxiv_keeps_arxivs_metadata_and_gains_the_signal(db, hf):
    await ingest_file(db, MIXED)
    known = await papers.get(db, "2406.17001")
    entry = copy.deepcopy(JUNE_3[0])
    entry["paper"] |= {"id": "2406.17001", "title": "Another Title", "upvotes": 41}
    hf.script("2024-06-24", json_answer([entry]))
    report = await read_day(db, hf, "2024-06-24")
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert await papers.get(db, "2406.17001") == known
    signal = (await hf_signals.for_day(db, date(2024, 6, 24)))["2406.17001"]
    assert (signal.paper_id, signal.upvotes) == (known.id, 41)


async def test_upvotes_that_grow_between_reads_are_raised_and_an_earlier_snapshot_lowers_none(
    db, hf
):
    early = with_counts(JUNE_3, {"2405.21060": 5, "2405.21075": 3})
    later = with_counts(JUNE_3, {"2405.21060": 30, "2405.21075": 12}, comments=4)
    hf.script("2024-06-03", json_answer(early), json_answer(later), json_answer(early))
    await read_day(db, hf, "2024-06-03")
    first = await hf_signals.for_day(db, date(2024, 6, 3))
    second_report = await read_day(db, hf, "2024-06-03")
    grown = await hf_signals.for_day(db, date(2024, 6, 3))
    await read_day(db, hf, "2024-06-03")  # an early snapshot, served again by a stale cache
    kept = await hf_signals.for_day(db, date(2024, 6, 3))
    assert first["2405.21060"].upvotes == 5
    assert (second_report.new, second_report.unchanged) == (0, 3)
    assert (grown["2405.21060"].upvotes, grown["2405.21060"].comments) == (30, 4)
    assert kept == grown


async def test_a_weekend_without_a_list_answers_404_which_is_a_read_not_an_error(db, hf):
    report = await read_day(db, hf, "2024-06-08")
    assert report.errors == []
    assert await hf_signals.days_read(db, date(2024, 6, 1)) == {date(2024, 6, 8)}
    assert (await feeds.get(db, hf.url("2024-06-08"))).status == "ok"


async def test_an_empty_list_counts_as_read_for_its_day(db, hf):
    hf.script("2024-06-17", json_answer([]))
    report = await read_day(db, hf, "2024-06-17")
    assert (report.new, report.errors) == (0, [])
    assert await hf_signals.days_read(db, date(2024, 6, 1)) == {date(2024, 6, 17)}


async def test_a_429_is_retried_after_the_wait_hugging_face_asks_for(db, hf):
    hf.script(
        "2024-06-03",
        Answer(429, b'{"error":"Too Many Requests"}', JSON_TYPE, headers={"Retry-After": "7"}),
        json_answer(JUNE_3),
    )
    waits = Waits()
    report = await read_day(db, hf, "2024-06-03", sleep=waits, max_wait=60)
    assert report.new == 3
    assert waits.seconds == [7.0]


async def test_a_truncated_body_is_one_error_line_and_stores_nothing_from_it(db, hf, caplog):
    await read_day(db, hf, "2024-06-03")
    before = await hf_signals.for_day(db, date(2024, 6, 3))
    grown = json_answer(with_counts(JUNE_3, {"2405.21060": 99}))
    hf.script("2024-06-03", Answer(body=grown.body[:-300], content_type=JSON_TYPE, etag='"cut"'))
    with caplog.at_level(logging.WARNING, logger="bot.ingest"):
        report = await read_day(db, hf, "2024-06-03")
    assert len(report.errors) == 1
    assert "not complete JSON, nothing stored from it" in report.errors[0]
    assert [r.getMessage() for r in caplog.records] == [
        f"Hugging Face list not ingested: {report.errors[0]}"
    ]
    assert await hf_signals.for_day(db, date(2024, 6, 3)) == before
    assert (await feeds.get(db, hf.url("2024-06-03"))).etag != '"cut"'


async def test_an_unchanged_list_is_answered_304_to_a_conditional_get(db, hf):
    await read_day(db, hf, "2024-06-03")
    report = await read_day(db, hf, "2024-06-03")
    first, second = hf.seen("2024-06-03")
    assert "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"] == (await feeds.get(db, hf.url("2024-06-03"))).etag
    assert (report.not_modified, report.new, report.unchanged, report.errors) == (1, 0, 0, [])


async def test_an_entry_with_an_unknown_field_and_a_bad_one_leave_the_rest_stored(db, hf, caplog):
    entries = copy.deepcopy(JUNE_3)
    entries[0]["paper"]["aiSummary"] = "a field added since"
    entries[1]["paper"]["id"] = "../../etc/passwd"
    hf.script("2024-06-03", json_answer(entries))
    with caplog.at_level(logging.WARNING, logger="bot.ingest"):
        report = await read_day(db, hf, "2024-06-03")
    assert (report.new, report.errors) == (2, [])
    assert "1 of 3 entries skipped as malformed" in caplog.text


async def test_a_run_reads_the_missed_weekdays_and_yesterday_and_today_but_no_weekend(db, hf):
    async with quick_fetcher() as fetcher:
        await ingest_recent(db, hf.base_url, date(2024, 6, 4), IngestReport(), fetcher=fetcher)
        first_run = [r.query["date"] for r in hf.seen()]
        report = IngestReport()
        await ingest_recent(db, hf.base_url, date(2024, 6, 10), report, fetcher=fetcher)
    second_run = [r.query["date"] for r in hf.seen()][len(first_run) :]
    assert (first_run[0], first_run[-2:], len(first_run)) == (
        "2024-05-21",  # two weeks back on a fresh database
        ["2024-06-03", "2024-06-04"],
        11,
    )
    assert second_run == ["2024-06-05", "2024-06-06", "2024-06-07", "2024-06-10"]
    assert report.errors == []
    assert report.new == 0  # the trimmed recordings hold 3 and 13 June only


async def test_a_day_whose_read_failed_is_read_again_by_the_next_run(db, hf):
    hf.script("2024-06-03", Answer(body=b"[{", content_type=JSON_TYPE), json_answer(JUNE_3))
    async with quick_fetcher() as fetcher:
        first = IngestReport()
        await ingest_recent(db, hf.base_url, date(2024, 6, 4), first, fetcher=fetcher)
        second = IngestReport()
        await ingest_recent(db, hf.base_url, date(2024, 6, 6), second, fetcher=fetcher)
    assert len(first.errors) == 1
    assert (second.new, second.errors) == (3, [])
    second_run = [r.query["date"] for r in hf.seen()][-3:]
    assert second_run == ["2024-06-03", "2024-06-05", "2024-06-06"]


async def test_when_hugging_face_cannot_be_reached_a_run_stops_at_the_first_day(db, hf, caplog):
    for day in ("2024-06-05", "2024-06-06"):
        hf.script(day, Answer(503, b"", JSON_TYPE))
    report = IngestReport()
    async with quick_fetcher(attempts=2) as fetcher:
        with caplog.at_level(logging.WARNING, logger="bot.ingest"):
            await ingest_recent(db, hf.base_url, date(2024, 6, 6), report, fetcher=fetcher)
    assert [r.query["date"] for r in hf.seen()][-2:] == ["2024-06-05", "2024-06-05"]
    assert len(report.errors) == 1
    assert "HTTP 503" in report.errors[0]
    assert len(caplog.records) == 1


async def test_a_day_url_given_as_a_source_is_read_as_a_list(db, hf):
    report = await ingest_many(db, [hf.url("2024-06-13")], fetcher=quick_fetcher())
    assert (report.new, report.errors) == (3, [])


async def test_a_saved_answer_is_ingested_as_a_file_its_day_taken_from_its_name(db):
    report = await ingest_file(db, HF / "2024-06-13.json")
    assert (report.new, report.errors) == (3, [])
    assert len(await hf_signals.for_day(db, date(2024, 6, 13))) == 3


async def test_a_real_fortnight_served_over_http_is_read_day_by_day_and_then_answered_304(db):
    if not SHARED_HF.is_dir():
        pytest.skip(f"recorded Hugging Face answers not found at {SHARED_HF}")
    listed = {
        e["paper"]["id"] for path in SHARED_HF.glob("*.json") for e in json.loads(path.read_bytes())
    }
    async with FakeHf(SHARED_HF) as hf, quick_fetcher() as fetcher:
        first, again = IngestReport(), IngestReport()
        await ingest_recent(db, hf.base_url, date(2024, 6, 14), first, fetcher=fetcher)
        await ingest_recent(db, hf.base_url, date(2024, 6, 14), again, fetcher=fetcher)
        asked = [r.query["date"] for r in hf.seen()]
    assert (first.new, first.errors) == (len(listed), [])
    assert await hf_signals.counts(db) == (len(listed), len(listed))
    assert len(asked) == 11 + 2  # a fortnight of weekdays, then yesterday and today again
    assert (again.not_modified, again.new, again.errors) == (2, 0, [])
