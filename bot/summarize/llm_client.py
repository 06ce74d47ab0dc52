"""HTTP to an OpenAI-compatible endpoint: `POST {base}/chat/completions`, bounded and retried.

At most `concurrency` requests are in flight. A 429 (after its Retry-After seconds), a 5xx,
a timeout or a network error is retried with exponential backoff and jitter, a few times;
any other answer is returned or raised at once. The endpoint is not trusted: each attempt has
a deadline for the whole answer, the answer is read up to a cap, its reported usage is
checked (see `usage`), and secrets are redacted from every reason this module gives.
"""

from __future__ import annotations

import asyncio
import logging
import random
import zlib
from dataclasses import dataclass

import httpx

from bot.summarize import bounded_json
from bot.summarize.redact import redact
from bot.summarize.usage import TokenCounter, estimate

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_BASE = 1.0  # seconds before the first retry; doubled for each further one
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0  # a server asking for longer than this is treated as failing
# A completion with two short summaries is a few KB; past this it is not one.
MAX_ANSWER_BYTES = 256 * 1024
_MAX_DEPTH = 32
_ERROR_BODY_BYTES = 4096  # of an error answer, enough for its message
# Content-Encoding -> whether it is inflated (zlib reads gzip and zlib-wrapped deflate alike).
_ENCODINGS = {"": False, "identity": False, "gzip": True, "x-gzip": True, "deflate": True}


class ChatError(Exception):
    """The endpoint gave no usable answer; the message is the reason kept in the ledger."""

    def __init__(self, reason: str, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
        super().__init__(reason)
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens


class AnswerRefused(ChatError):
    """The answer is larger than any summary: rejected like a bad answer, not asked again soon.

    An answer the endpoint garbles (not JSON, no choices) is a ChatError: the endpoint's
    failure, asked again next run, and counted among the failures in a row that end a run.
    """


@dataclass(frozen=True, slots=True)
class Completion:
    content: str | None
    prompt_tokens: int
    completion_tokens: int


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (the only form model endpoints send); None when absent."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _content(body: object) -> str | None:
    """The first choice's text."""
    if not isinstance(body, dict):
        raise ChatError("the endpoint's answer is not a JSON object")
    try:
        content = body["choices"][0]["message"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ChatError("the endpoint's answer has no choices") from None
    if content is not None and not isinstance(content, str):
        raise ChatError("the endpoint's answer has no text")
    return content


def _error_message(body: bytes | None) -> str:
    """What an error answer says: its `error.message` when it has one, else its text."""
    if body is None:
        return "(a longer body)"
    try:
        parsed = bounded_json.loads(body, max_chars=_ERROR_BODY_BYTES, max_depth=_MAX_DEPTH)
        message = parsed["error"]["message"]  # type: ignore[index]
    except (bounded_json.UnreadableJSON, KeyError, TypeError, IndexError):
        return body.decode("utf-8", "replace")
    return message if isinstance(message, str) else body.decode("utf-8", "replace")


async def _read(response: httpx.Response, cap: int) -> bytes | None:
    """The body, decompressed if it came so, or None once it passes `cap` bytes (reading stops).

    Inflating is bounded too: 60 KB of gzip can hold 60 MB.
    """
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in _ENCODINGS:
        raise ChatError(f"the endpoint's answer came compressed ({encoding[:20]})")
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32) if _ENCODINGS[encoding] else None
    chunks, size = [], 0
    async for raw in response.aiter_raw():
        try:
            chunk = raw if inflate is None else inflate.decompress(raw, cap - size + 1)
        except zlib.error:
            raise ChatError(f"the endpoint's answer is not valid {encoding}") from None
        size += len(chunk)
        if size > cap or (inflate is not None and inflate.unconsumed_tail):
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class ChatClient:
    """One model behind one endpoint; `async with ChatClient(…) as client:`."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        concurrency: int = 4,
        timeout: float = 60.0,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base: float = BACKOFF_BASE,
    ) -> None:
        self.model = model
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.deadline = timeout  # for a whole attempt, the answer's last byte included
        self._secrets = (api_key,)
        self._tokens = TokenCounter()
        self._slots = asyncio.Semaphore(concurrency)
        # Uncompressed is asked for; a compressed answer is inflated only up to the cap.
        headers = {"Accept-Encoding": "identity"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def complete(self, messages: list[dict[str, str]]) -> Completion:
        """One chat completion asking for a JSON object, retried while retrying may help."""
        payload = {
            "model": self.model,
            "messages": messages,
            "response_format": {"type": "json_object"},
            "temperature": 0.2,
        }
        prompt = "".join(message["content"] for message in messages)
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self._slots:
                    return await self._post(payload, prompt)
            except _Retry as retry:
                if attempt == self.max_attempts:
                    raise ChatError(f"{retry} (after {attempt} attempts)") from None
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                log.info("summary request: %s; retrying in %.2f s", retry, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential with full jitter, so that parallel requests do not retry in step."""
        return random.uniform(0, min(BACKOFF_CAP, self.backoff_base * 2 ** (attempt - 1)))

    async def _post(self, payload: dict, prompt: str) -> Completion:
        try:
            async with asyncio.timeout(self.deadline):
                async with self._http.stream("POST", "chat/completions", json=payload) as response:
                    return await self._answer(response, prompt)
        except (TimeoutError, httpx.TimeoutException):
            raise _Retry(f"timed out: no whole answer within {self.deadline:g} s") from None
        except httpx.TransportError as exc:
            raise _Retry(f"network error: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise ChatError(f"HTTP error: {type(exc).__name__}") from None

    async def _answer(self, response: httpx.Response, prompt: str) -> Completion:
        status = response.status_code
        if status == 429:
            wait = _retry_after(response)
            if wait is not None and wait > RETRY_AFTER_CAP:
                raise ChatError(f"rate limited for {wait:.0f} s")
            raise _Retry("HTTP 429", wait)
        if status >= 500:
            raise _Retry(f"HTTP {status}")
        if status != 200:
            try:
                text = _error_message(await _read(response, _ERROR_BODY_BYTES))
            except ChatError:
                text = "(an unreadable body)"
            raise ChatError(f"HTTP {status}: {redact(text, self._secrets, limit=200)}")
        try:
            body = await self._body(response)
        except AnswerRefused as exc:
            # The prompt was paid for, and an answer past the cap at least the cap: estimates.
            raise AnswerRefused(str(exc), estimate(prompt), MAX_ANSWER_BYTES // 3) from None
        try:
            parsed = bounded_json.loads(body, max_chars=MAX_ANSWER_BYTES, max_depth=_MAX_DEPTH)
        except bounded_json.UnreadableJSON as exc:
            raise ChatError(f"the endpoint's answer is not usable: {exc}") from None
        content = _content(parsed)
        prompt_tokens, completion_tokens = self._tokens.count(parsed, prompt, content or "")
        return Completion(content, prompt_tokens, completion_tokens)

    async def _body(self, response: httpx.Response) -> bytes:
        """The answer's bytes, refused past the cap, announced or read."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise AnswerRefused(
                f"the endpoint's answer is larger than {MAX_ANSWER_BYTES // 1024} KiB"
                f" (announced {int(declared)} bytes)"
            )
        body = await _read(response, MAX_ANSWER_BYTES)
        if body is None:
            raise AnswerRefused(
                f"the endpoint's answer is larger than {MAX_ANSWER_BYTES // 1024} KiB"
            )
        return body
