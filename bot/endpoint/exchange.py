"""The exchange with an OpenAI-compatible endpoint: `POST {base}/{path}` with a JSON body, the
key as a bearer credential, and the JSON answer, bounded and retried.

A 429 (after its Retry-After seconds), a 5xx, a timeout or a network error is retried with
exponential backoff and jitter, up to `max_attempts`; any other answer is returned or refused
at once. The endpoint is not trusted: each attempt has a deadline for the whole answer, the
answer is read (and inflated, when it came compressed against the request) up to the caller's
cap, and parsed with bounded nesting. Every failure is an `EndpointError` whose message is one
line naming the cause, without the key: what the operator reads in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import zlib

import httpx

from bot.endpoint import bounded_json
from bot.endpoint.redact import redact

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_BASE = 1.0  # seconds before the first retry; doubled for each further one
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0  # a server asking for longer than this is treated as failing
_ERROR_BODY_BYTES = 4096  # of an error answer, enough for its message
_ERROR_DEPTH = 32
# Content-Encoding -> whether it is inflated (zlib reads gzip and zlib-wrapped deflate alike).
_ENCODINGS = {"": False, "identity": False, "gzip": True, "x-gzip": True, "deflate": True}


class EndpointError(Exception):
    """The endpoint gave no usable answer; the message says why, in one line."""


class AnswerTooLarge(EndpointError):
    """The answer is past the caller's cap, announced or read; asking again would not help."""


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


def _error_message(body: bytes | None) -> str:
    """What an error answer says: its `error.message` when it has one, else its text."""
    if body is None:
        return "(a longer body)"
    try:
        parsed = bounded_json.loads(body, max_chars=_ERROR_BODY_BYTES, max_depth=_ERROR_DEPTH)
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
        raise EndpointError(f"the endpoint's answer came compressed ({encoding[:20]})")
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32) if _ENCODINGS[encoding] else None
    chunks, size = [], 0
    async for raw in response.aiter_raw():
        try:
            chunk = raw if inflate is None else inflate.decompress(raw, cap - size + 1)
        except zlib.error:
            raise EndpointError(f"the endpoint's answer is not valid {encoding}") from None
        size += len(chunk)
        if size > cap or (inflate is not None and inflate.unconsumed_tail):
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _size(cap: int) -> str:
    return f"{cap // 2**20} MiB" if cap >= 2**20 else f"{cap // 1024} KiB"


class Endpoint:
    """One base URL and key; `post` a request, get its JSON answer or an EndpointError.

    `concurrency` bounds the requests in flight (None: as many as the callers make);
    `name` says in the log whose request is retried.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base: float = BACKOFF_BASE,
        concurrency: int | None = None,
        name: str = "request",
    ) -> None:
        self.deadline = timeout  # for a whole attempt, the answer's last byte included
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.name = name
        self._secrets = (api_key,)
        self._slots = asyncio.Semaphore(concurrency) if concurrency else None
        # Uncompressed is asked for; a compressed answer is inflated only up to the cap.
        headers = {"Accept-Encoding": "identity"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        pool = {}  # as many connections as requests in flight; httpx's default when unbounded
        if concurrency:
            pool["limits"] = httpx.Limits(
                max_connections=concurrency, max_keepalive_connections=concurrency
            )
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            **pool,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def post(self, path: str, payload: dict, *, cap: int, max_depth: int) -> object:
        """The JSON answer to `payload` at `path`, asked again while asking again may help."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self._slots or contextlib.nullcontext():
                    body = await self._attempt(path, payload, cap)
            except _Retry as retry:
                if attempt == self.max_attempts:
                    raise EndpointError(f"{retry} (after {attempt} attempts)") from None
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                log.info("%s: %s; retrying in %.2f s", self.name, retry, wait)
                await asyncio.sleep(wait)
                continue
            try:
                return bounded_json.loads(body, max_chars=cap, max_depth=max_depth)
            except bounded_json.UnreadableJSON as exc:
                raise EndpointError(f"the endpoint's answer is not usable: {exc}") from None
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential with full jitter, so that parallel requests do not retry in step."""
        return random.uniform(0, min(BACKOFF_CAP, self.backoff_base * 2 ** (attempt - 1)))

    async def _attempt(self, path: str, payload: dict, cap: int) -> bytes:
        try:
            async with asyncio.timeout(self.deadline):
                async with self._http.stream("POST", path, json=payload) as response:
                    return await self._body(response, cap)
        except (TimeoutError, httpx.TimeoutException):
            raise _Retry(f"timed out: no whole answer within {self.deadline:g} s") from None
        except httpx.TransportError as exc:
            raise _Retry(f"network error: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise EndpointError(f"HTTP error: {type(exc).__name__}") from None

    async def _body(self, response: httpx.Response, cap: int) -> bytes:
        status = response.status_code
        if status == 429:
            wait = _retry_after(response)
            if wait is not None and wait > RETRY_AFTER_CAP:
                raise EndpointError(f"rate limited for {wait:.0f} s")
            raise _Retry("HTTP 429", wait)
        if status >= 500:
            raise _Retry(f"HTTP {status}")
        if status != 200:
            raise EndpointError(f"HTTP {status}: {await self._error_text(response)}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise AnswerTooLarge(
                f"the endpoint's answer is larger than {_size(cap)}"
                f" (announced {int(declared)} bytes)"
            )
        body = await _read(response, cap)
        if body is None:
            raise AnswerTooLarge(f"the endpoint's answer is larger than {_size(cap)}")
        return body

    async def _error_text(self, response: httpx.Response) -> str:
        try:
            text = _error_message(await _read(response, _ERROR_BODY_BYTES))
        except EndpointError:
            text = "(an unreadable body)"
        return redact(text, self._secrets, limit=200)
