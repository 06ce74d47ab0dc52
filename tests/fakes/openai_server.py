"""A stand-in for an OpenAI-compatible endpoint on 127.0.0.1, with the ways models misbehave.

`POST /v1/chat/completions` answers in the real shape (`choices`, `usage`); `GET /v1/models`
lists the model; `POST /v1/embeddings` answers as `openai_embeddings` says, in
`embedding_mode` or the next of `embedding_script`. Each completion is answered in a mode: a
good summary derived from the abstract in the prompt, the same in a ```json fence, invalid
JSON, a refusal, the wrong language, 429 with Retry-After, 500, and the hostile modes of
`openai_hostile`. A prompt that lists topics gets topics in the answer, and a translation
request a translation (see `openai_tasks`). A script of modes is used up first, one per
request; rules pick a mode by a word in the paper's title; then the default mode. Every
request is recorded, and the server counts how many it held at once.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import zlib
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes import openai_embeddings
from tests.fakes.openai_hostile import (
    HOSTILE_MODES,
    echo_key,
    gzipped,
    hostile_content,
    hostile_usage,
    html_page,
    streamed,
)
from tests.fakes.openai_tasks import (
    TASK_MODES,
    chosen_topics,
    is_translation,
    translation_content,
)

MODEL = "fake-summarizer-1"
MODES = (
    "good",
    "fenced",
    "bad_json",
    "refusal",
    "wrong_language",
    "rate_limited",
    "error",
    *HOSTILE_MODES,
    *TASK_MODES,
)
_TITLE = re.compile(r"^Title: (.*)$", re.MULTILINE)
_ABSTRACT = re.compile(r"^Abstract: (.*)", re.MULTILINE | re.DOTALL)
_GLOSSARY_LINE = re.compile(r"^- .+ → (.+)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SeenRequest:
    body: dict
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival

    @property
    def system(self) -> str:
        return self.body["messages"][0]["content"]

    @property
    def title(self) -> str:
        match = _TITLE.search(self.body["messages"][-1]["content"])
        return match.group(1) if match else ""


@dataclass(slots=True)
class FakeOpenAI:
    """The server; `async with FakeOpenAI() as llm:` runs it in the test's event loop."""

    default: str = "good"
    latency: float = 0.0  # seconds before each answer
    retry_after: str = "1"
    drip_interval: float = 2.0  # seconds between the bytes of a dripped answer
    bytes_streamed: int = 0  # of the drip and huge answers, before the client hung up
    requests: list[SeenRequest] = field(default_factory=list)
    max_in_flight: int = 0
    base_url: str = ""
    embedding_mode: str = "vectors"
    embedding_dimensions: int = 64
    embedding_script: list[str] = field(default_factory=list)
    embedding_requests: list[dict] = field(default_factory=list)
    _script: list[str] = field(default_factory=list)
    _rules: list[tuple[str, str]] = field(default_factory=list)
    _choices: list[tuple[str, list[str]]] = field(default_factory=list)
    _in_flight: int = 0
    _runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/v1"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def script(self, *modes: str) -> None:
        """Answer the next requests in these modes, one each, then as before."""
        self._script.extend(self._checked(m) for m in modes)

    def rule(self, title_word: str, mode: str) -> None:
        """Answer requests for papers whose title holds this word in this mode."""
        self._rules.append((title_word, self._checked(mode)))

    def choose(self, title_word: str, *slugs: str) -> None:
        """Choose these topics (maybe none) for papers whose title holds this word."""
        self._choices.append((title_word, list(slugs)))

    def _checked(self, mode: str) -> str:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
        return mode

    def _mode(self, seen: SeenRequest) -> str:
        if self._script:
            return self._script.pop(0)
        for word, mode in self._rules:
            if word in seen.title:
                return mode
        return self.default

    async def _embeddings(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.embedding_requests.append(body)
        if self.latency:
            await asyncio.sleep(self.latency)
        mode = self.embedding_script.pop(0) if self.embedding_script else self.embedding_mode
        if mode not in openai_embeddings.EMBEDDING_MODES:
            raise ValueError(f"unknown embedding mode {mode!r}")
        if mode == "cut_off":
            whole = openai_embeddings.answer(body, "vectors", self.embedding_dimensions, "")
            return await openai_embeddings.cut_off(request, whole)
        return openai_embeddings.answer(body, mode, self.embedding_dimensions, self.retry_after)

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    async def _complete(self, request: web.Request) -> web.Response:
        seen = SeenRequest(await request.json(), dict(request.headers), time.monotonic())
        self.requests.append(seen)
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            mode = self._mode(seen)
            if mode in ("drip", "huge", "huge_declared"):
                body = json.dumps(_completion(seen, _content(seen, "good"))).encode()
                return await streamed(request, mode, body, self.drip_interval, self._wrote)
            return self._answer(seen, mode)
        finally:
            self._in_flight -= 1

    def _wrote(self, count: int) -> None:
        self.bytes_streamed += count

    def _answer(self, seen: SeenRequest, mode: str) -> web.Response:
        if mode == "rate_limited":
            error = {"error": {"message": "Rate limit reached", "type": "rate_limit"}}
            return web.json_response(error, status=429, headers={"Retry-After": self.retry_after})
        if mode == "error":
            return web.json_response({"error": {"message": "The server had an error"}}, status=500)
        if mode == "echo_key":
            return echo_key(seen.headers.get("Authorization", ""))
        if mode == "html_page":
            return html_page()
        completion = _completion(seen, _content(seen, mode, self._choices))
        completion["usage"] = hostile_usage(mode, completion["usage"])
        if mode in ("gzipped", "gzip_bomb"):
            return gzipped(completion, bomb=mode == "gzip_bomb")
        return web.json_response(completion)


def _content(
    seen: SeenRequest, mode: str, choices: list[tuple[str, list[str]]] | None = None
) -> str:
    """The model's text in each answering mode."""
    if mode == "refusal":
        return "I'm sorry, but I cannot help with summarizing this content."
    if mode == "bad_json":
        return '{"zh": "本文提出了一种方法", "en": "A method is proposed", "importance": '
    if is_translation(seen.system):
        return translation_content(seen.system, seen.body["messages"][-1]["content"], mode)
    zh, en = summaries_from(seen)
    if mode in HOSTILE_MODES:
        return hostile_content(mode, zh, en, importance_of(seen.title))
    if mode == "wrong_language":
        zh = en
    if mode == "empty":
        zh = en = ""
    answer = {"zh": zh, "en": en, "importance": importance_of(seen.title)}
    topics = chosen_topics(seen.system, seen.title, mode, choices or [])
    if topics is not None:
        answer["topics"] = topics
    answer = json.dumps(answer)
    return f"```json\n{answer}\n```" if mode == "fenced" else answer


def summaries_from(seen: SeenRequest) -> tuple[str, str]:
    """A plausible pair: the abstract's first sentence, and a Chinese line with its terms."""
    match = _ABSTRACT.search(seen.body["messages"][-1]["content"])
    abstract = " ".join((match.group(1) if match else "").split())
    first = re.split(r"(?<=[.!?])\s+", abstract, maxsplit=1)[0]
    en = " ".join(first.split()[:50]) or "The paper studies a question about language models."
    terms = "、".join(_GLOSSARY_LINE.findall(seen.system)) or "大语言模型"
    zh = f"本文研究{terms}相关问题，提出新方法并在基准上验证其效果。"
    return zh, en


def importance_of(title: str) -> int:
    """A stable importance from 1 to 5 for a title."""
    return zlib.crc32(title.encode()) % 5 + 1


def _completion(seen: SeenRequest, content: str) -> dict:
    prompt = sum(len(m["content"]) for m in seen.body["messages"]) // 4
    completion = max(1, len(content) // 4)
    return {
        "id": f"chatcmpl-{len(content)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": seen.body.get("model", MODEL),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }
