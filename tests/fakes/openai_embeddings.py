"""The fake OpenAI-compatible endpoint's `POST /v1/embeddings`, and the vectors it answers with.

A text's vector is a hashed bag of its words: each word falls in one of BUCKETS buckets, each
bucket has a fixed random direction, and the text is the normalised sum of its words'
directions. Texts that share words are near, texts that share none are almost orthogonal,
and the same text always gets the same vector, so tests and benches can check rankings.

Modes: `vectors` (good), `rate_limited` (429 with Retry-After), `error` (500),
`wrong_dimensions`, `nan` (a NaN in the JSON), `too_few` (one vector less than asked),
`zeros` (an all-zero vector), `huge` (an answer past any client's cap), `truncated` (a
whole answer whose JSON stops halfway), `cut_off` (the connection closed halfway through an
answer whose length was announced).
"""

from __future__ import annotations

import functools
import json
import re
import zlib

import numpy as np
from aiohttp import web

EMBEDDING_MODES = (
    "vectors",
    "rate_limited",
    "error",
    "wrong_dimensions",
    "nan",
    "too_few",
    "zeros",
    "huge",
    "truncated",
    "cut_off",
)
BUCKETS = 4096
_WORD = re.compile(r"\w+")


@functools.cache
def _directions(dimensions: int) -> np.ndarray:
    return np.random.default_rng(dimensions).standard_normal((BUCKETS, dimensions), np.float32)


def hashed_vectors(texts: list[str], dimensions: int) -> np.ndarray:
    """Unit vectors of the texts' hashed bags of words (a text without words: bucket 0)."""
    directions = _directions(dimensions)
    vectors = np.empty((len(texts), dimensions), np.float32)
    for row, text in enumerate(texts):
        words = [zlib.crc32(word.encode()) % BUCKETS for word in _WORD.findall(text.lower())]
        buckets, counts = np.unique(words or [0], return_counts=True)
        # the sum of the words' directions, without a matrix product: the fake stands in for a
        # server elsewhere, so that it costs the bench's one thread as little as it can
        vectors[row] = (directions[buckets] * counts[:, None].astype(np.float32)).sum(axis=0)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def answer(body: dict, mode: str, dimensions: int, retry_after: str) -> web.Response:
    """The endpoint's answer to one request in `mode`."""
    if mode == "rate_limited":
        error = {"error": {"message": "Rate limit reached", "type": "rate_limit"}}
        return web.json_response(error, status=429, headers={"Retry-After": retry_after})
    if mode == "error":
        return web.json_response({"error": {"message": "The server had an error"}}, status=500)
    texts = body.get("input")
    texts = [texts] if isinstance(texts, str) else list(texts or [])
    if mode == "huge":
        return web.Response(body=b'{"data": [' + b"0.1, " * 4_000_000 + b"0]}")
    size = dimensions + 7 if mode == "wrong_dimensions" else dimensions
    vectors = hashed_vectors(texts, size).tolist() if texts else []
    if mode == "too_few":
        vectors = vectors[:-1]
    if mode == "zeros" and vectors:
        vectors[0] = [0.0] * size
    data = [
        {"object": "embedding", "index": i, "embedding": vector} for i, vector in enumerate(vectors)
    ]
    text = json.dumps(_envelope(data, body, texts))
    if mode == "nan":
        text = text.replace("]}", ", NaN]}", 1)
    if mode == "truncated":
        text = text[: len(text) // 2]
    return web.Response(text=text, content_type="application/json")


async def cut_off(request: web.Request, answer: web.Response) -> web.StreamResponse:
    """The first half of a good answer announced whole, then the connection closed."""
    whole = answer.body
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = len(whole)
    await response.prepare(request)
    await response.write(whole[: len(whole) // 2])
    request.transport.close()
    return response


def _envelope(data: list[dict], body: dict, texts: list[str]) -> dict:
    tokens = sum(len(_WORD.findall(text)) for text in texts)
    return {
        "object": "list",
        "data": data,
        "model": body.get("model"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
