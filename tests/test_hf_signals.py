"""The community signal stored from Daily Papers: counts per paper and day that never go down,
and a period's signal per paper (best upvotes, comments, days listed, rank and share of its
day), read from real recorded lists."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.ingest.service import ingest_file
from storage import hf_signals, papers
from storage.hf_signals import DaySignal
from storage.models import Paper
from tests.conftest import FIXTURES
from tests.test_hf_daily_parse import SHARED_HF

MONDAY = date(2024, 6, 3)


async def two_papers(db) -> tuple[int, int]:
    await papers.upsert(db, [Paper("2406.00001", 1, "One"), Paper("2406.00002", 1, "Two")])
    stored = await papers.get_many(db, ["2406.00001", "2406.00002"])
    return stored["2406.00001"].id, stored["2406.00002"].id


async def read_times(db) -> dict[int, tuple[int, int, str]]:
    rows = await db.fetchall("SELECT paper_id, upvotes, comments, read_at FROM hf_daily_signals")
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


async def test_a_later_read_with_more_upvotes_keeps_its_counts_and_its_read_time(db):
    one, _ = await two_papers(db)
    async with db.transaction() as conn:
        await hf_signals.record_within(conn, MONDAY, [DaySignal(one, 4, 0)], "2024-06-03T06:00")
        await hf_signals.record_within(conn, MONDAY, [DaySignal(one, 20, 2)], "2024-06-03T17:00")
    assert (await read_times(db))[one] == (20, 2, "2024-06-03T17:00")


async def test_an_early_snapshot_read_last_never_lowers_the_counts_or_moves_the_read_time(db):
    one, two = await two_papers(db)
    async with db.transaction() as conn:
        late = [DaySignal(one, 20, 2), DaySignal(two, 9, 1)]
        await hf_signals.record_within(conn, MONDAY, late, "2024-06-04T17:00")
        early = [DaySignal(one, 4, 0), DaySignal(two, 9, 3)]
        await hf_signals.record_within(conn, MONDAY, early, "2024-06-05T09:00")
    stored = await read_times(db)
    assert stored[one] == (20, 2, "2024-06-04T17:00")
    assert stored[two] == (9, 3, "2024-06-05T09:00")  # more comments: a newer read after all


async def test_a_paper_on_two_days_lists_counts_its_days_and_its_best_standing(db):
    one, two = await two_papers(db)
    tuesday = MONDAY + timedelta(days=1)
    await hf_signals.record(db, MONDAY, [DaySignal(one, 10, 1), DaySignal(two, 40, 5)])
    await hf_signals.record(db, tuesday, [DaySignal(one, 25, 3)])
    signal = await hf_signals.community_signal(db, MONDAY, MONDAY + timedelta(days=14))
    assert signal[one].days == 2
    assert (signal[one].upvotes, signal[one].comments) == (25, 3)
    assert (signal[one].best_rank, signal[one].day_share) == (1, 1.0)  # top of Tuesday
    assert signal[one].first_day == MONDAY
    assert (signal[two].best_rank, signal[two].day_share, signal[two].days) == (1, 1.0, 1)
    later = await hf_signals.community_signal(db, tuesday, tuesday + timedelta(days=1))
    assert list(later) == [one]


async def expected_from(paths: list[Path]) -> dict[str, tuple[int, int, int, float]]:
    """Each paper's upvotes, comments, rank in its day and share of the day's top, worked out
    from the answers themselves."""
    expected = {}
    for path in paths:
        entries = json.loads(path.read_bytes())
        top = max(e["paper"]["upvotes"] for e in entries)
        for entry in entries:
            upvotes = entry["paper"]["upvotes"]
            rank = 1 + sum(e["paper"]["upvotes"] > upvotes for e in entries)
            share = round(upvotes / top, 4) if top else 0.0
            expected[entry["paper"]["id"]] = (upvotes, entry["numComments"], rank, share)
    return expected


async def signals_of(db, paths: list[Path]) -> dict[str, tuple[int, int, int, float]]:
    for path in paths:
        report = await ingest_file(db, path)
        assert report.errors == []
    found = await hf_signals.community_signal(db, date(2024, 6, 3), date(2024, 6, 17))
    return {s.arxiv_id: (s.upvotes, s.comments, s.best_rank, s.day_share) for s in found.values()}


async def test_the_period_signal_of_two_recorded_days_matches_the_answers(db):
    paths = sorted((FIXTURES / "hf_daily").glob("*.json"))
    assert await signals_of(db, paths) == await expected_from(paths)


async def test_the_period_signal_of_a_real_fortnight_matches_the_answers(db):
    if not SHARED_HF.is_dir():
        pytest.skip(f"recorded Hugging Face answers not found at {SHARED_HF}")
    paths = sorted(SHARED_HF.glob("*.json"))
    found = await signals_of(db, paths)
    assert found == await expected_from(paths)
    assert len(found) == sum(len(json.loads(p.read_bytes())) for p in paths)
    assert await hf_signals.counts(db) == (len(found), len(found))
