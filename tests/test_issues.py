"""A fortnight's issue for a topic: editor picks first, then the ranking's score (topic fit,
Daily Papers, a model's importance), then the newest; capped; frozen when first sent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.digest import issues as issue_ranking
from storage import issues
from storage.db import utcnow
from tests import digest_world as world

JUNE_17 = date(2024, 6, 17)
DAY = datetime(2024, 6, 18, tzinfo=UTC)


@pytest.fixture
async def rt(tmp_path):
    runtime = await world.runtime(tmp_path / "issues.sqlite3")
    try:
        yield runtime
    finally:
        await runtime.close()


async def pick(rt, paper_id: int, position: int, slug: str | None = "rag") -> None:
    await rt.db.write(
        "INSERT INTO editor_picks (period_start, paper_id, topic_slug, position, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (JUNE_17.isoformat(), paper_id, slug, position, utcnow()),
    )


async def rank(rt, slug: str, cap: int = 10) -> list[int]:
    return list((await issue_ranking.topic_issue(rt.db, JUNE_17, slug, cap=cap)).issue.paper_ids)


async def test_papers_are_ranked_picks_then_score_then_recency(rt):
    weak_new = await world.add_paper(rt, "2406.60001", DAY + timedelta(days=3), {"rag": 0.6})
    strong = await world.add_paper(rt, "2406.60002", DAY, {"rag": 0.9})
    important = await world.add_paper(rt, "2406.60003", DAY, {"rag": 0.9}, importance=5)
    weak_old = await world.add_paper(rt, "2406.60004", DAY, {"rag": 0.6})
    picked = await world.add_paper(rt, "2406.60005", DAY, {"rag": 0.1})
    # An editor's pick from before the fortnight, headed under this topic, still leads.
    older_pick = await world.add_paper(rt, "2405.60006", DAY - timedelta(days=30), {})
    await pick(rt, picked, 2)
    await pick(rt, older_pick, 1)
    ranked = await rank(rt, "rag")
    assert ranked == [older_pick, picked, important, strong, weak_new, weak_old]
    assert await rank(rt, "rag", cap=3) == ranked[:3]


async def test_only_papers_announced_in_the_fortnight_and_new_ones_count(rt):
    await world.add_paper(rt, "2406.60010", datetime(2024, 7, 1, tzinfo=UTC), {"rag": 1})
    await world.add_paper(rt, "2406.60011", datetime(2024, 6, 16, 23, tzinfo=UTC), {"rag": 1})
    await world.add_paper(
        rt, "2301.60012", DAY, {"rag": 1}, announce_type="replace"
    )  # an old paper's new version is not news
    inside = await world.add_paper(rt, "2406.60013", datetime(2024, 6, 17, tzinfo=UTC), {"rag": 1})
    await rt.db.write(
        "UPDATE papers SET submitted_at = '2023-01-05T00:00:00+00:00' WHERE arxiv_id = '2301.60012'"
    )
    assert await rank(rt, "rag") == [inside]


async def test_an_issue_frozen_when_sent_does_not_change_with_later_papers(rt):
    first = await world.add_paper(rt, "2406.60020", DAY, {"rag": 1})
    frozen = (await issue_ranking.topic_issue(rt.db, JUNE_17, "rag", freeze=True)).issue
    await world.add_paper(rt, "2406.60021", DAY, {"rag": 1}, importance=5)
    again = (await issue_ranking.topic_issue(rt.db, JUNE_17, "rag")).issue
    assert (frozen.paper_ids, again.paper_ids, again.frozen) == ((first,), (first,), True)
    preview = (await issue_ranking.topic_issue(rt.db, JUNE_17 + timedelta(days=14), "rag")).issue
    assert preview.frozen is False


async def test_a_saved_query_issue_matches_every_word_in_the_fortnight(rt):
    await world.subscribe(rt, 801, [], queries=["sparse attention"])
    hit = await world.add_paper(rt, "2406.60030", DAY, {}, title="Sparse attention at scale")
    await world.add_paper(rt, "2406.60031", DAY, {}, title="Dense attention")
    await world.add_paper(rt, "2405.60032", DAY - timedelta(days=20), {}, title="Sparse attention")
    issue = await issues.query_issue(rt.db, JUNE_17, 801, "sparse attention", freeze=True)
    assert issue.paper_ids == (hit,)
    assert await issues.query_issue(rt.db, JUNE_17, 801, '"NEAR(x" OR *') is not None
