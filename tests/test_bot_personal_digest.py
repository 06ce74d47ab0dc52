"""A chat's votes shape its own /digest: after a handful of votes the kind of paper its readers
like comes first and the papers they voted down are gone; a group's members vote together.

The real python-telegram-bot Application polls the fake Bot API on 127.0.0.1; readers vote
with the buttons under paper cards, as they would.
"""

from __future__ import annotations

import pytest

from bot.app import build_application
from tests import digest_world as world
from tests import taste_world
from tests.fakes.bot_api_updates import FakeUser, group
from tests.fakes.conversation import reply_to
from tests.running import running
from tests.taste_world import order_in
from tests.test_bot_votes import press_vote

ADA = FakeUser(601, "Ada", language_code="en")
LI = FakeUser(602, "Li", language_code="en")
WANG = FakeUser(603, "Wang", language_code="en")


@pytest.fixture
async def ids(tmp_path, api):
    path = tmp_path / "taste.sqlite3"
    rt = await world.runtime(path)
    found = await taste_world.two_fortnights(rt)
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: taste_world.NOW)):
        yield found


async def vote(api, user, arxiv_id: str, action: str, chat=None) -> None:
    """`user` opens the paper's card and presses one of its vote buttons."""
    card = await reply_to(api, user, f"/paper {arxiv_id}", chat=chat)
    await press_vote(api, user, card, action, arxiv_id)


def kinds(order: list[str]) -> list[str]:
    return [name.split("-")[0] for name in order]


async def test_a_readers_votes_put_the_kind_they_like_first_and_drop_what_they_voted_down(ids, api):
    before = order_in((await reply_to(api, ADA, "/digest llm"))["text"], ids)
    assert kinds(before) == ["code"] * 5 + ["speech"] * 4  # the model's ratings lead
    await vote(api, ADA, ids["speech-old-1"], "up")
    await vote(api, ADA, ids["speech-old-2"], "up")
    await vote(api, ADA, ids["code-5"], "down")
    sent = await reply_to(api, ADA, "/digest llm")
    after = order_in(sent["text"], ids)
    assert kinds(after) == ["speech"] * 4 + ["code"] * 4
    assert "code-5" not in after
    assert "💡 similar to papers you liked" in sent["text"]


async def test_a_saved_paper_counts_as_liked(ids, api):
    await vote(api, ADA, ids["speech-old-1"], "save")
    await vote(api, ADA, ids["speech-old-2"], "up")
    await vote(api, ADA, ids["code-old-1"], "down")
    after = order_in((await reply_to(api, ADA, "/digest llm"))["text"], ids)
    assert kinds(after)[:4] == ["speech"] * 4


async def test_a_groups_issue_becomes_its_own_once_its_members_together_voted_on_three_papers(
    ids, api
):
    reading = api.add_chat(group(-900, "Reading group"))
    await vote(api, LI, ids["speech-old-1"], "up", reading)
    await vote(api, LI, ids["speech-old-2"], "up", reading)
    still = order_in((await reply_to(api, LI, "/digest llm", chat=reading))["text"], ids)
    assert kinds(still)[:5] == ["code"] * 5  # two votes are not yet a taste
    await vote(api, WANG, ids["code-5"], "down", reading)
    after = order_in((await reply_to(api, WANG, "/digest llm", chat=reading))["text"], ids)
    assert kinds(after) == ["speech"] * 4 + ["code"] * 4
    assert "code-5" not in after
    # Li's private chat never voted: it reads the shared issue, as any chat without votes
    own = await reply_to(api, LI, "/digest llm")
    assert own["text"] == (await reply_to(api, ADA, "/digest llm"))["text"]
    assert kinds(order_in(own["text"], ids)) == ["code"] * 5 + ["speech"] * 4


async def test_a_reader_who_votes_and_follows_gets_their_own_order_and_their_authors(ids, api):
    await vote(api, ADA, ids["speech-old-1"], "up")
    await vote(api, ADA, ids["speech-old-2"], "up")
    await vote(api, ADA, ids["code-5"], "down")
    followed = await reply_to(api, ADA, "/follow Ada Lovelace")
    assert "Ada Lovelace" in followed["text"]
    sent = await reply_to(api, ADA, "/digest llm")
    assert kinds(order_in(sent["text"], ids)) == ["speech"] * 4 + ["code"] * 4
    assert "💡 similar to papers you liked" in sent["text"]
    assert "👤 Ada Lovelace" in sent["text"]


async def test_a_groups_digest_says_the_group_liked_its_papers_not_one_reader(ids, api):
    zhao = FakeUser(604, "赵", language_code="zh-hans")
    room = api.add_chat(group(-901, "读书会"))
    await vote(api, zhao, ids["speech-old-1"], "up", room)
    await vote(api, WANG, ids["speech-old-2"], "up", room)
    await vote(api, WANG, ids["code-5"], "down", room)
    chinese = (await reply_to(api, zhao, "/digest llm", chat=room))["text"]
    assert "💡 与本群赞过的论文相近" in chinese
    assert "你" not in chinese
    api.set_admins(room.id, [zhao.id])
    await reply_to(api, zhao, "/lang en", chat=room)
    english = (await reply_to(api, WANG, "/digest llm", chat=room))["text"]
    assert "💡 similar to papers this group liked" in english
    # A reader alone is still told it is their own taste.
    await vote(api, zhao, ids["speech-old-1"], "up")
    await vote(api, zhao, ids["speech-old-2"], "up")
    await vote(api, zhao, ids["code-5"], "down")
    assert "💡 与你赞过的论文相近" in (await reply_to(api, zhao, "/digest llm"))["text"]
