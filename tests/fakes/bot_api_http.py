"""The HTTP face of the fake: routes, request decoding and Telegram-shaped answers.

Telegram takes parameters as a query string, urlencoded or multipart form, or JSON.
In a form every value is a string; structured ones (reply_markup, results, commands, …)
are JSON inside it, which is how python-telegram-bot sends them, so they are decoded here.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

from aiohttp import web

from tests.fakes.bot_api_faults import ApiError, Faults
from tests.fakes.bot_api_messages import Upload
from tests.fakes.bot_api_methods import call_method
from tests.fakes.bot_api_record import Call, CallLog
from tests.fakes.bot_api_state import World

# Values that are strings by definition: decoding "123" or "true" in them as JSON would lie
TEXT_PARAMS = frozenset(
    {
        "text", "caption", "query", "next_offset", "callback_query_id", "inline_query_id",
        "parse_mode", "url", "language_code", "file_id", "action", "secret_token",
        "switch_pm_text", "switch_pm_parameter", "description", "short_description", "name",
        "title", "emoji", "inline_message_id", "ip_address", "document",
    }
)  # fmt: skip
_TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,}")
_UNAUTHORIZED = ApiError(401, "Unauthorized")
_NOT_FOUND = ApiError(404, "Not Found")


def decode_value(name: str, value: str) -> object:
    """A form value as the JSON type Telegram would read it as."""
    if name in TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: web.Request) -> dict:
    """Parameters from the query string and whichever body the client sent."""
    params = {name: decode_value(name, value) for name, value in request.query.items()}
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        params.update(await request.json())
        return params
    for name, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[name] = Upload(value.filename, value.file.read(), value.content_type)
        else:
            params[name] = decode_value(name, value)
    # attach://name points a parameter at a file part of the same request
    for name, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[name] = params.pop(value.removeprefix("attach://"), value)
    return params


def _answer(body: dict, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode(),
        status=status,
        content_type="application/json",
    )


def _refusal(token: str, world: World) -> ApiError | None:
    if token == world.token:
        return None
    return _UNAUTHORIZED if _TOKEN_SHAPE.fullmatch(token) else _NOT_FOUND


def build_app(world: World, faults: Faults, log: CallLog) -> web.Application:
    """An aiohttp application serving the Bot API and file downloads for one bot."""

    async def api_method(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if (refusal := _refusal(request.match_info["token"], world)) is not None:
            return _answer(refusal.to_json(), refusal.code)
        params = await read_params(request)
        if faults.latency and method.lower() != "getupdates":
            await asyncio.sleep(faults.latency)
        if (slow := faults.slow_chats.get(params.get("chat_id"))) is not None:
            await asyncio.sleep(slow)
        call = Call(log.total, method, params, time.time(), params.get("chat_id"))
        try:
            call.result = await call_method(world, faults, method, params)
        except ApiError as error:
            call.error, call.error_code = error.description, error.code
            log.add(call)
            return _answer(error.to_json(), error.code)
        log.add(call)
        return _answer({"ok": True, "result": call.result})

    async def download(request: web.Request) -> web.Response:
        if _refusal(request.match_info["token"], world) is not None:
            raise web.HTTPUnauthorized()
        stored = world.files_by_path.get(request.match_info["path"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.content, content_type="application/octet-stream")

    async def stats(request: web.Request) -> web.Response:
        counts = {
            "total": log.total,
            "counts": dict(log.counts),
            "rejected": faults.rejected,
            "messages_accepted": sum(log.accepted.values()),
            "messages_distinct": len(log.accepted),
        }
        return _answer(counts)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", api_method)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    app.router.add_get("/_fake/stats", stats)
    return app
