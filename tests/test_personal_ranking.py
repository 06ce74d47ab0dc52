"""Each chat's own issue in the push: chats without votes read the shared issue byte for byte,
a chat with votes reads its own, and one chat's votes never move another chat's issue (except
through the community count of a paper's votes, which every score holds)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot import authors
from bot.digest import library, personal
from bot.digest.compose import compose
from bot.digest.periods import Period
from bot.push.plan import chat_digest, render_for
from bot.render.digest import render_digest
from bot.runtime import Runtime
from storage import chats, papers, subscriptions, taste_inputs, votes
from tests import digest_world as world
from tests import taste_world
from tests.taste_world import order_in

DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)  # Monday 09:00 in Shanghai after 17–30 June
JUNE = Period(date(2024, 6, 17))
LIKES_SPEECH = {"speech-old-1": "up", "speech-old-2": "up", "code-5": "down"}


async def cast(rt: Runtime, ids: dict[str, str], chat_id: int, ballot: dict[str, str]) -> None:
    """The chat's reader votes as a reader would."""
    for name, action in ballot.items():
        paper = await papers.get(rt.db, ids[name])
        await votes.set_vote(rt.db, chat_id, chat_id, paper.id, action)


async def texts_of(rt: Runtime, chat_id: int) -> list[str]:
    """The chat's digest of June's second fortnight, as the push composes and renders it."""
    chat = await chats.get(rt.db, chat_id)
    subs = await subscriptions.for_chat(rt.db, chat_id)
    taste = await personal.taste_of(rt.db, chat_id)
    return render_for(await chat_digest(rt, chat, subs, JUNE, taste=taste), chat)


def kinds(text: str, ids: dict[str, str]) -> list[str]:
    return [name.split("-")[0] for name in order_in(text, ids)]


async def test_chats_without_votes_read_the_shared_issue_byte_for_byte_and_a_voter_its_own(
    push_rt, api
):
    ids = await taste_world.two_fortnights(push_rt)
    for chat_id in (101, 102, 103):
        await world.subscribe(push_rt, chat_id, ["llm"])
    await cast(push_rt, ids, 103, LIKES_SPEECH)
    await world.run_pass(push_rt, DUE)
    sent = {
        chat_id: [call.params["text"] for call in api.calls("sendMessage", chat_id=chat_id)]
        for chat_id in (101, 102, 103)
    }
    cap = push_rt.settings.issue_size
    shared = await compose(push_rt.db, JUNE, push_rt.topics, topic_slugs=["llm"], cap=cap)
    assert sent[101] == sent[102] == render_digest(shared, "en", bot_username=api.bot_username)
    assert kinds(sent[101][0], ids) == ["code"] * 5 + ["speech"] * 4
    assert kinds(sent[103][0], ids) == ["speech"] * 4 + ["code"] * 4


async def test_one_chats_votes_on_earlier_papers_move_no_other_chats_issue(push_rt):
    ids = await taste_world.two_fortnights(push_rt)
    for chat_id in (201, 202, 203):
        await world.subscribe(push_rt, chat_id, ["llm"])
    await cast(push_rt, ids, 201, LIKES_SPEECH)
    before = {chat_id: await texts_of(push_rt, chat_id) for chat_id in (201, 202)}
    liking_code = {"code-old-1": "up", "code-old-2": "up", "speech-old-3": "down"}
    await cast(push_rt, ids, 203, liking_code)
    assert {chat_id: await texts_of(push_rt, chat_id) for chat_id in (201, 202)} == before
    assert await texts_of(push_rt, 203) != before[202]


async def test_a_single_like_is_not_yet_a_taste_but_a_single_vote_down_drops_the_paper(push_rt):
    ids = await taste_world.two_fortnights(push_rt)
    for chat_id in (301, 302, 303):
        await world.subscribe(push_rt, chat_id, ["llm"])
    await cast(push_rt, ids, 302, {"speech-old-1": "up"})
    await cast(push_rt, ids, 303, {"code-4": "down"})
    shared = await texts_of(push_rt, 301)
    assert await texts_of(push_rt, 302) == shared
    [own] = await texts_of(push_rt, 303)
    assert order_in(own, ids) == [n for n in order_in(shared[0], ids) if n != "code-4"]


async def test_a_saved_query_of_a_chat_leaves_out_what_it_voted_down(push_rt):
    ids = await taste_world.two_fortnights(push_rt)
    await world.subscribe(push_rt, 401, [], queries=["speech"])
    await cast(push_rt, ids, 401, {"speech-2": "down"})
    [text] = await texts_of(push_rt, 401)
    assert "speech-2" not in order_in(text, ids)
    assert "speech-1" in order_in(text, ids)


async def test_a_chats_taste_follows_its_latest_votes(push_rt, monkeypatch):
    ids = await taste_world.two_fortnights(push_rt)
    await world.subscribe(push_rt, 501, ["llm"])
    await cast(push_rt, ids, 501, {"code-old-1": "up", "code-old-2": "up", "speech-old-3": "down"})
    await push_rt.db.write("UPDATE votes SET voted_at = '2024-05-01T00:00:00+00:00'")
    await cast(push_rt, ids, 501, LIKES_SPEECH)  # a month later, speech instead
    monkeypatch.setattr(taste_inputs, "LATEST", 3)
    [text] = await texts_of(push_rt, 501)
    assert kinds(text, ids) == ["speech"] * 4 + ["code"] * 4


async def test_chats_of_opposite_tastes_in_one_push_each_read_what_they_would_read_alone(
    push_rt, api
):
    # The push shares the topics' candidates, the papers' lines and one look at the chats'
    # followed authors among ten thousand chats: none of it may carry one chat's taste to another
    ids = await taste_world.two_fortnights(push_rt)
    for chat_id in (601, 602, 603, 604):
        await world.subscribe(push_rt, chat_id, ["llm"])
    await cast(push_rt, ids, 601, LIKES_SPEECH)
    await cast(push_rt, ids, 602, {"code-old-1": "up", "code-old-2": "up", "speech-old-3": "down"})
    await cast(push_rt, ids, 603, {**LIKES_SPEECH, "speech-1": "down"})
    await library.follow(push_rt.db, 604, authors.parse("Ada Lovelace"), None)
    alone = {}
    for chat_id in (601, 602, 603, 604):
        chat = await chats.get(push_rt.db, chat_id)
        subs = await subscriptions.for_chat(push_rt.db, chat_id)
        taste = await personal.taste_of(push_rt.db, chat_id)
        digest = await chat_digest(push_rt, chat, subs, JUNE, taste=taste)
        alone[chat_id] = render_for(digest, chat, api.bot_username)
    await world.run_pass(push_rt, DUE)
    for chat_id, texts in alone.items():
        assert [call.params["text"] for call in api.calls("sendMessage", chat_id=chat_id)] == texts
    assert kinds(alone[601][0], ids) == ["speech"] * 4 + ["code"] * 4
    assert kinds(alone[602][0], ids)[:5] == ["code"] * 5
    assert "speech-1" not in order_in(alone[603][0], ids)
    assert "👤 Ada Lovelace" in alone[604][0]
