"""The fake OpenAI-compatible endpoint's hostile answers: what a broken or malicious one sends.

Each mode is one way an endpoint outside our control can hurt the summarizer: numbers Python's
json accepts but no summary holds (NaN, Infinity), nesting deep enough to exhaust recursion,
an answer dripped a byte at a time, one of 60 MB (streamed, or announced by Content-Length),
one compressed although the client asked for none (and a gzip bomb), absurd, negative or
missing token usage, a web page instead of a completion, an error body echoing the caller's
API key, and summaries carrying links, markup or bidi/control characters.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import zlib
from collections.abc import Callable

from aiohttp import web

HOSTILE_MODES = (
    "nan",
    "infinity",
    "deep_nesting",
    "drip",
    "huge",
    "huge_declared",
    "absurd_usage",
    "negative_usage",
    "no_usage",
    "gzipped",
    "gzip_bomb",
    "html_page",
    "echo_key",
    "url",
    "markup",
    "markdown",
    "bidi",
    "long_word",
)
HUGE_BYTES = 60 * 1024 * 1024
_CHUNK = 64 * 1024
NESTING = 100_000
# A Right-to-Left Override, a zero-width joiner, an ANSI colour escape and a NUL: none is text.
BIDI_JUNK = "\u202e\u200d\x1b[31m\x00"
_SURROGATE = "@surrogate@"  # becomes the escape of a lone surrogate, which UTF-8 cannot encode


def hostile_content(mode: str, zh: str, en: str, importance: int) -> str:
    """The model's text in the hostile modes that answer with a 200 completion."""
    if mode == "nan":
        return f'{{"zh": {json.dumps(zh)}, "en": {json.dumps(en)}, "importance": NaN}}'
    if mode == "infinity":
        return f'{{"zh": {json.dumps(zh)}, "en": {json.dumps(en)}, "importance": Infinity}}'
    if mode == "deep_nesting":
        return "[" * NESTING
    if mode == "url":
        en = f"{en} Code: https://evil.example/payload"
    elif mode == "markup":
        en = f'<a href="https://evil.example">{en}</a><script>alert(1)</script>'
    elif mode == "markdown":
        en = f"**{en}**"
        zh = f"`{zh}`"
    elif mode == "bidi":
        zh = f"{BIDI_JUNK}{zh}"
        en = f"{en[:10]}{BIDI_JUNK}{_SURROGATE}{en[10:]}"
    elif mode == "long_word":
        en = "A" * 5_000
    answer = json.dumps({"zh": zh, "en": en, "importance": importance}, ensure_ascii=False)
    return answer.replace(_SURROGATE, "\\ud800")


def hostile_usage(mode: str, usage: dict) -> dict:
    """Token usage as a lying endpoint reports it."""
    if mode == "absurd_usage":
        return {**usage, "prompt_tokens": 10**12, "total_tokens": 10**12}
    if mode == "negative_usage":
        return {**usage, "completion_tokens": -5_000}
    if mode == "no_usage":
        return {}
    return usage


def html_page() -> web.Response:
    """A 200 that is no completion: what a base URL pointing at a web site answers."""
    return web.Response(text="<!doctype html><title>Welcome</title>", content_type="text/html")


def gzipped(completion: dict, *, bomb: bool = False) -> web.Response:
    """The answer gzip-compressed, whatever the request's Accept-Encoding said; or a bomb,
    60 MB of answer in about 60 KB."""
    body = _bomb() if bomb else gzip.compress(json.dumps(completion).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    return web.Response(body=body, headers=headers)


def echo_key(authorization: str) -> web.Response:
    """A 401 whose body repeats the key it was sent, with a line break and an ANSI escape."""
    message = f"Incorrect API key provided: {authorization}.\n\x1b[2Jtoken={authorization[7:]}"
    return web.json_response({"error": {"message": message}}, status=401)


@functools.cache
def _bomb() -> bytes:
    """60 MB of JSON string, gzip-compressed a chunk at a time (never held whole)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(b'{"choices": [{"message": {"content": "')]
    zeros = b"0" * _CHUNK
    parts += [packer.compress(zeros) for _ in range(HUGE_BYTES // _CHUNK)]
    parts.append(packer.flush())
    return b"".join(parts)


async def streamed(
    request: web.Request,
    mode: str,
    body: bytes,
    drip_interval: float,
    on_write: Callable[[int], None],
) -> web.StreamResponse:
    """The drip and the huge answers, written as the client reads them."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    if mode == "huge_declared":
        response.content_length = HUGE_BYTES
    writer = _drip if mode == "drip" else _flood
    try:
        await response.prepare(request)
        await writer(response, body, drip_interval, on_write)
        await response.write_eof()
    except ConnectionError:
        pass  # the client hung up, as it should
    return response


async def _drip(
    response: web.StreamResponse, body: bytes, interval: float, on_write: Callable[[int], None]
) -> None:
    for i in range(len(body)):
        await response.write(body[i : i + 1])
        on_write(1)
        await asyncio.sleep(interval)


async def _flood(
    response: web.StreamResponse, body: bytes, interval: float, on_write: Callable[[int], None]
) -> None:
    # A JSON string that never ends: 60 MB of it, made a chunk at a time.
    await response.write(b'{"choices": [{"message": {"content": "')
    chunk = b"x" * _CHUNK
    for _ in range(HUGE_BYTES // _CHUNK):
        await response.write(chunk)
        on_write(len(chunk))
