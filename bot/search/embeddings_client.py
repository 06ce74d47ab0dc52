"""HTTP to an OpenAI-compatible embeddings endpoint: `POST {base}/embeddings`, bounded and
retried with the summaries' client's discipline.

A 429 (after its Retry-After seconds), a 5xx, a timeout or a network error is retried with
exponential backoff and jitter, up to `max_attempts`; anything else is an `EmbeddingError`
at once. The endpoint is not trusted: each attempt has a deadline for the whole answer, the
answer is read up to a cap, and every vector is checked (one per text, in order, finite, not
zero, all of one dimension, the expected one when known) before it is used. Reasons never
carry the API key.
"""

from __future__ import annotations

import asyncio
import logging
import random

import httpx
import numpy as np

from bot.summarize import bounded_json

# The summaries' client's bounded reading: a capped body, a bounded inflate, Retry-After.
from bot.summarize.llm_client import ChatError, _error_message, _read, _retry_after
from bot.summarize.redact import redact

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0  # a server asking for longer than this is treated as failing
MAX_DIMENSIONS = 8192
MAX_BATCH = 64
# 64 vectors of 8,192 numbers at about 22 characters each, with room for the envelope.
MAX_ANSWER_BYTES = 12 * 1024 * 1024
_ERROR_BODY_BYTES = 4096
_MAX_DEPTH = 8


class EmbeddingError(Exception):
    """The endpoint gave no usable vectors; the message says why, in one line."""


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


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
        self.deadline = timeout  # for a whole attempt, the answer's last byte included
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self._secrets = (api_key,)
        headers = {"Accept-Encoding": "identity"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        )

    async def __aenter__(self) -> EmbeddingsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def embed(self, texts: list[str]) -> np.ndarray:
        """One vector per text (at most MAX_BATCH), retried while retrying may help."""
        if not 1 <= len(texts) <= MAX_BATCH:
            raise ValueError(f"embed 1 to {MAX_BATCH} texts at a time, not {len(texts)}")
        payload = {"model": self.model, "input": texts, "encoding_format": "float"}
        for attempt in range(1, self.max_attempts + 1):
            try:
                matrix = await self._post(payload, len(texts))
            except _Retry as retry:
                if attempt == self.max_attempts:
                    raise EmbeddingError(f"{retry} (after {attempt} attempts)") from None
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                log.info("embeddings request: %s; retrying in %.2f s", retry, wait)
                await asyncio.sleep(wait)
                continue
            self.dimensions = matrix.shape[1]
            return matrix
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential with full jitter, so that parallel clients do not retry in step."""
        return random.uniform(0, min(BACKOFF_CAP, self.backoff_base * 2 ** (attempt - 1)))

    async def _post(self, payload: dict, count: int) -> np.ndarray:
        try:
            async with asyncio.timeout(self.deadline):
                async with self._http.stream("POST", "embeddings", json=payload) as response:
                    return await self._answer(response, count)
        except (TimeoutError, httpx.TimeoutException):
            raise _Retry(f"timed out: no whole answer within {self.deadline:g} s") from None
        except httpx.TransportError as exc:
            raise _Retry(f"network error: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise EmbeddingError(f"HTTP error: {type(exc).__name__}") from None

    async def _answer(self, response: httpx.Response, count: int) -> np.ndarray:
        status = response.status_code
        if status == 429:
            wait = _retry_after(response)
            if wait is not None and wait > RETRY_AFTER_CAP:
                raise EmbeddingError(f"rate limited for {wait:.0f} s")
            raise _Retry("HTTP 429", wait)
        if status >= 500:
            raise _Retry(f"HTTP {status}")
        if status != 200:
            raise EmbeddingError(f"HTTP {status}: {await self._error_text(response)}")
        try:
            body = await _read(response, MAX_ANSWER_BYTES)
        except ChatError as exc:  # an encoding it refused, or a broken gzip
            raise EmbeddingError(str(exc)) from None
        if body is None:
            raise EmbeddingError(
                f"the endpoint's answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB"
            )
        try:
            parsed = bounded_json.loads(body, max_chars=MAX_ANSWER_BYTES, max_depth=_MAX_DEPTH)
        except bounded_json.UnreadableJSON as exc:
            raise EmbeddingError(f"the endpoint's answer is not usable: {exc}") from None
        return vectors_from(parsed, count, self.dimensions)

    async def _error_text(self, response: httpx.Response) -> str:
        try:
            text = _error_message(await _read(response, _ERROR_BODY_BYTES))
        except ChatError:
            text = "(an unreadable body)"
        return redact(text, self._secrets, limit=200)
