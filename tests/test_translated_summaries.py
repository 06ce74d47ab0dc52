"""An editor's summary in one language gets its translation in the other from the summary model:
`digestbot summarize` completes the papers an offline import left without an abstract from
the (fake) arXiv API, asks the (fake) OpenAI-compatible server for the translations, and an
English reader's card, through the real Application and the fake Bot API, shows the
translation and says where it comes from. Hostile translations are refused with a reason, and
the reader keeps the editor's summary, labelled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import config
from bot.app import build_application
from bot.render.papers import CardView, render_card
from bot.summarize.service import summarize_pending
from storage import feeds, papers, summaries
from storage import summary_requests as ledger
from storage.db import Database
from storage.models import Summary
from tests import digest_world as world
from tests.conftest import FIXTURES
from tests.fakes.arxiv_lookup import lookup
from tests.fakes.arxiv_server import Answer, FakeArxiv
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.conversation import reply_to
from tests.fakes.openai_server import MODEL, FakeOpenAI
from tests.running import running
from tests.summary_world import NOW, add, paper, settings
from tests.test_cli import one_json_object, run

ARTICLE = """大模型论文速递

一、RAG

1、LongRAG: Enhancing Retrieval-Augmented Generation with Long-context LLMs
本文把检索单元从短段落扩展到约四千个词元，让检索器与长上下文模型分担工作，在多个开放域问答基准上取得了与最好的全监督方法相当的结果。
论文链接：https://arxiv.org/abs/2406.15319

2、Probing How Language Models Use Retrieved Context
论文链接：https://arxiv.org/abs/2406.12824
"""
TRANSLATED = "2406.15319"  # the editor summarized it
BARE = "2406.12824"  # listed without a summary: the model summarizes its abstract


async def imported_offline(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    code, out, err = await run(tmp_path, "import", "--json", "--offline", str(article))
    assert code == 0, err
    assert one_json_object(out)["papers_new"] == 2


async def test_the_english_reader_of_an_imported_chinese_article_reads_its_translation(
    tmp_path: Path, api: FakeBotApi
):
    await imported_offline(tmp_path)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    async with FakeArxiv() as arxiv, FakeOpenAI() as llm:
        url = arxiv.respond("/api/query", lookup(yesterday))
        code, out, err = await run(
            tmp_path,
            "summarize",
            "--json",
            "--topic",
            "rag",
            OPENAI_BASE_URL=llm.base_url,
            DIGESTBOT_SUMMARY_MODEL=MODEL,
            DIGESTBOT_ARXIV_API=url,
        )
        assert code == 0, err
        assert one_json_object(out) | {"tokens": 0} == {
            "requests": 2,
            "stored": 2,
            "rejected": 0,
            "failed": 0,
            "tokens": 0,
            "budget_stopped": None,
        }
        [looked_up] = arxiv.seen("/api/query")
        asked = {request.title: request.body["messages"][-1]["content"] for request in llm.requests}
    # the bare item was completed from arXiv first: the model read its abstract
    assert set(looked_up.query["id_list"].split(",")) == {TRANSLATED, BARE}
    assert f"We propose a method for {BARE}." in asked[f"Title of {BARE}"]
    assert "Summary (Simplified Chinese): 本文把检索单元" in asked[f"Title of {TRANSLATED}"]
    code, out, _ = await run(tmp_path, "paper", "--json", "--offline", TRANSLATED)
    stored = one_json_object(out)
    assert stored["version"] == 1
    assert stored["summaries"]["zh"]["source"] == "editor"
    english = stored["summaries"]["en"]
    assert (english["source"], english["translated_from"]) == ("llm", "zh")

    settings = config.load(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_DB": str(tmp_path / "db.sqlite3"),
            "DIGESTBOT_JOBS": "none",
        },
        env_file=None,
    )
    async with running(build_application(settings)):
        ada = api.user(1001, language_code="en")
        card = (await reply_to(api, ada, f"/paper {TRANSLATED}"))["text"]
        li = api.user(1002, "李", language_code="zh-hans")
        chinese = (await reply_to(api, li, f"/paper {TRANSLATED}"))["text"]
    assert f"Translated by {MODEL} from the editor's summary\n{english['text']}" in card
    assert "No summary yet" not in card
    assert "编者摘要\n本文把检索单元" in chinese


@pytest.fixture
async def llm():
    async with FakeOpenAI() as server:
        yield server


async def editor_only(db: Database, title: str, lang: str, text: str) -> int:
    ids = await add(db, [(paper(1, title, NOW - timedelta(days=1)), "rag")])
    await summaries.put(db, ids[title], Summary(lang, text, "editor"))
    return ids[title]


EDITOR_ZH = "本文把检索单元从短段落扩展到约四千个词元，在开放域问答上取得了很好的结果。"


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("empty", "translation: empty en text"),
        ("url", "translation: en text carries a link"),
        ("wrong_language", "translation: en text is mostly Chinese"),
        ("refusal", "translation: refusal"),
        ("bad_json", "translation: invalid JSON"),
    ],
)
async def test_a_hostile_translation_is_refused_with_its_reason_and_the_editors_summary_shows(
    db: Database, llm: FakeOpenAI, mode: str, reason: str
):
    paper_id = await editor_only(db, "LongRAG", "zh", EDITOR_ZH)
    llm.default = mode
    run = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert (run.requests, run.rejected) == (1, 1)
    [entry] = await ledger.history(db, paper_id)
    assert (entry.outcome, entry.reason) == ("rejected", reason)
    kept = await summaries.for_paper(db, paper_id)
    assert set(kept) == {"zh"}
    stored = await papers.get(db, "2406.00001")
    card = render_card(CardView(stored, kept), "en").text
    assert "Summary in Chinese:" in card
    assert EDITOR_ZH in card


async def test_an_english_editors_summary_is_translated_into_chinese_with_the_glossary(
    db: Database, llm: FakeOpenAI
):
    text = "Retrieval-augmented generation with long retrieval units matches supervised systems."
    paper_id = await editor_only(db, "LongRAG", "en", text)
    await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert "retrieval-augmented generation → 检索增强生成" in llm.requests[0].system
    chinese = (await summaries.for_paper(db, paper_id))["zh"]
    assert (chinese.source, chinese.model, chinese.translated_from) == ("llm", MODEL, "en")
    again = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert again.requests == 0


async def test_a_new_editors_text_drops_the_old_translation_and_an_editors_own_replaces_it(
    db: Database, llm: FakeOpenAI
):
    paper_id = await editor_only(db, "LongRAG", "zh", EDITOR_ZH)
    await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert (await summaries.for_paper(db, paper_id))["en"].translated_from == "zh"
    await summaries.put(db, paper_id, Summary("zh", f"{EDITOR_ZH}（编者修订）", "editor"))
    assert set(await summaries.for_paper(db, paper_id)) == {"zh"}
    await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert (await summaries.for_paper(db, paper_id))["en"].translated_from == "zh"
    await summaries.put(db, paper_id, Summary("en", "The editor's own English.", "editor"))
    english = (await summaries.for_paper(db, paper_id))["en"]
    assert (english.source, english.translated_from) == ("editor", None)


def two_days_on() -> datetime:
    return datetime.now(UTC) + timedelta(days=2)


async def test_the_running_bots_summaries_job_completes_an_offline_import_and_translates_it(
    tmp_path: Path, api: FakeBotApi
):
    await imported_offline(tmp_path)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    async with FakeArxiv() as arxiv, FakeOpenAI() as llm:
        feed = arxiv.script(
            "/rss/cs.CL", Answer(body=(FIXTURES / "arxiv_rss_mixed.xml").read_bytes())
        )
        lookups = arxiv.respond("/api/query", lookup(yesterday))
        settings = world.settings(
            tmp_path / "db.sqlite3",
            api,
            DIGESTBOT_JOBS="ingest,summarize",
            DIGESTBOT_SOURCES=feed,
            DIGESTBOT_ARXIV_API=lookups,
            OPENAI_BASE_URL=llm.base_url,
        )
        async with await Database.open(tmp_path / "db.sqlite3") as db:
            await feeds.record(db, feed, status="ok")
        # two days on, the daily ingestion is overdue: it runs at start, then the summaries
        async with running(build_application(settings, clock=two_days_on)) as app:
            db = app.bot_data["runtime"].db
            for _ in range(200):
                found = await db.fetchone(
                    "SELECT s.text FROM summaries s JOIN papers p ON p.id = s.paper_id"
                    " WHERE p.arxiv_id = ? AND s.translated_from = 'zh'",
                    (TRANSLATED,),
                )
                if found:
                    break
                await asyncio.sleep(0.05)
            completed = await db.fetchone(
                "SELECT version, abstract FROM papers WHERE arxiv_id = ?", (BARE,)
            )
    assert found is not None
    assert completed[0] == 1
    assert completed[1].startswith(f"We propose a method for {BARE}.")


async def test_an_article_an_operator_imports_in_chat_is_translated_right_away(
    tmp_path: Path, api: FakeBotApi
):
    async with FakeArxiv() as arxiv, FakeOpenAI() as llm:
        lookups = arxiv.respond(
            "/api/query", lookup((datetime.now(UTC) - timedelta(days=1)).date())
        )
        settings = world.settings(
            tmp_path / "bot.sqlite3",
            api,
            DIGESTBOT_ADMINS="4242",
            DIGESTBOT_JOBS="summarize",
            DIGESTBOT_ARXIV_API=lookups,
            OPENAI_BASE_URL=llm.base_url,
            DIGESTBOT_SUMMARY_MODEL=MODEL,
        )
        async with running(build_application(settings)) as app:
            operator = api.user(4242, language_code="zh-hans")
            mark = api.mark()
            api.user_sends_document(operator, "速递.txt", ARTICLE.encode())
            await api.wait_for("sendMessage", 2, since=mark)
            db = app.bot_data["runtime"].db
            for _ in range(200):
                if await db.fetchone("SELECT 1 FROM summaries WHERE translated_from = 'zh'"):
                    break
                await asyncio.sleep(0.05)
            ada = api.user(1001, language_code="en")
            card = (await reply_to(api, ada, f"/paper {TRANSLATED}"))["text"]
    assert f"Translated by {MODEL} from the editor's summary" in card


async def test_a_chinese_editors_summary_is_translated_with_the_glossary_read_backwards(
    db: Database, llm: FakeOpenAI
):
    await editor_only(db, "LongRAG", "zh", "本文研究检索增强生成与指令微调，" + EDITOR_ZH)
    await summarize_pending(db, settings(llm.base_url), now=NOW)
    system = llm.requests[0].system
    assert "In English, write these terms exactly so:\n" in system
    assert system.count("- 检索增强生成 → ") == 1
    assert "- 指令微调 → instruction tuning" in system
