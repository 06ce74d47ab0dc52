"""A fake Telegram Bot API server on 127.0.0.1 for tests and benchmarks.

The bot under test talks real HTTP to it, exactly as to api.telegram.org::

    async with FakeBotApi() as api:
        app = (ApplicationBuilder().token(api.token)
               .base_url(api.base_url).base_file_url(api.base_file_url).build())
        ada = api.user(1001, language_code="zh-hans")
        api.user_says(ada, "/start")
        [call] = await api.wait_for("sendMessage")

This module is the facade: start and stop, the failure knobs, and the questions a test asks
afterwards. The methods live in ``bot_api_methods``; what users do, in ``bot_api_inject``.
Run it alone with ``python -m tests.fakes.bot_api --port N`` (see ``bot_api_process``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from typing import Self

from aiohttp import web

from tests.fakes.bot_api_faults import ApiError, Faults, RateLimits
from tests.fakes.bot_api_http import build_app
from tests.fakes.bot_api_inject import UpdateInjection
from tests.fakes.bot_api_record import Call, CallLog
from tests.fakes.bot_api_state import World
from tests.fakes.bot_api_updates import FakeUser

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijkl"
_SENDS = ("sendMessage", "sendDocument")


class FakeBotApi(UpdateInjection):
    """One bot's view of Telegram, served over HTTP while the context is open."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "digest_test_bot",
        port: int = 0,
        keep_calls: bool = True,
        any_chat: bool = False,
    ) -> None:
        bot_id = int(token.split(":", 1)[0])
        self.token = token
        self.bot = FakeUser(bot_id, "Digest", bot_username, language_code=None, is_bot=True)
        self.world = World(token, self.bot)
        self.world.any_chat = any_chat
        self.faults = Faults()
        self.log = CallLog(keep=keep_calls)
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> Self:
        app = build_app(self.world, self.faults, self.log)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self.world.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``Bot(token, base_url=…)``: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_username(self) -> str:
        return self.bot.username or ""

    # Failure knobs ---------------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to the chat are 403."""
        self.faults.blocked.add(chat_id)

    def kick(self, chat_id: int) -> None:
        """The bot was removed from the group: sends to it are 403."""
        self.faults.kicked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.faults.blocked.discard(chat_id)
        self.faults.kicked.discard(chat_id)

    def migrate(self, group_id: int, supergroup_id: int) -> None:
        """Sends to ``group_id`` answer "upgraded to a supergroup" (see group_migrates)."""
        self.faults.migrated[group_id] = supergroup_id

    def throttle(self, chat_id: int, retry_after: int = 3, times: int = 1) -> None:
        """The next ``times`` sends to the chat answer 429 with ``retry_after``."""
        self.faults.throttled[chat_id] = [retry_after, times]

    def fail_next(
        self,
        method: str,
        code: int,
        description: str,
        *,
        chat_id: int | None = None,
        parameters: dict | None = None,
    ) -> None:
        """The next call of ``method`` (to ``chat_id``, if given) answers this error once."""
        self.faults.scripted.append((method, chat_id, ApiError(code, description, parameters)))

    def limit_rate(
        self,
        *,
        overall_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_group_per_minute: float | None = None,
        burst: float = 1.0,
    ) -> None:
        """Answer 429 to sends above these rates (token buckets, Telegram's limits by default)."""
        self.faults.limits = RateLimits(
            overall_per_second, per_chat_per_second, per_group_per_minute, burst
        )

    @property
    def latency(self) -> float:
        return self.faults.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        """Each answer (but getUpdates) waits this long, like a round trip to Telegram."""
        self.faults.latency = seconds

    def set_admins(
        self,
        chat_id: int,
        user_ids: list[int],
        *,
        creator: int | None = None,
        anonymous: tuple[int, ...] = (),
    ) -> None:
        """Who getChatMember / getChatAdministrators report as creator and administrators."""
        members = self.world.members_of(chat_id)
        members.admins = list(user_ids)
        members.creator = creator
        members.anonymous = set(anonymous)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """ "member", "left", "kicked" or "restricted" for one user of a group."""
        self.world.members_of(chat_id).statuses[user_id] = status

    def count_text_in_code_points(self) -> None:
        """Count text length in code points instead of the stricter UTF-16 units."""
        self.world.count_text = len

    # Questions afterwards --------------------------------------------------------------

    def calls(
        self, method: str | None = None, *, chat_id: int | None = None, since: int = 0
    ) -> list[Call]:
        """Calls in the order they arrived, optionally one method's, one chat's, from a mark."""
        return self.log.select(method, chat_id, since)

    def mark(self) -> int:
        """A position in the call log, for ``since=`` in calls() and wait_for()."""
        return self.log.total

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a deadline per call reads best in a test
        *,
        chat_id: int | None = None,
        since: int = 0,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` arrived (answered or refused)."""
        return await self.log.wait_for(method, count, timeout, chat_id, since)

    def sent_to(self, chat_id: int) -> list[dict]:
        """Messages the bot sent to the chat, as Telegram returned them, oldest first."""
        return [
            call.result
            for call in self.log.select(chat_id=chat_id)
            if call.method in _SENDS and call.ok
        ]

    def messages_in(self, chat_id: int) -> list[dict]:
        """The bot's messages still in the chat, as they look now (after edits and deletes)."""
        mine = [m for (chat, _), m in self.world.messages.items() if chat == chat_id]
        return sorted(mine, key=lambda message: message["message_id"])

    def last_text(self, chat_id: int) -> str | None:
        """The text (or caption) of the newest message the bot sent to the chat."""
        sent = self.sent_to(chat_id)
        return (sent[-1].get("text") or sent[-1].get("caption")) if sent else None

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """The commands set for a scope and language (default scope, no language)."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return self.world.commands.get((key, language_code), [])


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a fake Telegram Bot API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to answers")
    parser.add_argument("--overall-per-second", type=float)
    parser.add_argument("--per-chat-per-second", type=float)
    parser.add_argument("--per-group-per-minute", type=float)
    parser.add_argument("--burst", type=float, default=1.0)
    parser.add_argument("--keep-calls", action="store_true", help="log every call (memory)")
    return parser.parse_args(argv)


async def serve(argv: list[str] | None = None) -> None:
    """Serve until SIGINT/SIGTERM; prints ``ready <base_url>`` once listening."""
    args = _parse_args(argv)
    api = FakeBotApi(args.token, port=args.port, keep_calls=args.keep_calls, any_chat=True)
    api.latency = args.latency
    if args.overall_per_second or args.per_chat_per_second or args.per_group_per_minute:
        api.limit_rate(
            overall_per_second=args.overall_per_second,
            per_chat_per_second=args.per_chat_per_second,
            per_group_per_minute=args.per_group_per_minute,
            burst=args.burst,
        )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    async with api:
        print(f"ready {api.base_url}", flush=True)
        await stopped.wait()


if __name__ == "__main__":
    asyncio.run(serve())
