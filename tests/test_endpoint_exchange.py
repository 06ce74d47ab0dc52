"""The exchange both model clients make with an OpenAI-compatible endpoint, against the fake
server on 127.0.0.1: what is asked again (429 after its Retry-After, 5xx, a timeout, a dropped
connection), what is refused at once (a broken body, a 401, minutes of rate limiting), and
that every failure is one line naming its cause, without the key."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from bot.endpoint.exchange import AnswerTooLarge, Endpoint, EndpointError
from tests.fakes.openai_server import FakeOpenAI

KEY = "sk-live-4f9Qx7TtW2aZp0LmNc8RvY"
ASK = {"model": "fake-embedder", "input": ["retrieval augmented generation"]}
CAP = 1024 * 1024


@pytest.fixture
async def server():
    async with FakeOpenAI() as fake:
        yield fake


def endpoint(url: str, **options) -> Endpoint:
    options = {"api_key": KEY, "backoff_base": 0.01, "name": "test request", **options}
    return Endpoint(url, **options)


async def ask(exchange: Endpoint) -> object:
    try:
        return await exchange.post("embeddings", ASK, cap=CAP, max_depth=8)
    finally:
        await exchange.aclose()


def closed_port() -> int:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_the_request_carries_the_key_and_the_answer_is_its_json(server):
    answer = await ask(endpoint(server.base_url))
    assert answer["model"] == "fake-embedder"
    assert len(answer["data"][0]["embedding"]) == 64
    assert server.embedding_requests == [ASK]


async def test_a_429_is_asked_again_after_the_seconds_its_retry_after_names(server, caplog):
    server.embedding_script = ["rate_limited", "rate_limited"]
    server.retry_after = "0.3"
    caplog.set_level(logging.INFO, logger="bot.endpoint")
    started = time.monotonic()
    answer = await ask(endpoint(server.base_url))
    assert time.monotonic() - started >= 0.6
    assert answer["data"]
    assert len(server.embedding_requests) == 3
    said = [r.getMessage() for r in caplog.records if r.name.startswith("bot.endpoint")]
    assert said == ["test request: HTTP 429; retrying in 0.30 s"] * 2


async def test_a_429_asking_for_minutes_is_refused_at_once(server):
    server.embedding_mode, server.retry_after = "rate_limited", "3600"
    with pytest.raises(EndpointError, match=r"^rate limited for 3600 s$"):
        await ask(endpoint(server.base_url))
    assert len(server.embedding_requests) == 1


async def test_a_500_then_an_answer_succeeds(server):
    server.embedding_script = ["error", "error"]
    assert (await ask(endpoint(server.base_url)))["data"]
    assert len(server.embedding_requests) == 3


async def test_server_errors_are_asked_again_a_bounded_number_of_times(server):
    server.embedding_mode = "error"
    with pytest.raises(EndpointError, match=r"^HTTP 500 \(after 3 attempts\)$"):
        await ask(endpoint(server.base_url, max_attempts=3))
    assert len(server.embedding_requests) == 3


async def test_a_body_whose_json_stops_halfway_is_refused_and_not_asked_again(server):
    server.embedding_mode = "truncated"
    with pytest.raises(EndpointError, match=r"^the endpoint's answer is not usable: invalid JSON$"):
        await ask(endpoint(server.base_url))
    assert len(server.embedding_requests) == 1


async def test_a_connection_closed_halfway_through_the_answer_is_asked_again(server):
    server.embedding_script = ["cut_off"]
    assert (await ask(endpoint(server.base_url)))["data"]
    assert len(server.embedding_requests) == 2
    server.embedding_mode = "cut_off"
    with pytest.raises(EndpointError, match=r"^network error: RemoteProtocolError \(after 2"):
        await ask(endpoint(server.base_url, max_attempts=2))


async def test_a_slow_answer_is_cut_off_at_the_deadline_of_each_attempt(server):
    server.latency = 2.0
    started = time.monotonic()
    with pytest.raises(
        EndpointError, match=r"^timed out: no whole answer within 0.2 s \(after 2 attempts\)$"
    ):
        await ask(endpoint(server.base_url, timeout=0.2, max_attempts=2))
    assert time.monotonic() - started < 1.5
    assert len(server.embedding_requests) == 2


async def test_a_refused_connection_is_one_line_naming_it_after_the_retries():
    started = time.monotonic()
    url = f"http://127.0.0.1:{closed_port()}/v1"
    with pytest.raises(EndpointError) as raised:
        await ask(endpoint(url, max_attempts=2))
    assert str(raised.value) == "network error: ConnectError (after 2 attempts)"
    assert time.monotonic() - started < 1.0


async def test_an_error_echoing_the_bearer_key_is_refused_on_one_line_without_it(server):
    server.default = "echo_key"
    exchange = endpoint(server.base_url)
    try:
        with pytest.raises(EndpointError) as raised:
            await exchange.post("chat/completions", {"messages": []}, cap=CAP, max_depth=8)
    finally:
        await exchange.aclose()
    reason = str(raised.value)
    assert reason.startswith("HTTP 401: Incorrect API key provided: Bearer [redacted]")
    assert KEY not in reason
    assert KEY[3:] not in reason
    assert "\n" not in reason
    assert "\x1b" not in reason
    assert server.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert len(server.requests) == 1


async def test_an_answer_past_the_cap_is_refused_as_too_large(server):
    server.embedding_mode = "huge"
    exchange = endpoint(server.base_url)
    try:
        with pytest.raises(AnswerTooLarge, match=r"larger than 1 MiB \(announced \d+ bytes\)"):
            await exchange.post("embeddings", ASK, cap=CAP, max_depth=8)
    finally:
        await exchange.aclose()
    assert len(server.embedding_requests) == 1


async def test_no_key_sends_no_authorization(server):
    prompt = [{"role": "system", "content": "Summarize."}, {"role": "user", "content": "Title: T"}]
    exchange = Endpoint(server.base_url)
    try:
        answer = await exchange.post(
            "chat/completions", {"messages": prompt}, cap=CAP, max_depth=32
        )
    finally:
        await exchange.aclose()
    assert answer["choices"]
    assert "Authorization" not in server.requests[0].headers
