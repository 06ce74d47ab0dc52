"""The ranking of a topic's issue on a real database: Daily Papers presence and upvotes lift
a paper that is squarely on the topic, an editor's pick stays first, a popular paper barely
on the topic does not lead it, equal scores go to the newest; the weights are data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.digest import issues as issue_ranking
from bot.digest import ranking
from bot.digest.compose import compose
from bot.digest.periods import Period
from storage import hf_signals
from storage.db import utcnow
from storage.hf_signals import DaySignal
from tests import digest_world as world

JUNE_17 = date(2024, 6, 17)
DAY = datetime(2024, 6, 18, tzinfo=UTC)


@pytest.fixture
async def rt(tmp_path):
    runtime = await world.runtime(tmp_path / "ranking.sqlite3")
    try:
        yield runtime
    finally:
        await runtime.close()


async def on_daily_papers(rt, day: date, upvotes: dict[int, int], comments: int = 0) -> None:
    await hf_signals.record(rt.db, day, [DaySignal(p, n, comments) for p, n in upvotes.items()])


async def ranked(rt, slug: str = "rag") -> list[int]:
    return list((await issue_ranking.topic_issue(rt.db, JUNE_17, slug)).issue.paper_ids)


async def test_a_paper_upvoted_on_daily_papers_outranks_a_closer_rules_only_match(rt):
    rules_only = await world.add_paper(rt, "2406.61001", DAY, {"rag": 0.95})
    upvoted = await world.add_paper(rt, "2406.61002", DAY, {"rag": 0.8})
    barely_listed = await world.add_paper(rt, "2406.61003", DAY, {"rag": 0.8})
    await on_daily_papers(rt, date(2024, 6, 19), {upvoted: 40, barely_listed: 1})
    assert await ranked(rt) == [upvoted, barely_listed, rules_only]


async def test_an_editors_pick_stays_first_above_the_most_upvoted_paper(rt):
    upvoted = await world.add_paper(rt, "2406.61011", DAY, {"rag": 0.95})
    picked = await world.add_paper(rt, "2406.61012", DAY, {"rag": 0.5})
    await on_daily_papers(rt, date(2024, 6, 19), {upvoted: 90})
    await rt.db.write(
        "INSERT INTO editor_picks (period_start, paper_id, topic_slug, position, created_at)"
        " VALUES (?, ?, 'rag', 1, ?)",
        (JUNE_17.isoformat(), picked, utcnow()),
    )
    issue = await issue_ranking.topic_issue(rt.db, JUNE_17, "rag")
    assert list(issue.issue.paper_ids) == [picked, upvoted]
    assert issue.scores[picked].picked


async def test_a_popular_paper_barely_on_the_topic_does_not_lead_it(rt):
    on_topic = await world.add_paper(rt, "2406.61021", DAY, {"rag": 0.95})
    popular_elsewhere = await world.add_paper(rt, "2406.61022", DAY, {"rag": 0.5})
    await on_daily_papers(rt, date(2024, 6, 19), {popular_elsewhere: 120}, comments=30)
    assert await ranked(rt) == [on_topic, popular_elsewhere]


async def test_a_models_importance_lifts_a_paper_and_equal_scores_go_to_the_newest(rt):
    older = await world.add_paper(rt, "2406.61031", DAY, {"rag": 0.9})
    newer = await world.add_paper(rt, "2406.61032", DAY + timedelta(days=2), {"rag": 0.9})
    rated = await world.add_paper(rt, "2406.61033", DAY, {"rag": 0.9}, importance=5)
    assert await ranked(rt) == [rated, newer, older]


async def test_a_frozen_issue_keeps_its_order_but_still_says_why(rt):
    first = await world.add_paper(rt, "2406.61041", DAY, {"rag": 0.9})
    frozen = await issue_ranking.topic_issue(rt.db, JUNE_17, "rag", freeze=True)
    later = await world.add_paper(rt, "2406.61042", DAY, {"rag": 0.9})
    await on_daily_papers(rt, date(2024, 6, 19), {later: 50, first: 5})
    again = await issue_ranking.topic_issue(rt.db, JUNE_17, "rag")
    assert (frozen.issue.paper_ids, again.issue.paper_ids) == ((first,), (first,))
    assert again.scores[first].signals.community.upvotes == 5


def test_the_packaged_weights_load_and_a_wrong_key_is_named(tmp_path):
    assert ranking.load() == ranking.Weights()
    wrong = tmp_path / "ranking.toml"
    wrong.write_text("[weights]\nhf_upvote = 1.0\n", encoding="utf-8")
    with pytest.raises(ranking.RankingError, match="unknown key 'hf_upvote'"):
        ranking.load(wrong)
    wrong.write_text("[fit_gate]\nfloor = -1\n", encoding="utf-8")
    with pytest.raises(ranking.RankingError, match="floor must be a number, 0 or more"):
        ranking.load(wrong)


async def test_a_paper_in_two_of_a_chats_topics_shows_once_where_it_fits_best(rt):
    both = await world.add_paper(rt, "2406.61051", DAY, {"rag": 0.6, "agents": 0.95})
    await on_daily_papers(rt, date(2024, 6, 19), {both: 30})
    rag_only = [await world.add_paper(rt, f"2406.6106{n}", DAY, {"rag": 0.9}) for n in range(3)]
    period = Period(JUNE_17)
    found = await compose(rt.db, period, rt.topics, topic_slugs=["rag", "agents"], cap=3)
    shown = {s.topic.slug: [p.id for p in s.papers] for s in found.sections}
    assert shown["agents"] == [both]
    assert sorted(shown["rag"]) == sorted(rag_only)  # the next paper took its place
    alone = await compose(rt.db, period, rt.topics, topic_slugs=["rag"], cap=3)
    assert both in [p.id for p in alone.sections[0].papers]


async def test_a_paper_listed_on_daily_papers_just_after_the_fortnight_still_counts(rt):
    on_topic = await world.add_paper(rt, "2406.61071", DAY, {"rag": 0.95})
    late_listed = await world.add_paper(rt, "2406.61072", DAY + timedelta(days=11), {"rag": 0.8})
    await on_daily_papers(rt, date(2024, 7, 2), {late_listed: 25})  # the Tuesday after
    assert await ranked(rt) == [late_listed, on_topic]
