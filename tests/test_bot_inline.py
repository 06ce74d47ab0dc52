"""Inline mode: `@bot query` offers shareable paper cards, a page at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import papers
from storage.db import Database
from storage.models import Paper


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    """Thirty papers on retrieval, and one with an old-style id."""
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        await papers.upsert(
            db,
            [Paper(f"2406.{i:05d}", 1, f"Retrieval & ranking <study> {i}", ("Ada", "Bo", "Cy"))
             for i in range(30)]
            + [Paper("hep-th/9901001", 2, "Strings and branes")],
        )  # fmt: skip
    return path


async def ask(api, user, query: str, offset: str = "") -> dict:
    mark = api.mark()
    api.user_queries_inline(user, query, offset=offset)
    [answer] = await api.wait_for("answerInlineQuery", since=mark)
    assert answer.ok, answer.error
    return answer.params


async def test_an_inline_search_pages_with_next_offset_and_cards_are_valid_html(app, api):
    ada = api.user(1001)
    first = await ask(api, ada, "retrieval")
    assert len(first["results"]) == 20
    assert first["next_offset"] == "20"
    card = first["results"][0]
    assert card["input_message_content"]["parse_mode"] == "HTML"
    assert "&lt;study&gt;" in card["input_message_content"]["message_text"]
    assert card["description"].startswith("Ada, Bo …")
    second = await ask(api, ada, "retrieval", offset="20")
    assert len(second["results"]) == 10
    assert not second.get("next_offset")
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(ids) == 30


async def test_an_arxiv_id_offers_exactly_that_paper_and_an_empty_query_the_latest(app, api):
    ada = api.user(1001)
    exact = await ask(api, ada, "https://arxiv.org/abs/hep-th/9901001v2")
    assert [r["id"] for r in exact["results"]] == ["hep-th/9901001"]
    latest = await ask(api, ada, "")
    assert latest["results"][0]["id"] == "hep-th/9901001"  # stored last, so newest


async def test_a_paper_without_authors_is_described_by_its_id_alone(app, api):
    ada = api.user(1001)
    [strings] = (await ask(api, ada, "hep-th/9901001"))["results"]
    assert strings["description"] == "hep-th/9901001"


async def test_a_forged_offset_gets_an_empty_answer(app, api):
    ada = api.user(1001)
    assert (await ask(api, ada, "retrieval", offset="-5; DROP"))["results"] == []


async def share(api, user, arxiv_id: str) -> tuple[str, dict]:
    """`user` finds the paper inline and sends its card: the inline_message_id and the card."""
    answer = await ask(api, user, arxiv_id)
    inline_message_id = api.user_shares_inline_result(user, answer, arxiv_id)
    return inline_message_id, api.world.inline_messages[inline_message_id]


def button_data(card: dict, prefix: str) -> str:
    buttons = [b for row in card["reply_markup"]["inline_keyboard"] for b in row]
    [data] = [b["callback_data"] for b in buttons if b.get("callback_data", "").startswith(prefix)]
    return data


async def test_a_card_shared_inline_switches_language_in_place_by_inline_message_id(app, api):
    ada = api.user(1001, language_code="en")
    inline_id, card = await share(api, ada, "2406.00007")
    english = card["text"]
    assert button_data(card, "card:lang:") == "card:lang:2406.00007:zh"
    mark = api.mark()
    api.user_presses_inline(ada, inline_id, "card:lang:2406.00007:zh")
    [edit] = await api.wait_for("editMessageText", since=mark)
    assert edit.ok
    assert edit.result is True
    assert edit.params["inline_message_id"] == inline_id
    assert "chat_id" not in edit.params
    chinese = api.world.inline_messages[inline_id]
    assert chinese["text"] != english
    assert "摘要" in chinese["text"]
    assert button_data(chinese, "card:lang:") == "card:lang:2406.00007:en"
    [answered] = api.calls("answerCallbackQuery", since=mark)
    assert answered.ok
    # And back: the card reads as it did when shared
    api.user_presses_inline(ada, inline_id, "card:lang:2406.00007:en")
    await api.wait_for("editMessageText", count=2, since=mark)
    assert api.world.inline_messages[inline_id]["text"] == english


async def test_pressing_a_stale_language_button_twice_is_quietly_ignored(app, api, caplog):
    ada = api.user(1001, language_code="en")
    inline_id, _ = await share(api, ada, "2406.00003")
    mark = api.mark()
    api.user_presses_inline(ada, inline_id, "card:lang:2406.00003:zh")
    api.user_presses_inline(ada, inline_id, "card:lang:2406.00003:zh")
    edits = await api.wait_for("editMessageText", count=2, since=mark)
    assert [e.ok for e in edits] == [True, False]
    await api.wait_for("answerCallbackQuery", count=2, since=mark)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_similar_papers_from_a_card_shared_inline_continue_in_a_private_chat(app, api):
    ada = api.user(1001, language_code="en")
    inline_id, card = await share(api, ada, "hep-th/9901001")
    mark = api.mark()
    api.user_presses_inline(ada, inline_id, button_data(card, "card:similar:"))
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert answer.params["url"] == f"https://t.me/{api.bot_username}?start=paper_hep-th_9901001"
    assert api.calls("sendMessage", since=mark) == []
