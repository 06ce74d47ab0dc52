"""Search in chat: five results a page, ◀ ▶ paging in place, each result opening its card."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import papers
from storage.db import Database
from storage.models import Paper
from tests.fakes.conversation import press, reply_to


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    """Twelve papers on retrieval and one on something else."""
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        await papers.upsert(
            db,
            [
                Paper(f"2406.{i:05d}", 1, f"Retrieval for question answering, part {i}")
                for i in range(12)
            ]
            + [Paper("2406.99999", 1, "Protein folding with diffusion")],
        )
    return path


def buttons(message: dict) -> list[dict]:
    return [b for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_search_pages_five_at_a_time_in_place_and_opens_a_card(app, api):
    ada = api.user(1001)
    mark = api.mark()
    api.user_says(ada, "/search retrieval")
    [sent] = await api.wait_for("sendMessage", since=mark)
    first = sent.result
    assert "12 papers found" in first["text"]
    assert [b["text"] for b in buttons(first)] == ["1", "2", "3", "4", "5", "▶"]
    mark = api.mark()
    api.user_presses(ada, first, buttons(first)[-1]["callback_data"])
    [edit] = await api.wait_for("editMessageText", since=mark)
    second = edit.result
    assert edit.params["message_id"] == first["message_id"]
    assert [b["text"] for b in buttons(second)] == ["6", "7", "8", "9", "10", "◀", "▶"]
    card = await press(api, ada, second, buttons(second)[0]["callback_data"], "sendMessage")
    assert "Retrieval for question answering" in card.result["text"]


async def test_a_search_without_words_gets_the_usage_and_nothing_found_says_so(app, api):
    ada = api.user(1001)
    assert (
        "Usage: /search <words, an author or an arXiv id>"
        in (await reply_to(api, ada, "/search"))["text"]
    )
    assert "Nothing found" in (await reply_to(api, ada, '/search "zzzq NEAR( <b>'))["text"]


async def test_another_chats_paging_button_is_refused(app, api):
    ada, bo = api.user(1001), api.user(1002)
    mark = api.mark()
    api.user_says(ada, "/search retrieval")
    [sent] = await api.wait_for("sendMessage", since=mark)
    forged = buttons(sent.result)[-1]["callback_data"]
    mark = api.mark()
    api.user_says(bo, "/help")
    [bos] = await api.wait_for("sendMessage", since=mark)
    mark = api.mark()
    api.user_presses(bo, bos.result, forged)
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert "expired" in answer.params["text"]
    assert api.calls("editMessageText", since=mark) == []


async def test_pressing_the_same_paging_button_twice_changes_nothing_and_logs_no_error(
    app, api, caplog
):
    ada = api.user(1001)
    first = await reply_to(api, ada, "/search retrieval")
    forward = buttons(first)[-1]["callback_data"]
    await press(api, ada, first, forward, "editMessageText")
    mark = api.mark()
    api.user_presses(ada, first, forward)  # a double tap: the same page again
    [refused] = await api.wait_for("editMessageText", since=mark)
    assert "not modified" in refused.error
    await reply_to(api, ada, "/help")  # updates are handled in turn: the press is done with
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    [help_text] = api.calls("sendMessage", since=mark)  # and no apology: nothing went wrong
    assert "/search" in help_text.params["text"]


async def test_results_on_several_pages_say_which_page_is_shown_in_both_languages(app, api):
    ada = api.user(1001, language_code="en")
    first = await reply_to(api, ada, "/search retrieval")
    assert "12 papers found · Page 1 of 3" in first["text"]
    li = api.user(2001, "李", language_code="zh-hans")
    listed = await reply_to(api, li, "/search retrieval")
    assert "第 1 页，共 3 页" in listed["text"]


async def test_results_that_fit_one_page_carry_no_page_line_in_both_languages(app, api):
    ada = api.user(1001, language_code="en")
    found = await reply_to(api, ada, "/search protein folding")
    assert "\n1 paper found\n" in found["text"] + "\n"
    assert "Page" not in found["text"]
    assert [b["text"] for b in buttons(found)] == ["1"]
    li = api.user(2001, "李", language_code="zh-hans")
    listed = await reply_to(api, li, "/search protein folding")
    assert "Protein folding with diffusion" in listed["text"]
    assert "第 1 页" not in listed["text"]
