"""Readers' votes across all chats: the community count each paper gets, and what it does to a
topic's issue (a modest part of the ranking, never more than the topic and the curators)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.digest import ranking
from bot.digest.issues import topic_issue
from storage import chats, votes
from storage.models import VoteTally
from tests import digest_world as world

PERIOD = date(2024, 6, 17)


async def test_votes_from_every_chat_add_up_and_a_taken_back_vote_is_gone(tmp_path):
    rt = await world.runtime(tmp_path / "votes.sqlite3")
    try:
        paper = await world.add_paper(rt, "2406.10001", datetime(2024, 6, 18, tzinfo=UTC), {})
        await votes.set_vote(rt.db, -100, 1, paper, "up")  # a group's member
        await votes.set_vote(rt.db, -100, 2, paper, "up")  # another member
        await votes.set_vote(rt.db, 7, 7, paper, "down")  # a reader in private
        await votes.set_vote(rt.db, 8, 8, paper, "up")
        await votes.set_vote(rt.db, 8, 8, paper, None)  # taken back
        [(paper_id, counted)] = (await votes.community(rt.db, [paper, 999])).items()
    finally:
        await rt.close()
    assert paper_id == paper
    assert (counted.up, counted.down, counted.net) == (2, 1, 1)


async def test_readers_votes_lift_a_paper_in_its_topic_and_votes_down_lower_it(tmp_path):
    rt = await world.runtime(tmp_path / "votes.sqlite3")
    try:
        day = datetime(2024, 6, 18, tzinfo=UTC)
        # Same topic fit and day: without votes the newer id wins a tie on recency alone.
        liked = await world.add_paper(rt, "2406.10001", day, {"rag": 0.8})
        plain = await world.add_paper(rt, "2406.10002", day, {"rag": 0.8})
        disliked = await world.add_paper(rt, "2406.10003", day, {"rag": 0.8})
        for chat in (-100, -200, 5):
            await votes.set_vote(rt.db, chat, abs(chat), liked, "up")
            await votes.set_vote(rt.db, chat, abs(chat), disliked, "down")
        ranked = await topic_issue(rt.db, PERIOD, "rag")
    finally:
        await rt.close()
    assert ranked.issue.paper_ids == (liked, plain, disliked)
    assert ranked.scores[liked].parts["reader_votes"] == round(0.3 * 0.5, 4)
    assert ranked.scores[disliked].parts["reader_votes"] == round(0.3 * -0.5, 4)


def test_the_readers_verdict_runs_from_minus_one_to_one_and_is_half_at_three_net_votes():
    assert ranking.readers_verdict(0, 0) == 0.0
    assert ranking.readers_verdict(3, 0) == 0.5
    assert ranking.readers_verdict(1, 4) == -0.5
    assert 0.99 < ranking.readers_verdict(1000, 0) < 1.0
    assert ranking.load().reader_votes < ranking.load().topic_fit  # modest


async def test_a_group_upgraded_to_a_supergroup_keeps_its_votes_and_saved_papers(tmp_path):
    rt = await world.runtime(tmp_path / "votes.sqlite3")
    try:
        paper = await world.add_paper(rt, "2406.10001", datetime(2024, 6, 18, tzinfo=UTC), {})
        await chats.ensure(rt.db, -5, "group", "Readers", default_timezone="UTC")
        await votes.set_vote(rt.db, -5, 1, paper, "up")
        await votes.set_vote(rt.db, -5, -5, paper, "up")  # an anonymous admin, as the group
        await votes.save(rt.db, -5, paper, 1)
        assert await chats.migrate(rt.db, -5, -1005)
        after = await votes.tally(rt.db, -1005, paper)
        anonymous = await votes.vote_of(rt.db, -1005, -1005, paper)
        before = await votes.tally(rt.db, -5, paper)
    finally:
        await rt.close()
    assert after == VoteTally(up=2, down=0, saved=True)
    assert anonymous == "up"
    assert before == VoteTally()
