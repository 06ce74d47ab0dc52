"""Which update runs when: many at once, each conversation's in the order they came, and no
reader ahead of their share.

An update waits first for its lane (one conversation: a chat, or a user's inline queries), then
for one of the `concurrency` slots, so a lane holds at most one slot and a reader who sends 300
messages waits behind their own, not in front of everyone else's. Past `budget` updates waiting
from one reader, more are dropped and the reader is told once, until their queue drains.

Pure asyncio: the Telegram side (keys of an update, the slow-down reply) is in
bot.handlers.turns.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

CONCURRENCY = 32  # updates handled at once: enough to hide Telegram's round trips
BUDGET = 20  # updates one reader may have waiting before more are dropped

_received_at: ContextVar[float | None] = ContextVar("update_received_at", default=None)


def seconds_since_received() -> float:
    """How long ago the update being handled arrived; 0 outside an update."""
    received = _received_at.get()
    return 0.0 if received is None else time.monotonic() - received


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

    def __init__(self, concurrency: int = CONCURRENCY, budget: int = BUDGET) -> None:
        if concurrency < 1 or budget < 1:
            raise ValueError("concurrency and budget must be at least 1")
        self.concurrency = concurrency
        self.budget = budget
        self._slots = asyncio.Semaphore(concurrency)
        self._lanes: dict[Hashable, _Lane] = {}
        self._readers: dict[Hashable, _Reader] = {}
        self.dropped = 0

    async def run(
        self,
        work: Awaitable[object],
        *,
        lane: Hashable | None,
        reader: Hashable | None,
        on_flood: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        """Await `work` in its turn; drop it (telling the reader once) when over budget.

        `lane` None runs without ordering, `reader` None without a budget.
        """
        received = time.monotonic()
        if reader is not None and not self._admit(reader):
            _discard(work)
            self.dropped += 1
            log.debug("update from %s dropped: %d already waiting", reader, self.budget)
            if not self._readers[reader].warned and on_flood is not None:
                self._readers[reader].warned = True
                await on_flood()
            return
        try:
            await self._in_turn(work, lane, received)
        finally:
            if reader is not None:
                self._release(reader)

    async def _in_turn(
        self, work: Awaitable[object], lane: Hashable | None, received: float
    ) -> None:
        if lane is None:
            await self._in_slot(work, received)
            return
        state = self._lanes.setdefault(lane, _Lane())
        state.queued += 1
        try:
            async with state.turn:
                await self._in_slot(work, received)
        finally:
            state.queued -= 1
            if state.queued == 0:
                del self._lanes[lane]

    async def _in_slot(self, work: Awaitable[object], received: float) -> None:
        async with self._slots:
            _received_at.set(received)  # this task's own context: one update per task
            await work

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
