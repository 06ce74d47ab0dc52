"""The endpoint client against a hostile endpoint: deadlines, size caps, lying usage, secrets."""

from __future__ import annotations

import logging
import time
import tracemalloc

import pytest

from bot.summarize.llm_answer import build_messages, load_glossary
from bot.summarize.llm_client import MAX_ANSWER_BYTES, AnswerRefused, ChatClient, ChatError
from tests.fakes.openai_server import MODEL, FakeOpenAI

SECRET = "sk-live-4f9Qx7TtW2aZp0LmNc8RvY"
TITLE = "Retrieval-Augmented Generation with Chain-of-Thought"
ABSTRACT = "We study RAG for large language models. It reduces hallucination on two benchmarks."


@pytest.fixture
async def llm():
    async with FakeOpenAI() as server:
        yield server


def client(server: FakeOpenAI, **options) -> ChatClient:
    options = {"backoff_base": 0.01, "max_attempts": 1, **options}
    return ChatClient(server.base_url, MODEL, api_key=SECRET, **options)


def messages() -> list[dict[str, str]]:
    return build_messages(TITLE, ABSTRACT, load_glossary())


async def test_an_answer_dripped_a_byte_at_a_time_is_cut_off_at_the_deadline(llm: FakeOpenAI):
    llm.default, llm.drip_interval = "drip", 0.2
    started = time.monotonic()
    async with client(llm, timeout=1.0) as chat:
        with pytest.raises(ChatError, match="timed out: no whole answer within 1 s"):
            await chat.complete(messages())
    assert time.monotonic() - started < 1.5
    assert 0 < llm.bytes_streamed < 10


async def test_each_attempt_has_its_own_deadline_and_the_drip_is_retried_a_bounded_number(
    llm: FakeOpenAI,
):
    llm.default, llm.drip_interval = "drip", 0.2
    started = time.monotonic()
    async with client(llm, timeout=1.0, max_attempts=2) as chat:
        with pytest.raises(ChatError, match=r"after 2 attempts"):
            await chat.complete(messages())
    assert time.monotonic() - started < 2 * 1.0 + 0.6
    assert len(llm.requests) == 2


async def test_a_60_mb_answer_is_refused_past_the_cap_without_being_read_whole(llm: FakeOpenAI):
    llm.default = "huge"
    tracemalloc.start()
    try:
        async with client(llm) as chat:
            with pytest.raises(AnswerRefused, match="larger than 256 KiB"):
                await chat.complete(messages())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024
    assert llm.bytes_streamed < 16 * 1024 * 1024


async def test_an_answer_announcing_60_mb_is_refused_before_its_body_is_read(llm: FakeOpenAI):
    llm.default = "huge_declared"
    async with client(llm) as chat:
        with pytest.raises(AnswerRefused, match="announced 62914560 bytes"):
            await chat.complete(messages())
    assert llm.bytes_streamed < 16 * 1024 * 1024
    assert MAX_ANSWER_BYTES == 256 * 1024


@pytest.mark.parametrize("mode", ["absurd_usage", "negative_usage"])
async def test_implausible_usage_is_replaced_by_an_estimate_and_said_in_a_log_line(
    llm: FakeOpenAI, mode: str, caplog: pytest.LogCaptureFixture
):
    llm.default = mode
    caplog.set_level(logging.INFO, logger="bot.summarize")
    async with client(llm) as chat:
        done = await chat.complete(messages())
    prompt_chars = sum(len(m["content"]) for m in messages())
    assert 0 < done.prompt_tokens <= prompt_chars
    assert 0 < done.completion_tokens <= len(done.content)
    [line] = [r.getMessage() for r in caplog.records if "implausible" in r.getMessage()]
    assert "counting an estimate" in line


async def test_an_error_body_echoing_the_key_is_redacted_bounded_and_on_one_line(
    llm: FakeOpenAI, caplog: pytest.LogCaptureFixture
):
    llm.default = "echo_key"
    caplog.set_level(logging.DEBUG)
    async with client(llm) as chat:
        with pytest.raises(ChatError) as raised:
            await chat.complete(messages())
    reason = str(raised.value)
    assert reason.startswith("HTTP 401: ")
    assert "Incorrect API key provided" in reason
    assert "[redacted]" in reason
    assert SECRET not in reason
    assert SECRET[3:] not in reason
    assert "\n" not in reason
    assert "\x1b" not in reason
    assert len(reason) <= 300
    assert SECRET[3:] not in caplog.text


async def test_an_endpoint_reporting_no_usage_is_counted_by_estimate_and_said_once(
    llm: FakeOpenAI, caplog: pytest.LogCaptureFixture
):
    llm.default = "no_usage"
    caplog.set_level(logging.INFO, logger="bot.summarize")
    async with client(llm) as chat:
        first = await chat.complete(messages())
        await chat.complete(messages())
    assert first.prompt_tokens > 0
    assert first.completion_tokens > 0
    said = [r.getMessage() for r in caplog.records if "reports no token usage" in r.getMessage()]
    assert said == ["the summary endpoint reports no token usage; counting estimates"]


async def test_an_answer_compressed_against_the_request_is_read_and_a_gzip_bomb_refused(
    llm: FakeOpenAI,
):
    llm.script("gzipped", "gzip_bomb")
    tracemalloc.start()
    try:
        async with client(llm) as chat:
            done = await chat.complete(messages())
            with pytest.raises(AnswerRefused, match="larger than 256 KiB"):
                await chat.complete(messages())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert done.content.startswith('{"zh": "本文研究')
    assert llm.requests[0].headers["Accept-Encoding"] == "identity"
    assert peak < 8 * 1024 * 1024
