"""A digest a reader finishes, as a chat receives it: TL;DR, first authors and a link to each
paper's card; a message that opens mid-section repeats its heading, in both languages and in
a group; ◀ under a group's digest opens the fortnight before in the group."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import build_application
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser, group
from tests.fakes.conversation import press
from tests.running import running

NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)
ADA = FakeUser(701, "Ada", language_code="en")
LI = FakeUser(702, "Li", language_code="zh-CN")
LONG_TITLE = "A study of retrieval that goes on and on " * 8


@pytest.fixture
async def chat_app(tmp_path, api):
    path = tmp_path / "form.sqlite3"
    rt = await world.runtime(path)
    for n in range(10):
        await world.add_paper(
            rt, f"2406.3{n:04d}", datetime(2024, 6, 18, tzinfo=UTC), {"rag": 1.0},
            title=f"Paper {n}: {LONG_TITLE}",
            summaries_by_lang={
                "en": "Retrieval helps. " + "It also does many other things at length. " * 9,
                "zh": "检索有帮助。" + "它还做了很多别的事情，说来话长。" * 9,
            },
        )  # fmt: skip
    await world.add_paper(rt, "2406.02000", datetime(2024, 6, 5, tzinfo=UTC), {"rag": 1.0},
                          title="Early June retrieval")  # fmt: skip
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)) as application:
        yield application


async def digest_messages(api, user, text, chat=None) -> list[dict]:
    mark = api.mark()
    api.user_says(user, text, **({"chat": chat} if chat else {}))
    await api.wait_for("sendMessage", count=2, since=mark)
    return [call.result for call in api.calls("sendMessage", since=mark)]


@pytest.mark.parametrize(
    ("user", "heading", "continued", "authors", "link"),
    [
        (ADA, "▍Retrieval-augmented generation", "▍Retrieval-augmented generation (cont.)",
         "👥 Ada Lovelace, Alan Turing", "Full summary ›"),
        (LI, "▍RAG", "▍RAG（续）", "👥 Ada Lovelace, Alan Turing", "完整摘要 ›"),
    ],
)  # fmt: skip
async def test_a_split_digest_repeats_its_heading_and_each_paper_is_short(
    chat_app, api, user, heading, continued, authors, link
):
    first, second = (await digest_messages(api, user, "/digest rag"))[:2]
    assert heading + "\n" in first["text"]
    assert second["text"].startswith(continued + "\n\n")
    assert authors in first["text"]
    assert "Retrieval helps." in first["text"] or "检索有帮助。" in first["text"]
    assert "at length. It also does many other things at length. It also" not in first["text"]
    [entity] = [e for e in first["entities"] if e["type"] == "text_link" and "t.me" in e["url"]][:1]
    assert (
        entity["url"] == "https://t.me/digest_test_bot?start=paper_2406_30009"
    )  # the newest first
    assert link in first["text"]


async def test_in_a_group_the_arrow_opens_the_fortnight_before_in_the_group(chat_app, api):
    room = group(-800)
    parts = await digest_messages(api, ADA, "/digest rag", chat=room)
    last = parts[-1]
    back = last["reply_markup"]["inline_keyboard"][-1][0]  # the ◀ ▶ row, under the papers
    assert back["text"].startswith("◀ ")
    sent = await press(api, LI, last, back["callback_data"], "sendMessage")
    assert sent.result["chat"]["id"] == -800
    assert "Early June retrieval" in sent.result["text"]
