"""The log of every call the bot made, in order, and the helpers tests query it with.

Recording is an append and two dict look-ups per call, so a benchmark's ten thousand sends
cost nothing measurable; ``keep=False`` keeps only the counters.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Call:
    """One request: what was asked, of which chat, when, and what the fake answered."""

    index: int
    method: str
    params: dict
    at: float
    chat_id: int | str | None
    result: object = None
    error: str | None = None
    error_code: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class CallLog:
    """Calls in order, indexed by method, with waiters woken as calls arrive."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.all: list[Call] = []
        self.by_method: dict[str, list[Call]] = {}
        self.counts: Counter[str] = Counter()
        self.total = 0
        # Each text accepted per chat, counted even when calls are not kept: a benchmark
        # tells duplicates from distinct messages with it.
        self.accepted: Counter[tuple[object, int]] = Counter()
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future]] = []

    def add(self, call: Call) -> None:
        self.total += 1
        self.counts[call.method] += 1
        if call.method == "sendMessage" and call.error is None:
            self.accepted[(call.chat_id, hash(call.params.get("text")))] += 1
        if self.keep:
            self.all.append(call)
            self.by_method.setdefault(call.method, []).append(call)
        if self._waiters:
            self._wake()

    def _wake(self) -> None:
        still_waiting = []
        for satisfied, future in self._waiters:
            if future.done():
                continue
            if satisfied():
                future.set_result(None)
            else:
                still_waiting.append((satisfied, future))
        self._waiters = still_waiting

    def select(
        self, method: str | None = None, chat_id: int | str | None = None, since: int = 0
    ) -> list[Call]:
        calls = self.all if method is None else self.by_method.get(method, [])
        return [
            call
            for call in calls
            if call.index >= since and (chat_id is None or call.chat_id == chat_id)
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a deadline per call reads best in a test
        chat_id: int | str | None = None,
        since: int = 0,
    ) -> list[Call]:
        """The matching calls once there are ``count`` of them; TimeoutError naming what came."""

        def satisfied() -> bool:
            return len(self.select(method, chat_id, since)) >= count

        if not satisfied():
            future = asyncio.get_running_loop().create_future()
            self._waiters.append((satisfied, future))
            try:
                await asyncio.wait_for(future, timeout)
            except TimeoutError:
                seen = [call.method for call in self.all[since:]]
                raise TimeoutError(
                    f"waited {timeout}s for {count} {method} call(s)"
                    f"{f' to chat {chat_id}' if chat_id is not None else ''}; calls since: {seen}"
                ) from None
        return self.select(method, chat_id, since)
