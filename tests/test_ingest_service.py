"""Ingesting saved feeds into a real database: counts, versions, topics, bad feeds."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.ingest.service import IngestReport, ingest_bytes, ingest_file, ingest_many
from storage import papers, topics
from storage.models import Paper, Topic, TopicMatch

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DAY1 = FIXTURES / "arxiv_rss_day1.xml"
MIXED = FIXTURES / "arxiv_rss_mixed.xml"

TOPICS = (
    Topic("rag", "检索增强生成", "RAG"),
    Topic("alignment", "对齐", "Alignment"),
    Topic("safety", "安全", "Safety"),
)


TOPIC_WORDS = {"retrieval": "rag", "alignment": "alignment", "safety": "safety"}


class WordMatcher:
    """Topics by a word in title or abstract: a small stand-in for the rule matcher."""

    def match(self, paper: Paper) -> list[TopicMatch]:
        text = f"{paper.title} {paper.abstract}".lower()
        return [TopicMatch(slug, 1.0) for word, slug in TOPIC_WORDS.items() if word in text]


async def topics_of(db, arxiv_id: str) -> list[str]:
    paper = await papers.get(db, arxiv_id)
    return (await topics.for_papers(db, [paper.id])).get(paper.id, [])


async def test_ingesting_a_feed_stores_its_papers_as_new(db):
    report = await ingest_file(db, MIXED)
    assert (report.new, report.updated, report.unchanged, report.errors) == (4, 0, 0, [])
    stored = await papers.get(db, "2406.17001")
    assert stored.authors == ("Wei Zhang", "Aurora Ramírez", "José Raúl Romero", "Jörg Müller")
    assert stored.announce_type == "new"
    assert (await papers.get(db, "hep-th/9901001")).version == 3


async def test_ingesting_the_same_feed_twice_changes_nothing(db):
    await ingest_file(db, MIXED)
    before = await papers.get_many(db, ["2406.17001", "2406.15877", "hep-th/9901001"])
    again = await ingest_file(db, MIXED)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)
    assert await papers.get_many(db, list(before)) == before


async def test_a_replace_moves_a_stored_paper_to_its_newer_version_and_abstract(db):
    await ingest_file(db, DAY1)
    report = await ingest_file(db, MIXED)
    assert (report.new, report.updated) == (3, 1)
    paper = await papers.get(db, "2406.15877")
    assert paper.version == 2
    assert paper.abstract.endswith("adds a third benchmark and a safety evaluation.")
    assert paper.authors == ("Li Wei", "Maria Garcia", "Ahmed Hassan")
    assert paper.announced.day == 24  # the first announcement is kept


async def test_an_older_version_arriving_late_does_not_move_a_paper_back(db):
    await ingest_file(db, MIXED)
    report = await ingest_file(db, DAY1)
    assert (report.new, report.updated, report.unchanged) == (1, 0, 1)
    assert (await papers.get(db, "2406.15877")).version == 2


async def test_new_papers_get_their_topics_and_a_replace_updates_them(db):
    await topics.sync(db, TOPICS)
    await ingest_file(db, DAY1, matcher=WordMatcher())
    assert await topics_of(db, "2406.15877") == ["alignment"]
    assert await topics_of(db, "2406.15880") == ["rag"]
    await ingest_file(db, MIXED, matcher=WordMatcher())
    assert await topics_of(db, "2406.15877") == ["alignment", "safety"]
    assert await topics_of(db, "2406.17001") == ["rag"]


async def test_the_packaged_topic_rules_give_papers_their_topics_at_ingest(db):
    from bot.topics.config import TopicMatcher, load

    defaults = load()
    await topics.sync(db, defaults)
    await ingest_file(db, MIXED, matcher=TopicMatcher(defaults))
    assert "rag" in await topics_of(db, "2406.17001")
    assert "safety" in await topics_of(db, "2406.15877")


async def test_a_bad_feed_stores_nothing_and_the_next_feed_is_still_ingested(db, caplog):
    caplog.set_level(logging.WARNING, logger="bot.ingest")
    sources = [
        FIXTURES / "arxiv_rss_truncated.xml",
        FIXTURES / "arxiv_html_page.html",
        FIXTURES / "arxiv_rss_error_channel.xml",
        FIXTURES / "arxiv_rss_empty.xml",
        FIXTURES / "arxiv_api_error.xml",
        DAY1,
    ]
    report = await ingest_many(db, sources)
    assert report.new == 2
    assert [p.kind for p in report.problems] == [
        "malformed",
        "not-a-feed",
        "feed-error",
        "empty",
        "api-error",
    ]
    failed = sources[:-1]
    for source, error in zip(failed, report.errors, strict=True):
        assert error.startswith(f"{source}: ")
    assert await papers.count(db) == 2  # nothing of the truncated feed's salvageable items
    failures = [r for r in caplog.records if r.name == "bot.ingest"]
    assert len(failures) == 5
    assert all(str(source) in r.getMessage() for source, r in zip(failed, failures, strict=True))


async def test_a_missing_file_is_reported_by_its_path(db, tmp_path):
    report = await ingest_file(db, tmp_path / "nowhere.xml")
    assert report.problems[0].kind == "unreadable"
    assert str(tmp_path / "nowhere.xml") in report.errors[0]


async def test_a_saved_api_answer_is_ingested_from_its_json_wrapper(db, shared_arxiv):
    report = await ingest_file(db, shared_arxiv / "arxivpy_api2026_q_testing_s0_m10.json")
    assert (report.new, report.errors) == (10, [])
    paper = await papers.get(db, "2405.13786")
    assert paper.authors[0] == "Aurora Ramírez"
    assert paper.doi == "10.1109/ICSTW58534.2023.00023"


async def test_a_saved_api_error_is_reported_and_stores_nothing(db, shared_arxiv):
    report = await ingest_file(db, shared_arxiv / "arxivpy_api2026_error_id_abc.json")
    assert report.new == 0
    assert "incorrect id format for abc" in report.errors[0]
    assert await papers.count(db) == 0


async def test_a_2016_api_answer_stores_old_style_ids_with_doi(db, shared_arxiv):
    await ingest_file(db, shared_arxiv / "arxivpy_api2016_au_del_maestro.xml")
    paper = await papers.get(db, "cond-mat/0412498")
    assert paper.doi == "10.1103/PhysRevB.71.184511"
    assert paper.categories[0] == "cond-mat.str-el"


async def test_bytes_from_standard_input_are_ingested_under_a_given_name(db):
    report = await ingest_bytes(db, b"<html><body>oops</body></html>", "<stdin>")
    assert report.errors == ["<stdin>: an HTML page came instead of a feed [not-a-feed]"]


@pytest.mark.parametrize("errors", [[], ["feed.xml: no items in the feed [empty]"]])
def test_the_report_becomes_the_ingest_json_object(errors):
    report = IngestReport(new=3, updated=1, unchanged=2, errors=errors)
    assert report.as_json() == {"new": 3, "updated": 1, "unchanged": 2, "errors": errors}
