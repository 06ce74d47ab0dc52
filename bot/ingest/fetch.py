"""Fetching feeds over HTTP: timeouts, conditional GET, bounded retries, polite spacing per host.

arXiv asks for no more than one request every three seconds to its export API and answers
429 or 503 with `Retry-After` when pressed; both are honoured here, and every wait is capped
so that a misbehaving server cannot stall a run for long.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from bot import __version__
from bot.ingest import limits
from bot.ingest.document import FeedProblem

USER_AGENT = f"digestbot/{__version__} (fortnightly digest of arXiv AI/LLM papers; httpx)"
ARXIV_INTERVAL = 3.0  # seconds between requests to one host, as arXiv asks


@dataclass(frozen=True, slots=True)
class Fetched:
    """A final answer: 2xx, 304, or a 4xx that retrying would not change."""

    url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A `Retry-After` header (seconds, or an HTTP-date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _worth_retrying(status: int) -> bool:
    return status == 429 or status >= 500


class Fetcher:
    """GETs feeds politely; the httpx client (or its transport) is injectable for tests."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        min_interval: float = ARXIV_INTERVAL,
        attempts: int = 4,
        backoff: float = 2.0,
        max_wait: float = 60.0,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        max_bytes: int = limits.FEED_BYTES,
    ) -> None:
        self._owns_client = client is None
        self.client = client or httpx.AsyncClient(transport=transport, follow_redirects=True)
        self.timeout = timeout
        self.min_interval = min_interval
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.user_agent = user_agent
        self.sleep = sleep
        self.max_bytes = max_bytes
        self._last_start: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """The answer to a (conditional) GET; FeedProblem when none came after the retries."""
        headers = {"User-Agent": self.user_agent}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in range(1, self.attempts + 1):
            failure, delay = await self._attempt(url, headers, attempt)
            if isinstance(failure, Fetched):
                return failure
            if attempt < self.attempts:
                await self.sleep(min(delay, self.max_wait))
        raise FeedProblem(failure.kind, url, f"{failure.message} after {self.attempts} attempts")

    async def _attempt(
        self, url: str, headers: dict[str, str], attempt: int
    ) -> tuple[Fetched | FeedProblem, float]:
        """The answer, or the failure and how long to wait before the next attempt."""
        backoff = self.backoff * 2 ** (attempt - 1)
        try:
            response, body = await self._polite_get(url, headers)
        except limits.TooLarge as exc:
            raise FeedProblem("too-large", url, f"the answer is {exc}") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise FeedProblem("bad-url", url, f"not a URL that can be fetched: {exc}") from exc
        except httpx.TimeoutException:
            return FeedProblem("timeout", url, f"no answer within {self.timeout:g} s"), backoff
        except httpx.TransportError as exc:
            cause = str(exc) or type(exc).__name__
            if _name_not_resolved(exc):  # a name that does not resolve now won't in 2 s either
                host = httpx.URL(url).host
                raise FeedProblem("network", url, f"{host} does not resolve: {cause}") from exc
            return FeedProblem("network", url, f"cannot reach the server: {cause}"), backoff
        if not _worth_retrying(response.status_code):
            return _fetched(url, response, body), 0.0
        waited = retry_after_seconds(response.headers.get("Retry-After"))
        reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        return FeedProblem("http", url, reason), backoff if waited is None else waited

    async def _polite_get(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """One request, started at least `min_interval` after the last one to the same host;
        the body is read only for a final answer, and never past `max_bytes`."""
        host = httpx.URL(url).host
        async with self._host_locks.setdefault(host, asyncio.Lock()):
            wait = self._last_start.get(host, -float("inf")) + self.min_interval - time.monotonic()
            if wait > 0:
                await self.sleep(wait)
            self._last_start[host] = time.monotonic()
            request = self.client.stream("GET", url, headers=headers, timeout=self.timeout)
            async with request as response:
                if _worth_retrying(response.status_code):
                    return response, b""
                return response, await _read_capped(response, self.max_bytes)


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The (decompressed) body; TooLarge as soon as it passes `limit`, read no further."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and "Content-Encoding" not in response.headers and int(declared) > limit:
        raise limits.TooLarge(limit)
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise limits.TooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _name_not_resolved(exc: BaseException) -> bool:
    """True when the chain of causes holds a failed name look-up (socket.gaierror)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _fetched(url: str, response: httpx.Response, body: bytes) -> Fetched:
    return Fetched(
        url=url,
        status=response.status_code,
        body=body,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )
