"""A chat's saved papers: `/saved` lists its 🔖 papers newest first, eight a page, each a tap
from its card and removable; in a group the list is the group's. Forged buttons change nothing.

The real python-telegram-bot Application polls the fake Bot API on 127.0.0.1.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.render import callbacks
from bot.render import saved as saved_view
from storage import papers, votes
from storage.db import Database
from storage.models import Paper
from tests.fakes.bot_api_updates import group
from tests.fakes.conversation import press, reply_to


def trouble(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def buttons(message: dict) -> list[list[tuple[str, str]]]:
    """Each row's (label, callback data) pairs."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [[(b["text"], b.get("callback_data", "")) for b in row] for row in rows]


def labels(message: dict) -> list[str]:
    return [label for row in buttons(message) for label, _ in row]


def data_of(message: dict, label: str) -> str:
    [data] = [data for row in buttons(message) for text, data in row if text == label]
    return data


async def save_papers(path: Path, chat_id: int, count: int) -> list[str]:
    """`count` papers stored and saved by the chat one after another; their ids, oldest first."""
    made = [
        Paper(f"2406.{20000 + n}", 1, f"Paper number {n} on <retrieval> & tables", (f"Author {n}",))
        for n in range(count)
    ]
    async with await Database.open(path) as db:
        await papers.upsert(db, made)
        stored = await papers.get_many(db, [p.arxiv_id for p in made])
        for paper in made:
            await votes.save(db, chat_id, stored[paper.arxiv_id].id, chat_id)
    return [p.arxiv_id for p in made]


async def redrawn(api, user, message: dict, data: str) -> dict:
    """The list as it looks after `user` presses the button carrying `data`."""
    await press(api, user, message, data, "editMessageText")
    return api.world.messages[(message["chat"]["id"], message["message_id"])]


async def test_an_empty_library_says_how_to_save_in_both_languages(app, api):
    ada = api.user(1001, language_code="en")
    reply = await reply_to(api, ada, "/saved")
    assert reply["text"].startswith("🔖 Nothing saved yet.")
    assert "Press 🔖 under a paper's card" in reply["text"]
    assert "reply_markup" not in reply
    li = api.user(2001, "李", language_code="zh-hans")
    reply = await reply_to(api, li, "/saved")
    assert reply["text"].startswith("🔖 还没有收藏的论文。")
    assert "按 🔖" in reply["text"]


async def test_a_reader_pages_through_saved_papers_newest_first_and_opens_one(
    app, api, seeded, caplog
):
    ada = api.user(1001, language_code="en")
    ids = await save_papers(seeded, ada.id, 10)
    with caplog.at_level(logging.WARNING):
        first = await reply_to(api, ada, "/saved")
        assert "Saved papers" in first["text"]
        assert "10 papers · Page 1 of 2" in first["text"]
        # Newest first, escaped, with the first author and the id.
        assert first["text"].index(ids[9]) < first["text"].index(ids[2])
        assert ids[1] not in first["text"]
        assert "on <retrieval> & tables" in first["text"]
        assert labels(first) == [*map(str, range(1, 9)), "✖ Remove…", "▶"]
        assert data_of(first, "1") == callbacks.pack_open_card(ids[9])
        second = await redrawn(api, ada, first, data_of(first, "▶"))
        assert "Page 2 of 2" in second["text"]
        assert labels(second) == ["9", "10", "◀", "✖ Remove…"]
        assert ids[0] in second["text"]
        assert ids[9] not in second["text"]
        mark = api.mark()
        api.user_presses(ada, second, data_of(second, "10"))
        [card] = await api.wait_for("sendMessage", since=mark)
        assert "Paper number 0" in card.result["text"]
    assert trouble(caplog) == []


async def test_a_reader_removes_saved_papers_and_the_list_follows(app, api, seeded, caplog):
    ada = api.user(1001, language_code="en")
    ids = await save_papers(seeded, ada.id, 9)
    with caplog.at_level(logging.WARNING):
        listed = await reply_to(api, ada, "/saved")
        second = await redrawn(api, ada, listed, data_of(listed, "▶"))
        removing = await redrawn(api, ada, second, data_of(second, "✖ Remove…"))
        assert "Press ✖ and a number to remove that paper." in removing["text"]
        assert labels(removing) == ["✖ 9", "◀", "✓ Done"]
        mark = api.mark()
        api.user_presses(ada, removing, data_of(removing, "✖ 9"))
        [toast] = await api.wait_for("answerCallbackQuery", since=mark)
        assert toast.params["text"] == "Removed “Paper number 0 on <retrieval> & tables”."
        await api.wait_for("editMessageText", since=mark)
        # Its page is gone: the last page left is shown, still in remove mode.
        now = api.world.messages[(listed["chat"]["id"], listed["message_id"])]
        # One page left: no page line, nowhere to turn.
        assert "\n8 papers\n" in now["text"]
        assert "Page" not in now["text"]
        assert labels(now)[:2] == ["✖ 1", "✖ 2"]
        assert labels(now)[-1] == "✓ Done"
        # The same ✖ pressed twice (a double tap) removes nothing more.
        again = await redrawn(api, ada, now, saved_view.pack_remove(ids[0], 2))
        assert "8 papers" in again["text"]
        done = await redrawn(api, ada, again, data_of(again, "✓ Done"))
        assert labels(done)[0] == "1"
    async with await Database.open(seeded) as db:
        assert len(await votes.saved(db, ada.id)) == 8


async def test_a_groups_list_holds_every_members_saves_in_chinese(app, api, seeded, caplog):
    async with await Database.open(seeded) as db:
        [newer, older] = [p.arxiv_id for p in await papers.latest(db, 2)]
    reading = api.add_chat(group(-500, "读书会"))
    li = api.user(2001, "李", language_code="zh-hans")
    wang = api.user(2002, "王", language_code="zh")
    with caplog.at_level(logging.WARNING):
        for user, arxiv_id in ((li, older), (wang, newer)):
            card = await reply_to(api, user, f"/paper {arxiv_id}", chat=reading)
            await press(
                api, user, card, callbacks.pack_vote("save", arxiv_id, "zh"), "answerCallbackQuery"
            )
        listed = await reply_to(api, li, "/saved", chat=reading)
        assert "收藏的论文" in listed["text"]
        assert "\n共 2 篇论文\n" in listed["text"]
        assert "第 1 页" not in listed["text"]
        assert listed["text"].index(newer) < listed["text"].index(older)
        assert labels(listed) == ["1", "2", "✖ 移除…"]
        # The members' private chats keep their own lists.
        mine = await reply_to(api, li, "/saved")
        assert mine["text"].startswith("🔖 还没有收藏的论文。")
    assert trouble(caplog) == []


async def test_forged_saved_buttons_are_answered_politely_and_change_nothing(
    app, api, seeded, caplog
):
    ada = api.user(1001, language_code="en")
    ids = await save_papers(seeded, ada.id, 3)
    listed = await reply_to(api, ada, "/saved")
    forged = [
        "saved:v:0",
        "saved:v:-1",
        "saved:q:1",
        "saved:x",
        "saved:rm:1",
        f"saved:rm:{ids[0]}v2:1",
        f"saved:rm:{ids[0]}:1:extra",
        "saved:v:１",
        "saved:v:1" + " " * 60,
    ]
    with caplog.at_level(logging.WARNING):
        for data in forged:
            answer = await press(api, ada, listed, data, "answerCallbackQuery")
            assert answer.params.get("text") == "This button has expired.", data
        # A well-formed page far past the end shows the last page; an unknown paper removes nothing.
        far = await redrawn(api, ada, listed, "saved:v:999")
        assert "\n3 papers\n" in far["text"]
        assert "Page" not in far["text"]
        await press(api, ada, far, "saved:rm:2101.99999:1", "answerCallbackQuery")
    assert trouble(caplog) == []
    async with await Database.open(seeded) as db:
        assert len(await votes.saved(db, ada.id)) == 3


async def test_a_saved_paper_with_a_newer_version_says_so_in_the_list(app, api, seeded):
    li = api.user(2001, "李", language_code="zh-hans")
    [arxiv_id] = await save_papers(seeded, li.id, 1)
    async with await Database.open(seeded) as db:
        await papers.upsert(db, [Paper(arxiv_id, 3, "Paper number 0, revised")])
    listed = await reply_to(api, li, "/saved")
    assert "🔄 已更新：v1 → v3" in listed["text"]
    assert "Paper number 0, revised" in listed["text"]
