"""From a digest to a vote in two taps: each digest message, sent by /digest or by the push,
carries a numbered button per paper it lists, which opens that paper's card with its votes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app import build_application
from bot.digest.compose import Digest, Section
from bot.digest.periods import Period
from bot.render import callbacks
from bot.render.digest import render_digest
from bot.render.digest_buttons import digest_keyboard
from storage.models import Paper, Topic
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser, group
from tests.fakes.conversation import reply_to
from tests.running import running
from tests.test_bot_votes import press_vote, vote_row

NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)  # a Wednesday in the fortnight of 17–30 June
JUNE_18 = datetime(2024, 6, 18, tzinfo=UTC)
ADA = FakeUser(501, "Ada", language_code="en")
LI = FakeUser(502, "Li", language_code="zh-CN")
WANG = FakeUser(503, "Wang", language_code="zh")


def buttons(message: dict) -> list[list[tuple[str, str]]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [[(b["text"], b["callback_data"]) for b in row] for row in rows]


@pytest.fixture
async def chat_app(tmp_path, api):
    path = tmp_path / "digest.sqlite3"
    rt = await world.runtime(path)
    for n in range(1, 8):
        await world.add_paper(rt, f"2406.1000{n}", JUNE_18, {"rag": 1.0 - n / 100})
    await world.add_paper(rt, "2406.20001", JUNE_18, {"agents": 1.0}, title="Agents now")
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)) as application:
        yield application


async def test_a_digest_lists_its_papers_as_numbered_buttons_that_open_their_cards(chat_app, api):
    sent = await reply_to(api, ADA, "/digest rag")
    rows = buttons(sent)
    assert [label for row in rows for label, _ in row] == [str(n) for n in range(1, 8)]
    assert [len(row) for row in rows] == [5, 2]
    first = callbacks.parse(rows[0][0][1])
    assert isinstance(first, callbacks.OpenCard)
    assert f"arXiv:{first.arxiv_id}" in sent["text"].split("\n2.")[0]  # button 1 is paper 1


async def test_in_a_group_two_taps_take_a_member_from_the_digest_to_a_counted_vote_in_chinese(
    chat_app, api
):
    reading = api.add_chat(group(-800, "读书会"))
    await reply_to(api, LI, "/lang zh", chat=reading)
    sent = await reply_to(api, LI, "/digest rag", chat=reading)
    label, data = buttons(sent)[0][1]
    assert label == "2"
    mark = api.mark()
    api.user_presses(WANG, sent, data)  # tap one: the card
    [card] = await api.wait_for("sendMessage", since=mark)
    card = card.result
    arxiv_id = callbacks.parse(data).arxiv_id
    assert card["chat"]["id"] == reading.id
    assert vote_row(card) == ["👍", "👎", "🔖"]
    toast, card = await press_vote(api, WANG, card, "up", arxiv_id, "zh")  # tap two: the vote
    assert toast == "👍 已记下，再按一次可撤回。"
    assert vote_row(card) == ["👍 1", "👎", "🔖"]


async def test_a_message_with_several_topics_names_them_on_its_buttons(chat_app, api):
    await reply_to(api, ADA, "/subscribe rag agents")
    sent = await reply_to(api, ADA, "/digest")
    labels = [[label for label, _ in row] for row in buttons(sent)]
    flat = [label for row in labels for label in row]
    assert len(flat) == 8
    assert flat[-1].startswith("1 · ")  # the agents paper, first of its topic
    assert all(len(row) <= 3 for row in labels)


async def test_the_push_sends_each_digest_message_with_its_papers_buttons(push_rt, api):
    for n in range(1, 4):
        await world.add_paper(push_rt, f"2406.0000{n}", JUNE_18, {"rag": 1.0})
    await world.subscribe(push_rt, 101, ["rag"])
    await world.run_pass(push_rt, datetime(2024, 7, 1, 1, tzinfo=UTC))
    [message] = api.messages_in(101)
    *papers_rows, walk = buttons(message)
    opened = {callbacks.parse(data).arxiv_id for row in papers_rows for _, data in row}
    assert opened == {"2406.00001", "2406.00002", "2406.00003"}
    assert [data[:7] for _, data in walk] == ["digest:"]  # ▶ under the papers, as in /digest


def test_a_digest_split_over_messages_gives_each_message_the_buttons_of_its_own_papers():
    rag = Topic("rag", "检索增强生成", "Retrieval-augmented generation", position=1)
    found = tuple(
        Paper(f"2406.{70000 + n}", 1, f"Paper {n} " + "long title " * 30, id=n, announced=JUNE_18)
        for n in range(1, 31)
    )
    digest = Digest(Period(date(2024, 6, 17)), (Section(rag, None, found),), {})
    parts = render_digest(digest, "en")
    assert len(parts) > 1
    seen = []
    for part in parts:
        for row in digest_keyboard(part).inline_keyboard:
            for button in row:
                arxiv_id = callbacks.parse(button.callback_data).arxiv_id
                assert f"arXiv:{arxiv_id}" in part
                seen.append(arxiv_id)
    assert seen == [paper.arxiv_id for paper in found]


def test_a_message_without_papers_has_no_buttons():
    assert digest_keyboard("📚 <b>Nothing</b>\n<i>Search with /search</i>") is None
