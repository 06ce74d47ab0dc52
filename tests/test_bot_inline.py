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


async def test_a_forged_offset_gets_an_empty_answer(app, api):
    ada = api.user(1001)
    assert (await ask(api, ada, "retrieval", offset="-5; DROP"))["results"] == []
