"""A stand-in for arXiv's feed and API servers on 127.0.0.1, with arXiv's ways of failing.

Each path gets a script of answers, one per request, the last one repeating: a feed with
an ETag or Last-Modified (answered 304 when the client sends it back), 429 with
Retry-After, 503, a slow answer, an HTML page, truncated XML, the API's 400 error. Every
request is logged with its headers and arrival time, so tests can check what the client
really sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = RSS_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before answering


@dataclass(frozen=True, slots=True)
class SeenRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


Responder = Callable[[SeenRequest], Answer]


class FakeArxiv:
    """The server; `async with FakeArxiv() as arxiv:` runs it in the test's event loop."""

    def __init__(self) -> None:
        self.requests: list[SeenRequest] = []
        self._scripts: dict[str, list[Answer]] = {}
        self._responders: dict[str, Responder] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeArxiv:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return self.base_url + path

    def script(self, path: str, *answers: Answer) -> str:
        """Answer requests to `path` with these answers in turn, the last one repeating."""
        self._scripts[path] = list(answers)
        return self.url(path)

    def respond(self, path: str, responder: Responder) -> str:
        """Answer requests to `path` by calling `responder` (for query-dependent answers)."""
        self._responders[path] = responder
        return self.url(path)

    def seen(self, path: str) -> list[SeenRequest]:
        return [request for request in self.requests if request.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        seen = SeenRequest(
            request.path, dict(request.query), dict(request.headers), time.monotonic()
        )
        self.requests.append(seen)
        answer = self._next_answer(seen)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        validators = {}
        if answer.etag:
            validators["ETag"] = answer.etag
        if answer.last_modified:
            validators["Last-Modified"] = answer.last_modified
        if _still_valid(seen, answer):
            return web.Response(status=304, headers=validators)
        headers = {"Content-Type": answer.content_type, **validators, **answer.headers}
        return web.Response(status=answer.status, body=answer.body, headers=headers)

    def _next_answer(self, seen: SeenRequest) -> Answer:
        if seen.path in self._responders:
            return self._responders[seen.path](seen)
        script = self._scripts.get(seen.path)
        if not script:
            return Answer(status=404, body=b"Not Found", content_type="text/plain")
        return script.pop(0) if len(script) > 1 else script[0]


def _still_valid(seen: SeenRequest, answer: Answer) -> bool:
    if answer.status != 200:
        return False
    if answer.etag and seen.headers.get("If-None-Match") == answer.etag:
        return True
    return bool(
        answer.last_modified and seen.headers.get("If-Modified-Since") == answer.last_modified
    )
