"""Which update runs when: many at once, each conversation's in the order they came, and no
reader ahead of their share.

An update waits first for its lane (one conversation: a chat, or a user's inline queries), then
for one of the `concurrency` slots, so a lane holds at most one slot and a reader who sends 300
messages waits behind their own, not in front of everyone else's. Urgent updates (those
Telegram takes an answer to only for a few seconds) get the next free slot before the others.
Past `budget` updates waiting from one reader, more are dropped and the reader is told once,
until their queue drains; past `backlog` waiting in all, new ones are dropped.

Pure asyncio: the Telegram side (keys of an update, the slow-down reply) is in
bot.handlers.turns.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

CONCURRENCY = 32  # updates handled at once: enough to hide Telegram's round trips
BUDGET = 20  # updates one reader may have waiting before more are dropped
BACKLOG = 10_000  # updates waiting in all; past it the bot sheds load rather than memory

_received_at: ContextVar[float | None] = ContextVar("update_received_at", default=None)


def seconds_since_received() -> float:
    """How long ago the update being handled arrived; 0 outside an update."""
    received = _received_at.get()
    return 0.0 if received is None else time.monotonic() - received


class _Slots:
    """At most `size` holders; a freed slot goes to the most urgent waiter, then the oldest."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, urgent: bool) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        handed = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (0 if urgent else 1, next(self._order), handed))
        try:
            await handed
        except asyncio.CancelledError:
            if handed.done() and not handed.cancelled():  # handed over just as we were cancelled
                self.release()
            raise

    def release(self) -> None:
        while self._waiting:
            *_, handed = heapq.heappop(self._waiting)
            if not handed.done():  # the slot passes straight to the waiter
                handed.set_result(None)
                return
        self._free += 1


@dataclass
class _Lane:
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # FIFO: waiters wake in order
    queued: int = 0


@dataclass
class _Reader:
    waiting: int = 0
    warned: bool = False


class FairTurns:
    """Runs each update's work in its lane's order, at most `concurrency` at a time."""

    def __init__(
        self, concurrency: int = CONCURRENCY, budget: int = BUDGET, backlog: int = BACKLOG
    ) -> None:
        if min(concurrency, budget, backlog) < 1:
            raise ValueError("concurrency, budget and backlog must be at least 1")
        self.concurrency = concurrency
        self.budget = budget
        self.backlog = backlog
        self._held = 0
        self._overloaded = False
        self._slots = _Slots(concurrency)
        self._lanes: dict[Hashable, _Lane] = {}
        self._readers: dict[Hashable, _Reader] = {}
        self.dropped = 0

    async def run(
        self,
        work: Awaitable[object],
        *,
        lane: Hashable | None,
        reader: Hashable | None,
        urgent: bool = False,
        on_flood: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        """Await `work` in its turn; drop it (telling the reader once) when over budget.

        `lane` None runs without ordering, `reader` None without a budget.
        """
        received = time.monotonic()
        if self._held >= self.backlog:
            self._shed(work)
            return
        if reader is not None and not self._admit(reader):
            _discard(work)
            self.dropped += 1
            log.debug("update from %s dropped: %d already waiting", reader, self.budget)
            if not self._readers[reader].warned and on_flood is not None:
                self._readers[reader].warned = True
                await on_flood()
            return
        self._held += 1
        try:
            await self._in_turn(work, lane, received, urgent)
        finally:
            self._held -= 1
            if reader is not None:
                self._release(reader)
            if self._overloaded and self._held <= self.backlog // 2:
                self._overloaded = False
                log.info("update backlog down to %d: every update is taken again", self._held)

    def _shed(self, work: Awaitable[object]) -> None:
        _discard(work)
        self.dropped += 1
        if not self._overloaded:  # one line per overload, not one per update
            self._overloaded = True
            log.warning("%d updates waiting: new ones are dropped until half are done", self._held)

    async def _in_turn(
        self, work: Awaitable[object], lane: Hashable | None, received: float, urgent: bool
    ) -> None:
        if lane is None:
            await self._in_slot(work, received, urgent)
            return
        state = self._lanes.setdefault(lane, _Lane())
        state.queued += 1
        try:
            async with state.turn:
                await self._in_slot(work, received, urgent)
        finally:
            state.queued -= 1
            if state.queued == 0:
                del self._lanes[lane]

    async def _in_slot(self, work: Awaitable[object], received: float, urgent: bool) -> None:
        await self._slots.acquire(urgent)
        try:
            _received_at.set(received)  # this task's own context: one update per task
            await work
        finally:
            self._slots.release()

    def _admit(self, reader: Hashable) -> bool:
        state = self._readers.setdefault(reader, _Reader())
        if state.waiting >= self.budget:
            return False
        state.waiting += 1
        return True

    def _release(self, reader: Hashable) -> None:
        state = self._readers[reader]
        state.waiting -= 1
        if state.waiting == 0:  # the flood is over: a later one is told again
            del self._readers[reader]

    @property
    def lanes(self) -> int:
        """Conversations with an update waiting or running."""
        return len(self._lanes)


def _discard(work: Awaitable[object]) -> None:
    close = getattr(work, "close", None)
    if close is not None:  # a coroutine never awaited would warn when collected
        close()
