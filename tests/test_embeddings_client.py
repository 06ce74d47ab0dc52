"""The embeddings client against the fake OpenAI-compatible server: vectors, retries, and the
answers a broken or hostile endpoint gives, each refused with a reason."""

from __future__ import annotations

import time

import numpy as np
import pytest

from bot.search.embeddings_client import EmbeddingError, EmbeddingsClient
from tests.fakes.openai_server import FakeOpenAI

RAG = "retrieval augmented generation for question answering"


@pytest.fixture
async def endpoint():
    async with FakeOpenAI() as server:
        yield server


def client(server: FakeOpenAI, **options) -> EmbeddingsClient:
    options.setdefault("backoff_base", 0.01)
    return EmbeddingsClient(server.base_url, "fake-embedder", api_key="sk-test", **options)


async def test_each_text_gets_a_unit_vector_and_texts_sharing_words_are_near(endpoint):
    texts = [RAG, "retrieval augmented generation for dialogue", "protein folding by diffusion"]
    async with client(endpoint) as embedder:
        vectors = await embedder.embed(texts)
        again = await embedder.embed(texts[:1])
    assert vectors.shape == (3, 64)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > 0.5 > vectors[0] @ vectors[2]
    assert np.allclose(again[0], vectors[0])
    assert embedder.dimensions == 64
    [request, _] = endpoint.embedding_requests
    assert request == {"model": "fake-embedder", "input": texts, "encoding_format": "float"}


async def test_a_429_is_retried_after_the_seconds_it_names(endpoint):
    endpoint.embedding_script = ["rate_limited"]
    endpoint.retry_after = "0.3"
    async with client(endpoint) as embedder:
        started = time.monotonic()
        vectors = await embedder.embed([RAG])
    assert time.monotonic() - started >= 0.3
    assert vectors.shape == (1, 64)
    assert len(endpoint.embedding_requests) == 2


async def test_a_429_asking_for_minutes_fails_at_once(endpoint):
    endpoint.embedding_mode = "rate_limited"
    endpoint.retry_after = "3600"
    async with client(endpoint) as embedder:
        with pytest.raises(EmbeddingError, match="rate limited for 3600 s"):
            await embedder.embed([RAG])
    assert len(endpoint.embedding_requests) == 1


async def test_server_errors_are_retried_with_backoff_then_given_up(endpoint):
    endpoint.embedding_script = ["error", "error"]
    async with client(endpoint) as embedder:
        assert (await embedder.embed([RAG])).shape == (1, 64)
    endpoint.embedding_mode = "error"
    async with client(endpoint, max_attempts=3) as embedder:
        with pytest.raises(EmbeddingError, match=r"HTTP 500 \(after 3 attempts\)"):
            await embedder.embed([RAG])


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("wrong_dimensions", "have 71 dimensions, not 64"),
        ("nan", "NaN is not a finite number"),
        ("too_few", "does not hold 2 embeddings"),
        ("zeros", "all zeros"),
        ("huge", "larger than"),
    ],
)
async def test_a_broken_answer_is_refused_with_its_reason(endpoint, mode, reason):
    endpoint.embedding_mode = mode
    async with client(endpoint, dimensions=64) as embedder:
        with pytest.raises(EmbeddingError, match=reason):
            await embedder.embed([RAG, "protein folding"])
    assert len(endpoint.embedding_requests) == 1  # not asked again: it would answer the same


async def test_an_unreachable_endpoint_fails_within_its_deadline():
    embedder = EmbeddingsClient(
        "http://127.0.0.1:9/v1", "m", timeout=0.5, max_attempts=2, backoff_base=0.01
    )
    async with embedder:
        with pytest.raises(EmbeddingError, match="network error"):
            await embedder.embed([RAG])


async def test_a_slow_endpoint_is_cut_off_at_the_deadline(endpoint):
    endpoint.latency = 2.0
    async with client(endpoint, timeout=0.2, max_attempts=1) as embedder:
        started = time.monotonic()
        with pytest.raises(EmbeddingError, match="timed out"):
            await embedder.embed([RAG])
    assert time.monotonic() - started < 1.5
