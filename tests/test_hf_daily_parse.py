"""Reading Hugging Face Daily Papers answers: papers, counts and days; bad entries skipped."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.ingest.detect import is_hf_daily
from bot.ingest.document import FeedProblem
from bot.ingest.hf_daily import day_of_name, day_of_url, day_url, parse_daily
from bot.ingest.hf_ingest import days_to_read
from tests.conftest import FIXTURES, REPO

HF = FIXTURES / "hf_daily"
JUNE_3 = HF / "2024-06-03.json"
JUNE_13 = HF / "2024-06-13.json"
# Real answers of a fortnight, beside the checkout (or beside the folder holding checkouts).
SHARED_HF = next(
    (
        found
        for root in (REPO.parent, REPO.parent.parent)
        if (found := root / "shared" / "fixtures" / "curation" / "hf_daily").is_dir()
    ),
    REPO.parent / "shared" / "fixtures" / "curation" / "hf_daily",
)


def entries(path: Path = JUNE_3) -> list[dict]:
    return json.loads(path.read_bytes())


def answer(items: list) -> bytes:
    return json.dumps(items).encode()


def test_a_saved_answer_gives_each_paper_with_its_counts_and_the_day_it_was_listed():
    raw = entries()
    daily = parse_daily(JUNE_3.read_bytes(), str(JUNE_3), date(2024, 6, 3))
    assert daily.skipped == 0
    assert [e.paper.arxiv_id for e in daily.entries] == [e["paper"]["id"] for e in raw]
    first = daily.entries[0]
    assert first.paper.title == " ".join(raw[0]["paper"]["title"].split())
    assert first.paper.abstract == " ".join(raw[0]["paper"]["summary"].split())
    assert first.paper.authors == tuple(a["name"] for a in raw[0]["paper"]["authors"])
    assert (first.upvotes, first.comments) == (raw[0]["paper"]["upvotes"], raw[0]["numComments"])
    assert first.paper.submitted == datetime(2024, 5, 31, 17, 50, 1, tzinfo=UTC)
    assert first.paper.announced.date() == first.day == date(2024, 6, 3)
    assert first.paper.version == 0
    assert first.paper.categories == ()


def test_the_later_shape_of_the_answer_with_fields_added_since_reads_the_same():
    daily = parse_daily(JUNE_13.read_bytes(), str(JUNE_13))
    assert daily.skipped == 0
    assert len(daily.entries) == len(entries(JUNE_13))
    assert {e.day for e in daily.entries} == {date(2024, 6, 13)}


def test_unknown_fields_anywhere_are_ignored():
    raw = entries()
    raw[0]["sponsored"] = {"by": "someone"}
    raw[0]["paper"]["githubRepo"] = "https://example.org/repo"
    raw[0]["paper"]["authors"][0]["orcid"] = "0000-0000"
    daily = parse_daily(answer(raw), "changed", date(2024, 6, 3))
    assert daily.skipped == 0
    assert daily.entries == parse_daily(JUNE_3.read_bytes(), "x").entries


def test_hidden_authors_are_left_out_and_the_others_keep_their_order():
    raw = entries()
    names = [a["name"] for a in raw[1]["paper"]["authors"]]
    raw[1]["paper"]["authors"][2]["hidden"] = True
    daily = parse_daily(answer(raw), "hidden", date(2024, 6, 3))
    assert daily.entries[1].paper.authors == tuple(names[:2] + names[3:])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", None),
        ("id", "not-an-id"),
        ("id", 2405.21075),
        ("id", "2405.21075" + " " * 100),
        ("title", ""),
        ("title", "x" * 5000),
        ("summary", ["a list"]),
        ("upvotes", "10"),
        ("upvotes", -1),
        ("upvotes", True),
        ("authors", "Tri Dao"),
    ],
)
def test_an_entry_that_cannot_be_trusted_is_skipped_and_counted(field, value):
    raw = entries()
    bad = copy.deepcopy(raw[1])
    bad["paper"][field] = value
    del bad["title"]  # the entry's own copy of the title would stand in for the paper's
    daily = parse_daily(answer([raw[0], bad, raw[2]]), "one bad", date(2024, 6, 3))
    assert daily.skipped == 1
    assert [e.paper.arxiv_id for e in daily.entries] == [
        raw[0]["paper"]["id"],
        raw[2]["paper"]["id"],
    ]


def test_an_entry_without_an_abstract_or_authors_is_kept_with_them_empty():
    raw = entries()
    raw[0]["paper"]["summary"] = None
    del raw[0]["paper"]["authors"]
    daily = parse_daily(answer(raw), "sparse", date(2024, 6, 3))
    assert daily.skipped == 0
    assert (daily.entries[0].paper.abstract, daily.entries[0].paper.authors) == ("", ())


def test_entries_that_are_not_objects_are_skipped_too():
    raw = entries()
    daily = parse_daily(answer([raw[0], "text", 3, None, {"paper": []}]), "odd", date(2024, 6, 3))
    assert (len(daily.entries), daily.skipped) == (1, 4)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (JUNE_3.read_bytes()[:5000], "malformed"),
        (b"", "malformed"),
        (b'{"error": "Invalid date"}', "not-a-feed"),
        (b"<html><body>Service unavailable</body></html>", "malformed"),
    ],
)
def test_a_body_that_is_not_a_whole_list_is_one_problem_and_gives_nothing(body, kind):
    with pytest.raises(FeedProblem) as caught:
        parse_daily(body, "https://huggingface.co/api/daily_papers?date=2024-06-03")
    assert caught.value.kind == kind


def test_an_answer_past_the_size_cap_is_refused_before_it_is_read():
    with pytest.raises(FeedProblem) as caught:
        parse_daily(b"[" + b" " * (17 * 1024 * 1024) + b"]", "huge")
    assert caught.value.kind == "too-large"


def test_an_answer_is_told_from_arxiv_documents_by_its_content():
    assert is_hf_daily(JUNE_3.read_bytes())
    assert is_hf_daily(b"[]")
    assert is_hf_daily(b" [\n {")
    assert not is_hf_daily((FIXTURES / "arxiv_rss_mixed.xml").read_bytes())
    assert not is_hf_daily((FIXTURES / "arxiv_api_lookup.xml").read_bytes())
    assert not is_hf_daily(b'{"url": "x", "status_code": 200, "body": "<feed/>"}')
    assert not is_hf_daily(b"[1, 2, 3]")


def test_the_day_comes_from_the_url_the_file_name_or_else_each_entrys_listing_time():
    url = day_url("https://huggingface.co/api/", date(2024, 6, 3))
    assert url == "https://huggingface.co/api/daily_papers?date=2024-06-03&limit=100"
    assert day_of_url(url) == date(2024, 6, 3)
    assert day_of_name("/saved/2024-06-13.json") == date(2024, 6, 13)
    assert day_of_name("/saved/latest.json") is None
    raw = entries()
    raw[0]["publishedAt"] = "2024-06-04T02:00:00.000Z"  # listed a day later
    daily = parse_daily(answer(raw), "latest.json")
    assert [e.day for e in daily.entries] == [date(2024, 6, 4), date(2024, 6, 3), date(2024, 6, 3)]


def weekdays(first: date, last: date) -> list[date]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() < 5]


def test_a_run_reads_the_weekdays_not_read_yet_and_always_yesterday_and_today():
    wednesday = date(2024, 6, 12)
    fortnight = weekdays(date(2024, 5, 29), wednesday)
    assert days_to_read(wednesday, set()) == fortnight  # two weeks back on a fresh database
    assert days_to_read(wednesday, set(fortnight)) == [date(2024, 6, 11), wednesday]
    missed = set(fortnight) - {date(2024, 6, 4), date(2024, 6, 7)}
    assert days_to_read(wednesday, missed) == [
        date(2024, 6, 4),
        date(2024, 6, 7),
        date(2024, 6, 11),
        wednesday,
    ]
    sunday = date(2024, 6, 16)
    assert days_to_read(sunday, set(weekdays(date(2024, 6, 3), sunday))) == []  # no lists


@pytest.fixture
def shared_hf() -> Path:
    if not SHARED_HF.is_dir():
        pytest.skip(f"recorded Hugging Face answers not found at {SHARED_HF}")
    return SHARED_HF


def test_every_recorded_answer_of_a_real_fortnight_reads_without_a_skipped_entry(shared_hf):
    for path in sorted(shared_hf.glob("*.json")):
        daily = parse_daily(path.read_bytes(), str(path))
        assert daily.skipped == 0, path.name
        assert len(daily.entries) == len(json.loads(path.read_bytes())), path.name
        assert {e.day for e in daily.entries} == {day_of_name(path.name)}, path.name
