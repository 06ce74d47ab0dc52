"""The embeddings model: `POST {base}/embeddings` through the shared exchange with an
OpenAI-compatible endpoint (see `bot.endpoint.exchange`: deadlines, retries with jitter on 429
and 5xx, caps, errors in one line without the key).

What is the embeddings' own: every vector is checked (one per text, in order, finite, not
zero, all of one dimension, the expected one when known) before it is used.
"""

from __future__ import annotations

import numpy as np

from bot.endpoint.exchange import BACKOFF_BASE, MAX_ATTEMPTS, Endpoint, EndpointError

MAX_DIMENSIONS = 8192
MAX_BATCH = 64
# 64 vectors of 8,192 numbers at about 22 characters each, with room for the envelope.
MAX_ANSWER_BYTES = 12 * 1024 * 1024
_MAX_DEPTH = 8


class EmbeddingError(Exception):
    """The endpoint gave no usable vectors; the message says why, in one line."""


def vectors_from(body: object, count: int, dimensions: int | None) -> np.ndarray:
    """The answer's vectors as a `count` × d float32 matrix, in the texts' order; or
    EmbeddingError naming what is wrong with them."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or len(data) != count:
        raise EmbeddingError(f"the endpoint's answer does not hold {count} embeddings")
    rows: list[list[float] | None] = [None] * count
    for position, item in enumerate(data):
        index = item.get("index", position) if isinstance(item, dict) else None
        vector = item.get("embedding") if isinstance(item, dict) else None
        if type(index) is not int or not 0 <= index < count or rows[index] is not None:
            raise EmbeddingError("the endpoint's answer has a missing or repeated index")
        if not isinstance(vector, list) or not all(type(x) in (int, float) for x in vector):
            raise EmbeddingError("an embedding in the endpoint's answer is not a list of numbers")
        rows[index] = vector
    lengths = {len(row) for row in rows if row is not None}
    if len(lengths) != 1:
        raise EmbeddingError("the endpoint's embeddings differ in dimension")
    found = lengths.pop()
    if dimensions is not None and found != dimensions:
        raise EmbeddingError(f"the endpoint's embeddings have {found} dimensions, not {dimensions}")
    if not 1 <= found <= MAX_DIMENSIONS:
        raise EmbeddingError(f"the endpoint's embeddings have {found} dimensions")
    matrix = np.asarray(rows, dtype=np.float32)
    if not np.isfinite(matrix).all():
        raise EmbeddingError("an embedding in the endpoint's answer is not finite")
    if not np.linalg.norm(matrix, axis=1).all():
        raise EmbeddingError("an embedding in the endpoint's answer is all zeros")
    return matrix


class EmbeddingsClient:
    """One model behind one endpoint; `async with EmbeddingsClient(…) as client:`."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        dimensions: int | None = None,
        timeout: float = 60.0,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base: float = BACKOFF_BASE,
    ) -> None:
        self.model = model
        self.dimensions = dimensions  # learnt from the first answer when not known
        self._endpoint = Endpoint(
            base_url,
            api_key=api_key,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            name="embeddings request",
        )

    async def __aenter__(self) -> EmbeddingsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._endpoint.aclose()

    async def embed(self, texts: list[str]) -> np.ndarray:
        """One vector per text (at most MAX_BATCH), retried while retrying may help."""
        if not 1 <= len(texts) <= MAX_BATCH:
            raise ValueError(f"embed 1 to {MAX_BATCH} texts at a time, not {len(texts)}")
        payload = {"model": self.model, "input": texts, "encoding_format": "float"}
        try:
            answer = await self._endpoint.post(
                "embeddings", payload, cap=MAX_ANSWER_BYTES, max_depth=_MAX_DEPTH
            )
        except EndpointError as exc:
            raise EmbeddingError(str(exc)) from None
        matrix = vectors_from(answer, len(texts), self.dimensions)
        self.dimensions = matrix.shape[1]
        return matrix
