"""A stand-in for Hugging Face's `GET /api/daily_papers?date=YYYY-MM-DD` on 127.0.0.1.

Recorded answers (files named `YYYY-MM-DD.json`) are served for their day with an ETag, so a
conditional GET is answered 304; a day without a file answers 404, as a weekend does. A day
can be given a script of answers instead (429 with Retry-After, a truncated body, a list whose
upvotes grew), one per request, the last one repeating. Requests are logged with their
headers, as the fake arXiv logs them, which this server is built on.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from tests.fakes.arxiv_server import Answer, FakeArxiv, SeenRequest

JSON_TYPE = "application/json; charset=utf-8"
PATH = "/api/daily_papers"


def json_answer(entries: list[dict], **options) -> Answer:
    """A 200 answer holding these entries, with an ETag of its content."""
    body = json.dumps(entries).encode()
    return Answer(body=body, content_type=JSON_TYPE, etag=_etag(body), **options)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class FakeHf:
    """The server; `async with FakeHf(recorded_dir) as hf:` runs it in the test's event loop."""

    def __init__(self, recorded: Path | None = None) -> None:
        self.recorded = recorded
        self._server = FakeArxiv()
        self._scripts: dict[str, list[Answer]] = {}

    async def __aenter__(self) -> FakeHf:
        await self._server.__aenter__()
        self._server.respond(PATH, self._answer)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._server.__aexit__(*exc)

    @property
    def base_url(self) -> str:
        """What DIGESTBOT_HF_API is set to."""
        return self._server.url("/api")

    def url(self, day: str) -> str:
        return f"{self._server.url(PATH)}?date={day}"

    def script(self, day: str, *answers: Answer) -> str:
        """Answer requests for `day` with these answers in turn, the last one repeating."""
        self._scripts[day] = list(answers)
        return self.url(day)

    def seen(self, day: str | None = None) -> list[SeenRequest]:
        requests = self._server.seen(PATH)
        return [r for r in requests if day is None or r.query.get("date") == day]

    def _answer(self, seen: SeenRequest) -> Answer:
        day = seen.query.get("date", "")
        script = self._scripts.get(day)
        if script:
            return script.pop(0) if len(script) > 1 else script[0]
        known = self.recorded is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
        path = self.recorded / f"{day}.json" if known else None
        if path is not None and path.is_file():
            body = path.read_bytes()
            return Answer(body=body, content_type=JSON_TYPE, etag=_etag(body))
        return Answer(404, b'{"error":"Not Found"}', content_type=JSON_TYPE)
