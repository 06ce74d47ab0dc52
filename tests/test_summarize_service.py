"""Summarizing what readers will see, within budgets, through a fake OpenAI-compatible server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.summarize.llm_client import ChatClient
from bot.summarize.service import FAILURES_IN_A_ROW, summarize_pending
from storage import chats, summaries
from storage import summary_requests as ledger
from storage.chat_models import UnknownTopic
from storage.db import Database
from storage.models import Summary
from tests.fakes.openai_server import MODEL, FakeOpenAI
from tests.summary_world import NOW, add, paper, settings, subscribe

DAY = timedelta(days=1)


@pytest.fixture
async def llm():
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def ids(db: Database) -> dict[str, int]:
    """RAG papers over three fortnights, a safety paper and an agents paper; chat 1 takes RAG."""
    found = await add(
        db,
        [
            (paper(1, "RAG newest", NOW - DAY), "rag"),
            (paper(2, "RAG earlier this fortnight", NOW - 2 * DAY), "rag"),
            (paper(3, "RAG previous fortnight", NOW - 12 * DAY), "rag"),
            (paper(4, "RAG three fortnights ago", NOW - 30 * DAY), "rag"),
            (paper(5, "Safety unsubscribed", NOW - DAY, "jailbreak attacks"), "safety"),
            (paper(6, "Agents paper", NOW - 3 * DAY, "tool use by agents"), "agents"),
        ],
    )
    await subscribe(db, 1, topic="rag")
    return found


def titles(llm: FakeOpenAI) -> list[str]:
    return [request.title for request in llm.requests]


async def test_only_papers_of_subscribed_topics_from_two_fortnights_are_summarized_newest_first(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    run = await summarize_pending(
        db, settings(llm.base_url, DIGESTBOT_SUMMARY_CONCURRENCY="1"), now=NOW
    )
    assert titles(llm) == ["RAG newest", "RAG earlier this fortnight", "RAG previous fortnight"]
    assert (run.requests, run.stored, run.rejected, run.failed) == (3, 3, 0, 0)
    assert run.tokens == run.prompt_tokens + run.completion_tokens > 0
    assert run.budget_stopped is None
    stored = await summaries.for_paper(db, ids["RAG newest"])
    assert {s.source for s in stored.values()} == {"llm"}
    assert stored["zh"].model == MODEL
    assert 1 <= stored["zh"].importance <= 5
    assert "检索增强生成" in stored["zh"].text
    prompt = llm.requests[0].system
    assert "retrieval-augmented generation → 检索增强生成" in prompt
    assert "越狱攻击" not in prompt
    again = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert again.requests == 0
    assert len(llm.requests) == 3


async def test_a_saved_query_brings_in_its_papers_and_a_paused_chat_counts_for_nothing(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    await subscribe(db, 2, query="jailbreak")
    await subscribe(db, 3, topic="agents")
    await chats.pause(db, 3, "blocked")
    await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert "Safety unsubscribed" in titles(llm)
    assert "Agents paper" not in titles(llm)


async def test_a_topic_asked_for_is_summarized_without_subscribers_and_an_unknown_one_refused(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    run = await summarize_pending(db, settings(llm.base_url), topic="agents", now=NOW)
    assert titles(llm) == ["Agents paper"]
    assert run.stored == 1
    with pytest.raises(UnknownTopic, match="nonsense"):
        await summarize_pending(db, settings(llm.base_url), topic="nonsense", now=NOW)


async def test_without_an_endpoint_nothing_is_asked_and_nothing_changes(
    db: Database, ids: dict[str, int]
):
    run = await summarize_pending(db, settings(None), now=NOW)
    assert (run.requests, run.tokens, run.budget_stopped) == (0, 0, None)
    assert await summaries.counts(db) == {}


async def test_an_editor_summary_is_never_overwritten_and_an_abstract_one_is(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    newest = ids["RAG newest"]
    await summaries.put(
        db, newest, Summary("zh", "编辑撰写的摘要：检索增强生成的新方法。", "editor")
    )
    await summaries.put(db, newest, Summary("en", "Extracted from the abstract.", "abstract"))
    both = ids["RAG earlier this fortnight"]
    for lang in ("zh", "en"):
        await summaries.put(db, both, Summary(lang, f"editor {lang} 编辑", "editor"))
    await summarize_pending(db, settings(llm.base_url), now=NOW)
    kept = await summaries.for_paper(db, newest)
    assert (kept["zh"].source, kept["zh"].text) == (
        "editor",
        "编辑撰写的摘要：检索增强生成的新方法。",
    )
    assert kept["en"].source == "llm"
    assert kept["en"].model == MODEL
    assert "RAG earlier this fortnight" not in titles(llm)


async def test_a_rejected_answer_is_recorded_not_stored_and_retried_only_after_six_hours(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    llm.rule("newest", "refusal")
    run = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert (run.stored, run.rejected) == (2, 1)
    newest = ids["RAG newest"]
    assert await summaries.for_paper(db, newest) == {}
    [entry] = await ledger.history(db, newest)
    assert (entry.outcome, entry.reason, entry.model) == ("rejected", "refusal", MODEL)
    assert entry.prompt_tokens > 0
    soon = await summarize_pending(db, settings(llm.base_url), now=NOW + timedelta(hours=2))
    assert soon.requests == 0
    for hours in (7, 14):
        later = await summarize_pending(
            db, settings(llm.base_url), now=NOW + timedelta(hours=hours)
        )
        assert later.rejected == 1
    gave_up = await summarize_pending(db, settings(llm.base_url), now=NOW + timedelta(hours=21))
    assert gave_up.requests == 0
    assert [e.outcome for e in await ledger.history(db, newest)] == ["rejected"] * 3


async def test_a_later_run_stores_a_paper_once_rejected(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    llm.script("wrong_language")
    first = await summarize_pending(
        db, settings(llm.base_url, DIGESTBOT_SUMMARY_CONCURRENCY="1"), now=NOW
    )
    assert first.rejected == 1
    later = await summarize_pending(db, settings(llm.base_url), now=NOW + timedelta(hours=7))
    assert (later.requests, later.stored) == (1, 1)
    assert (await summaries.for_paper(db, ids["RAG newest"]))["zh"].source == "llm"


async def test_failed_requests_are_recorded_and_asked_again_next_run(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    llm.default = "error"
    chat = ChatClient(llm.base_url, MODEL, backoff_base=0.01, max_attempts=2)
    run = await summarize_pending(db, settings(llm.base_url), now=NOW, client=chat)
    assert (run.requests, run.failed, run.stored) == (3, 3, 0)
    [entry] = await ledger.history(db, ids["RAG newest"])
    assert entry.outcome == "failed"
    assert "HTTP 500" in entry.reason
    llm.default = "good"
    assert (await summarize_pending(db, settings(llm.base_url), now=NOW)).stored == 3


async def test_the_run_budget_stops_the_run_cleanly_and_says_so(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    run = await summarize_pending(
        db, settings(llm.base_url, DIGESTBOT_SUMMARY_RUN_PAPERS="2"), now=NOW
    )
    assert (run.requests, run.stored, run.budget_stopped) == (2, 2, "run_papers")
    assert sorted(titles(llm)) == ["RAG earlier this fortnight", "RAG newest"]
    limited = await summarize_pending(db, settings(llm.base_url), limit=1, now=NOW)
    assert (limited.requests, limited.budget_stopped) == (1, None)


async def test_the_day_budget_of_papers_counts_earlier_runs_that_day(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    limits = {"DIGESTBOT_SUMMARY_DAILY_PAPERS": "2", "DIGESTBOT_SUMMARY_CONCURRENCY": "1"}
    first = await summarize_pending(db, settings(llm.base_url, **limits), limit=1, now=NOW)
    second = await summarize_pending(db, settings(llm.base_url, **limits), now=NOW)
    assert (first.requests, second.requests, second.budget_stopped) == (1, 1, "daily_papers")
    next_day = await summarize_pending(db, settings(llm.base_url, **limits), now=NOW + DAY)
    assert next_day.requests == 1
    assert next_day.budget_stopped is None


async def test_token_budgets_stop_the_run_and_report_the_spend(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    one = {"DIGESTBOT_SUMMARY_CONCURRENCY": "1", "DIGESTBOT_SUMMARY_RUN_TOKENS": "1"}
    run = await summarize_pending(db, settings(llm.base_url, **one), now=NOW)
    assert (run.requests, run.budget_stopped) == (1, "run_tokens")
    spent = run.tokens
    day = {"DIGESTBOT_SUMMARY_DAILY_TOKENS": str(spent)}
    stopped = await summarize_pending(db, settings(llm.base_url, **day), now=NOW)
    assert (stopped.requests, stopped.tokens, stopped.budget_stopped) == (0, 0, "daily_tokens")
    assert (await ledger.spend_since(db, NOW - DAY)).tokens == spent


async def test_no_more_requests_are_in_flight_than_the_configured_concurrency(db: Database):
    await add(db, [(paper(n, f"RAG paper {n}", NOW - DAY), "rag") for n in range(1, 21)])
    await subscribe(db, 1, topic="rag")
    async with FakeOpenAI(latency=0.05) as llm:
        run = await summarize_pending(
            db, settings(llm.base_url, DIGESTBOT_SUMMARY_CONCURRENCY="3"), now=NOW
        )
    assert run.stored == 20
    assert llm.max_in_flight == 3


async def test_an_endpoint_that_keeps_failing_stops_the_run_early(db: Database, llm: FakeOpenAI):
    await add(db, [(paper(n, f"RAG paper {n}", NOW - DAY), "rag") for n in range(1, 13)])
    await subscribe(db, 1, topic="rag")
    llm.default = "error"
    chat = ChatClient(llm.base_url, MODEL, backoff_base=0.01, max_attempts=1)
    limits = {"DIGESTBOT_SUMMARY_CONCURRENCY": "1"}
    run = await summarize_pending(db, settings(llm.base_url, **limits), now=NOW, client=chat)
    assert (run.requests, run.failed) == (FAILURES_IN_A_ROW, FAILURES_IN_A_ROW)
