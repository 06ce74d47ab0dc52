"""English extracts of a whole feed's abstracts at once, made beside the store.

A big feed's extracts are made in a worker process: started as the feed's bytes arrive, it
boots on the other core while they are parsed, then makes the extracts there while SQLite
stores the papers and the topic rules run here (in this process they would all queue for
the one interpreter lock). A small feed's are made in a thread, where a process would cost
more to start than it saves. Should the worker fail, the extracts are made here: none is lost.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager

from bot.summarize import extractive

log = logging.getLogger(__name__)

# About 700 arXiv RSS items: parsing them takes longer than the worker takes to boot.
WORKER_MIN_BYTES = 1_000_000


def extract_all(abstracts: Sequence[str]) -> list[str | None]:
    """Each abstract's extract (`extractive.summarize`), None where it has none."""
    return [extractive.summarize(abstract) if abstract else None for abstract in abstracts]


class Extractor:
    """Makes the extracts of many abstracts, in its worker process when it has one."""

    def __init__(self, pool: ProcessPoolExecutor | None = None) -> None:
        self._pool = pool

    @property
    def in_worker(self) -> bool:
        return self._pool is not None

    @property
    def worker(self) -> ProcessPoolExecutor | None:
        """The worker process, which may take other work of the same document first."""
        return self._pool

    async def __call__(self, abstracts: Sequence[str]) -> list[str | None]:
        """The extracts of these abstracts, in their order."""
        if self._pool is not None:
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(self._pool, extract_all, list(abstracts))
            except BrokenProcessPool:
                log.warning("the extract worker stopped; making the extracts in the bot instead")
                self._pool = None
        return await asyncio.to_thread(extract_all, abstracts)


def _start_worker() -> ProcessPoolExecutor | None:
    """A worker process, booting from now on; None when this system cannot start one."""
    try:
        # Spawned, not forked: the bot has threads (SQLite's, the HTTP client's) at this point.
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        pool.submit(extract_all, ())
    except (OSError, RuntimeError, NotImplementedError) as exc:
        log.warning("no extract worker (%s); making the extracts in the bot", exc)
        return None
    return pool


@asynccontextmanager
async def extractor_for(size: int) -> AsyncIterator[Extractor]:
    """An extractor for a document of `size` bytes, with a worker process if it is big."""
    pool = _start_worker() if size >= WORKER_MIN_BYTES else None
    try:
        yield Extractor(pool)
    finally:
        if pool is not None:
            # Not waited for: the worker has nothing left to do and exits on its own.
            pool.shutdown(wait=False, cancel_futures=True)
