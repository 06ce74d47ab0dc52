"""How the bot's requests go out: python-telegram-bot's HTTP transport on aiohttp, for
sending many messages fast, and the pace Telegram allows.

PTB's default HTTPXRequest slows down as more requests are in flight (its pool does work per
request that grows with the pool); on aiohttp the same 2-core machine sends about five times
as many messages a second, which is what a broadcast to thousands of chats needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Callable, Coroutine, Iterator
from datetime import timedelta
from typing import Any

import aiohttp
from telegram.constants import FloodLimit
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)
REPLY_RETRIES = 3  # a reader's answer is worth waiting for; a broadcast retries on its own
LONGEST_WAIT = 30.0  # seconds: a reply Telegram holds back longer than this is given up
# Tasks answering an update; a task they start (a job the scheduler runs) is not one of them
_replying: weakref.WeakSet[asyncio.Task] = weakref.WeakSet()

_DEFAULT = type(BaseRequest.DEFAULT_NONE)  # PTB's marker for "not given by the caller"


class AiohttpRequest(BaseRequest):
    """A BaseRequest with one aiohttp session and at most `connections` connections."""

    def __init__(
        self,
        connections: int = 64,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._connections = connections
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        timeout = aiohttp.ClientTimeout(
            sock_connect=self._pick("connect", connect_timeout),
            sock_read=self._pick("read", read_timeout),
            connect=self._pick("pool", pool_timeout),
        )
        body, headers = _body(request_data)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _pick(self, name: str, value: object) -> float | None:
        return self._timeouts[name] if isinstance(value, _DEFAULT) else value


def _body(request_data: RequestData | None) -> tuple[aiohttp.FormData | bytes | None, dict]:
    """Parameters as a JSON body (no per-character escaping of long texts, which a form
    needs), or as multipart when a file goes with them."""
    if request_data is None:
        return None, {}
    if not request_data.contains_files:
        payload = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        return payload, {"Content-Type": "application/json"}
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in (request_data.multipart_data or {}).items():
        filename, content, mime = part if len(part) == 3 else (*part, None)
        form.add_field(name, content, filename=filename, content_type=mime)
    return form, {}


@contextlib.contextmanager
def retrying_replies() -> Iterator[None]:
    """Requests this task makes inside the block (an update's replies) are sent again after
    a 429, up to REPLY_RETRIES times."""
    task = asyncio.current_task()
    if task is None:
        yield
        return
    _replying.add(task)
    try:
        yield
    finally:
        _replying.discard(task)


class TelegramPace(AIORateLimiter):
    """AIORateLimiter's pacing; a 429 is retried after its `retry_after` inside
    `retrying_replies`, and otherwise handed to the caller at once, without a traceback in the
    log (the push counts and schedules its own retries)."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        retries = rate_limit_args if rate_limit_args is not None else _retries_here()
        chat_id = data.get("chat_id")
        for attempt in range(retries + 1):
            try:
                return await self._run_request(
                    chat=chat_id is not None,
                    group=_group(chat_id),
                    allow_paid_broadcast=bool(data.get("allow_paid_broadcast")),
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                if attempt == retries or wait > LONGEST_WAIT:
                    raise
                log.info("Telegram asked to wait %.0f s before %s; waiting", wait, endpoint)
                await asyncio.sleep(wait + 0.1)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _retries_here() -> int:
    return REPLY_RETRIES if asyncio.current_task() in _replying else 0


def _group(chat_id: object) -> int | str | bool:
    """The chat as AIORateLimiter's group limiter knows it: a group's id, else False."""
    with contextlib.suppress(ValueError, TypeError):
        chat_id = int(chat_id)
    if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str):
        return chat_id
    return False


def _seconds(value: timedelta | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def telegram_pace(per_second: float = FloodLimit.MESSAGES_PER_SECOND) -> TelegramPace:
    """Telegram's limits as a rate limiter: `per_second` messages overall (30 for an ordinary
    bot), evenly spaced rather than in bursts (a burst can draw a 429), and 20 a minute per
    group. Paid broadcasts have their own ceiling of 1,000 a second inside the limiter."""
    return TelegramPace(
        overall_max_rate=1,
        overall_time_period=1 / per_second,
        group_max_rate=FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_time_period=60,
    )
