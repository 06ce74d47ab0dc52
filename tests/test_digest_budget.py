"""A digest a reader finishes: a chat of many topics sees fewer papers of each, about twenty
in all (so that a Chinese reader's digest fits in two messages), every editor's pick kept;
a chat of one topic sees its whole issue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.digest.compose import DIGEST_PAPERS, MIN_PER_SECTION, compose, section_cap
from bot.digest.periods import Period
from storage import editor_picks
from storage.models import PickedItem
from tests import digest_world as world

JUNE_17 = Period(date(2024, 6, 17))
TOPICS = ("llm", "rag", "finetuning", "reasoning", "safety")


async def _world(tmp_path):
    rt = await world.runtime(tmp_path / "budget.sqlite3")
    ids = {}
    for t, slug in enumerate(TOPICS):
        for n in range(10):
            day = datetime(2024, 6, 18 + n % 10, tzinfo=UTC)
            ids[slug, n] = await world.add_paper(rt, f"2406.{t}{n:04d}", day, {slug: 1.0})
    return rt, ids


def test_each_section_gets_its_share_of_about_twenty_papers():
    assert section_cap(10, 1) == 10
    assert section_cap(10, 2) == 10
    assert section_cap(10, 5) == DIGEST_PAPERS // 5
    assert section_cap(10, 9) == MIN_PER_SECTION


async def test_a_chat_of_five_topics_sees_twenty_papers_and_of_one_topic_ten(tmp_path):
    rt, _ids = await _world(tmp_path)
    try:
        five = await compose(rt.db, JUNE_17, rt.topics, topic_slugs=TOPICS, cap=10)
        assert [len(section.papers) for section in five.sections] == [4] * 5
        one = await compose(rt.db, JUNE_17, rt.topics, topic_slugs=["rag"], cap=10)
        assert len(one.sections[0].papers) == 10
    finally:
        await rt.close()


async def test_every_editors_pick_shows_even_past_the_share(tmp_path):
    rt, ids = await _world(tmp_path)
    try:
        picked = [PickedItem(ids["rag", n], "rag", n + 1, None) for n in range(6)]
        await editor_picks.record(rt.db, JUNE_17.start, picked)
        five = await compose(rt.db, JUNE_17, rt.topics, topic_slugs=TOPICS, cap=10)
        [rag] = [section for section in five.sections if section.topic.slug == "rag"]
        assert [paper.id for paper in rag.papers] == [ids["rag", n] for n in range(6)]
    finally:
        await rt.close()
