"""What storage keeps of summaries and of the ledger, whoever writes them: bounded values."""

from __future__ import annotations

import logging

import pytest

from storage import summaries
from storage import summary_requests as ledger
from storage.db import Database
from storage.models import Summary
from tests.summary_world import NOW, add, paper


@pytest.fixture
async def paper_id(db: Database) -> int:
    return (await add(db, [(paper(1, "RAG one", NOW), "rag")]))["RAG one"]


async def test_a_two_million_character_summary_is_stored_cut_at_a_word_with_one_warning(
    db: Database, paper_id: int, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING, logger="storage")
    huge = "The paper proposes a method. " * 70_000
    assert await summaries.put(db, paper_id, Summary("en", huge, "editor"))
    kept = (await summaries.for_paper(db, paper_id))["en"].text
    assert len(kept) <= summaries.MAX_CHARS
    assert kept.endswith("…")
    assert huge.startswith(kept[:-1])
    assert huge[len(kept) - 1] == " "  # cut between words
    [line] = [r.getMessage() for r in caplog.records]
    assert line == f"summary of paper {paper_id} (en, editor) cut from 2030000 to 2000 characters"


async def test_a_chinese_summary_without_spaces_is_cut_in_characters(db: Database, paper_id: int):
    await summaries.put(db, paper_id, Summary("zh", "检索增强生成" * 1_000, "llm", "m", 3))
    kept = (await summaries.for_paper(db, paper_id))["zh"].text
    assert len(kept) == summaries.MAX_CHARS
    assert kept.endswith("…")


async def test_the_ledger_keeps_no_negative_token_count_and_a_bounded_reason(
    db: Database, paper_id: int
):
    entry = ledger.LedgerEntry(paper_id, "m", NOW, "failed", "x" * 100_000, -5, -(10**12))
    await ledger.record(db, entry)
    [kept] = await ledger.history(db, paper_id)
    assert (kept.prompt_tokens, kept.completion_tokens) == (0, 0)
    assert len(kept.reason) == ledger.MAX_REASON_CHARS
