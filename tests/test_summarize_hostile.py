"""A summarizer run against a hostile endpoint: every answer is data, the run goes on.

Each paper meets one way an endpoint can misbehave; the run finishes, each outcome is in the
ledger with its reason, the secret reaches neither the database nor the logs.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.summarize.llm_client import ChatClient
from bot.summarize.service import summarize_pending
from storage import summaries
from storage import summary_requests as ledger
from storage.db import Database
from tests.fakes.openai_server import MODEL, MODES, FakeOpenAI
from tests.summary_world import NOW, add, paper, settings, subscribe

DAY = timedelta(days=1)
SECRET = "sk-live-4f9Qx7TtW2aZp0LmNc8RvY"


@pytest.fixture
async def llm():
    async with FakeOpenAI() as server:
        yield server


async def papers_meeting(db: Database, llm: FakeOpenAI, *modes: str) -> dict[str, int]:
    """One RAG paper per mode, answered in that mode, and a chat that takes RAG."""
    found = await add(
        db, [(paper(n, f"RAG case [{mode}]", NOW - DAY), "rag") for n, mode in enumerate(modes)]
    )
    for mode in (m for m in modes if m in MODES):
        llm.rule(f"[{mode}]", mode)
    await subscribe(db, 1, topic="rag")
    return {mode: found[f"RAG case [{mode}]"] for mode in modes}


def database_files_holding(folder: Path, secret: str) -> list[str]:
    """The database's files (the WAL included) whose bytes hold the secret."""
    found = [path for path in folder.glob("*.sqlite3*") if secret.encode() in path.read_bytes()]
    return [path.name for path in found]


async def outcome(db: Database, paper_id: int) -> tuple[str, str | None]:
    [entry] = await ledger.history(db, paper_id)
    return entry.outcome, entry.reason


async def test_answers_that_used_to_crash_the_run_are_rejected_with_reasons_and_the_run_goes_on(
    db: Database, llm: FakeOpenAI
):
    modes = ("nan", "infinity", "deep_nesting", "long_word", "url", "markup", "huge", "good")
    ids = await papers_meeting(db, llm, *modes)
    run = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert (run.requests, run.stored, run.rejected, run.failed) == (8, 1, 7, 0)
    reasons = {mode: await outcome(db, ids[mode]) for mode in modes}
    assert reasons == {
        "nan": ("rejected", "NaN is not a finite number"),
        "infinity": ("rejected", "Infinity is not a finite number"),
        "deep_nesting": ("rejected", "answer too long (100000 characters)"),
        "long_word": ("rejected", "en text has 5000 characters, far over 900"),
        "url": ("rejected", "en text carries a link"),
        "markup": ("rejected", "en text carries a link"),
        "huge": ("rejected", "the endpoint's answer is larger than 256 KiB"),
        "good": ("stored", None),
    }
    [huge] = await ledger.history(db, ids["huge"])
    assert huge.completion_tokens > 80_000  # what was read of it was paid for
    assert set(await summaries.for_paper(db, ids["good"])) == {"zh", "en"}
    assert await summaries.for_paper(db, ids["nan"]) == {}
    later = await summarize_pending(db, settings(llm.base_url), now=NOW + timedelta(hours=1))
    assert later.requests == 0  # rejected papers wait, rather than crash every later run


async def test_control_bidi_and_markdown_are_removed_stored_and_the_ledger_says_so(
    db: Database, llm: FakeOpenAI
):
    ids = await papers_meeting(db, llm, "bidi", "markdown")
    run = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert run.stored == 2
    bidi = await summaries.for_paper(db, ids["bidi"])
    for summary in bidi.values():
        assert not any(ch in summary.text for ch in "\u202e\u200d\x1b\x00\ud800")
    assert bidi["en"].text.startswith("We study retrieval")
    assert await outcome(db, ids["bidi"]) == (
        "stored",
        "cleaned: control or bidi characters removed",
    )
    markdown = await summaries.for_paper(db, ids["markdown"])
    assert "*" not in markdown["en"].text
    assert "`" not in markdown["zh"].text
    assert await outcome(db, ids["markdown"]) == ("stored", "cleaned: Markdown removed")


async def test_absurd_and_negative_usage_are_counted_as_estimates_not_as_reported(
    db: Database, llm: FakeOpenAI
):
    ids = await papers_meeting(db, llm, "absurd_usage", "negative_usage")
    run = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert run.stored == 2
    assert 0 < run.tokens < 10_000
    for paper_id in ids.values():
        [entry] = await ledger.history(db, paper_id)
        assert 0 < entry.prompt_tokens < 5_000
        assert 0 < entry.completion_tokens < 5_000
    more = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert more.budget_stopped is None  # the day's budget was not spent by a lie


async def test_an_error_echoing_the_api_key_keeps_the_key_out_of_the_database_and_logs(
    db: Database, llm: FakeOpenAI, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    ids = await papers_meeting(db, llm, "echo_key")
    run = await summarize_pending(db, settings(llm.base_url, OPENAI_API_KEY=SECRET), now=NOW)
    assert run.failed == 1
    assert llm.requests[0].headers["Authorization"] == f"Bearer {SECRET}"
    failed, reason = await outcome(db, ids["echo_key"])
    assert failed == "failed"
    assert reason.startswith("HTTP 401: Incorrect API key provided: Bearer [redacted]")
    assert SECRET[3:] not in caplog.text
    await db.close()
    assert database_files_holding(tmp_path, SECRET[3:]) == []


async def test_a_dripping_answer_ends_within_the_deadline_and_the_run_reports(
    db: Database, llm: FakeOpenAI
):
    ids = await papers_meeting(db, llm, "drip", "good")
    llm.drip_interval = 0.2
    chat = ChatClient(llm.base_url, MODEL, timeout=1.0, max_attempts=2, backoff_base=0.01)
    started = time.monotonic()
    run = await summarize_pending(db, settings(llm.base_url), now=NOW, client=chat)
    assert time.monotonic() - started < 2 * 1.0 + 1.0
    assert (run.stored, run.failed) == (1, 1)
    assert await outcome(db, ids["drip"]) == (
        "failed",
        "timed out: no whole answer within 1 s (after 2 attempts)",
    )


class BrokenForOnePaper(ChatClient):
    """A client whose library breaks in a way nobody foresaw, for one paper only."""

    async def complete(self, messages):
        if "[broken]" in messages[-1]["content"]:
            raise RuntimeError(f"internal state corrupted; Authorization: Bearer {SECRET}")
        return await super().complete(messages)


async def test_an_unexpected_error_for_one_paper_is_recorded_and_the_others_are_summarized(
    db: Database, llm: FakeOpenAI, caplog: pytest.LogCaptureFixture
):
    ids = await papers_meeting(db, llm, "broken", "good", "fenced")
    chat = BrokenForOnePaper(llm.base_url, MODEL, api_key=SECRET)
    run = await summarize_pending(db, settings(llm.base_url), now=NOW, client=chat)
    assert (run.requests, run.stored, run.failed) == (3, 2, 1)
    failed, reason = await outcome(db, ids["broken"])
    assert failed == "failed"
    assert reason.startswith(
        "unexpected RuntimeError: internal state corrupted; Authorization: Bearer [redacted]"
    )
    assert re.search(r" \(test_summarize_hostile\.py:\d+\)$", reason)  # where, for the operator
    [line] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert line.getMessage() == f"summary of paper {ids['broken']} failed: {reason}"
    assert SECRET[3:] not in caplog.text


async def test_a_database_that_refuses_one_paper_s_summary_costs_that_paper_only(
    db: Database, llm: FakeOpenAI
):
    ids = await papers_meeting(db, llm, "refused", "good")
    async with db.transaction() as conn:
        await conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON summaries"
            f" WHEN NEW.paper_id = {ids['refused']} BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    run = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert (run.stored, run.failed) == (1, 1)
    failed, reason = await outcome(db, ids["refused"])
    assert failed == "failed"
    assert reason.startswith("not stored: unexpected IntegrityError: refused (")
    assert await summaries.for_paper(db, ids["refused"]) == {}


async def test_an_endpoint_answering_a_web_page_fails_and_the_paper_is_asked_again_next_run(
    db: Database, llm: FakeOpenAI
):
    ids = await papers_meeting(db, llm, "web page")
    llm.script("html_page")
    run = await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert (run.failed, run.rejected) == (1, 0)
    assert await outcome(db, ids["web page"]) == (
        "failed",
        "the endpoint's answer is not usable: invalid JSON",
    )
    assert (await summarize_pending(db, settings(llm.base_url), now=NOW)).stored == 1
