"""The endpoint client against a fake OpenAI-compatible server: answers, retries, limits."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest

from bot.summarize.llm_answer import RejectedAnswer, build_messages, load_glossary, parse_answer
from bot.summarize.llm_client import ChatClient, ChatError
from tests.fakes.openai_server import MODEL, FakeOpenAI

TITLE = "Retrieval-Augmented Generation with Chain-of-Thought"
ABSTRACT = "We study RAG for large language models. It reduces hallucination on two benchmarks."


@pytest.fixture
async def llm():
    async with FakeOpenAI() as server:
        yield server


def client(server: FakeOpenAI, **options) -> ChatClient:
    return ChatClient(server.base_url, MODEL, api_key="sk-test", backoff_base=0.01, **options)


def messages() -> list[dict[str, str]]:
    return build_messages(TITLE, ABSTRACT, load_glossary())


async def test_a_good_answer_carries_both_languages_and_the_token_usage(llm: FakeOpenAI):
    async with client(llm) as chat:
        done = await chat.complete(messages())
    parsed = parse_answer(done.content)
    assert "检索增强生成" in parsed.zh
    assert "思维链" in parsed.zh
    assert parsed.en == "We study RAG for large language models."
    assert 1 <= parsed.importance <= 5
    assert done.prompt_tokens > 0
    assert done.completion_tokens > 0
    sent = llm.requests[0]
    assert sent.body["response_format"] == {"type": "json_object"}
    assert sent.body["model"] == MODEL
    assert sent.headers["Authorization"] == "Bearer sk-test"


async def test_the_fake_lists_its_model(llm: FakeOpenAI):
    async with httpx.AsyncClient() as http:
        listed = (await http.get(f"{llm.base_url}/models")).json()
    assert listed["data"][0]["id"] == MODEL


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("bad_json", "invalid JSON"), ("refusal", "refusal"), ("wrong_language", "not Chinese")],
)
async def test_answers_in_each_bad_mode_are_rejected(llm: FakeOpenAI, mode: str, reason: str):
    llm.default = mode
    async with client(llm) as chat:
        done = await chat.complete(messages())
    with pytest.raises(RejectedAnswer, match=reason):
        parse_answer(done.content)


async def test_a_fenced_answer_is_accepted(llm: FakeOpenAI):
    llm.default = "fenced"
    async with client(llm) as chat:
        done = await chat.complete(messages())
    assert done.content.startswith("```json")
    assert parse_answer(done.content).importance in range(1, 6)


async def test_two_429s_then_an_answer_waits_as_told_by_retry_after(llm: FakeOpenAI):
    llm.retry_after = "1"
    llm.script("rate_limited", "rate_limited", "good")
    async with client(llm) as chat:
        done = await chat.complete(messages())
    assert parse_answer(done.content)
    first, second, third = (r.at for r in llm.requests)
    assert len(llm.requests) == 3
    assert second - first >= 0.95
    assert third - second >= 0.95


async def test_server_errors_are_retried_a_bounded_number_of_times(llm: FakeOpenAI):
    llm.default = "error"
    async with client(llm, max_attempts=3) as chat:
        with pytest.raises(ChatError, match=r"HTTP 500 \(after 3 attempts\)"):
            await chat.complete(messages())
    assert len(llm.requests) == 3


async def test_a_500_then_an_answer_succeeds(llm: FakeOpenAI):
    llm.script("error", "good")
    async with client(llm) as chat:
        done = await chat.complete(messages())
    assert parse_answer(done.content)
    assert len(llm.requests) == 2


async def test_a_slow_answer_times_out_and_is_retried_then_given_up(llm: FakeOpenAI):
    llm.latency = 0.5
    async with client(llm, timeout=0.1, max_attempts=2) as chat:
        with pytest.raises(ChatError, match="timed out"):
            await chat.complete(messages())
    assert len(llm.requests) == 2


async def test_an_unreachable_endpoint_fails_after_its_retries():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chat = ChatClient(f"http://127.0.0.1:{port}/v1", MODEL, backoff_base=0.01, max_attempts=2)
    async with chat:
        with pytest.raises(ChatError, match="network error"):
            await chat.complete(messages())


async def test_a_client_error_is_not_retried(llm: FakeOpenAI):
    async with ChatClient(llm.base_url + "/nowhere", MODEL, backoff_base=0.01) as chat:
        with pytest.raises(ChatError, match="HTTP 404"):
            await chat.complete(messages())
    assert llm.requests == []


async def test_no_more_requests_are_in_flight_than_the_concurrency_limit(llm: FakeOpenAI):
    llm.latency = 0.05
    async with client(llm, concurrency=3) as chat:
        answers = await asyncio.gather(*(chat.complete(messages()) for _ in range(12)))
    assert len(answers) == 12
    assert llm.max_in_flight == 3
    assert all(json.loads(a.content)["importance"] for a in answers)
