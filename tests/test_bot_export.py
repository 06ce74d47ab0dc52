"""`/export bibtex` | `/export ris` sends the chat's saved papers as a file a reference manager
imports; the file is fetched back from the fake Bot API and read by real parsers.

The real python-telegram-bot Application polls the fake Bot API on 127.0.0.1 and uploads
the document as multipart form data, as it does to Telegram.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import bibtexparser
import rispy

from bot.render import saved as saved_view
from storage import papers, votes
from storage.db import Database
from storage.models import Paper
from tests.fakes.bot_api_updates import group
from tests.fakes.conversation import press, reply_to

HOSTILE = Paper(
    "2406.30001",
    2,
    r"Braces {x}, \back\slash, 50% & $x^2$: 大语言模型",
    ("José Pérez-Ñúñez", "Ludwig van der Berg", "Sukarno"),
    "An abstract with _underscores_ and #hashes.",
    ("cs.CL",),
)


def trouble(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def saved_for(path, chat_id: int, *made: Paper) -> None:
    async with await Database.open(path) as db:
        await papers.upsert(db, made)
        for paper in made:
            stored = await papers.get(db, paper.arxiv_id)
            await votes.save(db, chat_id, stored.id, chat_id)


async def document_after(api, user, text: str, **where) -> tuple[dict, str]:
    """The document the bot sends after `user` says `text`, and the file's text."""
    mark = api.mark()
    api.user_says(user, text, **where)
    [sent] = await api.wait_for("sendDocument", since=mark)
    return sent.result, file_text(api, sent.result)


def file_text(api, message: dict) -> str:
    return api.world.files[message["document"]["file_id"]].content.decode("utf-8")


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


async def test_a_reader_exports_saved_papers_as_bibtex_that_reads_back(app, api, seeded, caplog):
    ada = api.user(1001, language_code="en")
    await saved_for(seeded, ada.id, HOSTILE)
    with caplog.at_level(logging.WARNING):
        message, text = await document_after(api, ada, "/export bibtex")
    assert message["document"]["file_name"] == f"digestbot-saved-{today()}.bib"
    assert message["caption"] == (
        "🔖 1 saved paper as BibTeX: open the file with your reference manager."
    )
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    [entry] = library.entries
    assert entry["eprint"] == "2406.30001"
    assert entry["author"] == "Pérez-Ñúñez, José and van der Berg, Ludwig and Sukarno"
    assert trouble(caplog) == []


async def test_export_alone_offers_both_formats_and_ris_reads_back_in_chinese(
    app, api, seeded, caplog
):
    li = api.user(2001, "李", language_code="zh-hans")
    await saved_for(seeded, li.id, HOSTILE)
    choice = await reply_to(api, li, "/export")
    assert choice["text"].startswith("导出哪种格式？")
    rows = choice["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in rows[0]] == ["BibTeX", "RIS"]
    with caplog.at_level(logging.WARNING):
        mark = api.mark()
        api.user_presses(li, choice, saved_view.pack_export("ris"))
        [sent] = await api.wait_for("sendDocument", since=mark)
    assert sent.result["document"]["file_name"] == f"digestbot-saved-{today()}.ris"
    assert (
        sent.result["caption"]
        == "🔖 已将 1 篇收藏论文导出为 RIS，用文献管理软件打开此文件即可导入。"
    )
    [record] = rispy.loads(file_text(api, sent.result))
    assert record["title"] == HOSTILE.title
    assert record["authors"] == ["Pérez-Ñúñez, José", "van der Berg, Ludwig", "Sukarno"]
    assert record["accession_number"] == "arXiv:2406.30001"
    assert trouble(caplog) == []


async def test_a_group_member_exports_the_groups_saved_papers(app, api, seeded):
    reading = api.add_chat(group(-500, "Reading group"))
    ada = api.user(1001)
    async with await Database.open(seeded) as db:
        stored = await papers.latest(db, 2)
    await saved_for(seeded, reading.id, *stored)
    message, text = await document_after(api, ada, "/export ris", chat=reading)
    assert message["chat"]["id"] == reading.id
    assert sorted(r["accession_number"] for r in rispy.loads(text)) == sorted(
        f"arXiv:{p.arxiv_id}" for p in stored
    )


async def test_an_empty_library_or_an_unknown_format_gets_a_line_and_no_file(
    app, api, seeded, caplog
):
    ada = api.user(1001)
    with caplog.at_level(logging.WARNING):
        empty = await reply_to(api, ada, "/export bibtex")
        assert empty["text"].startswith("🔖 Nothing saved yet.")
        for wrong in ("/export pdf", "/export bibtex ris", "/export " + "x" * 300):
            usage = await reply_to(api, ada, wrong)
            assert usage["text"] == "Usage: /export bibtex or /export ris"
        for forged in ("export:pdf", "export:bibtex:1", "export:"):
            answer = await press(api, ada, empty, forged, "answerCallbackQuery")
            assert answer.params.get("text") == "This button has expired."
    assert api.calls("sendDocument") == []
    assert trouble(caplog) == []
