"""A big RSS document parsed on both cores: its items cut into two documents at an item
boundary, one read here while the worker process reads the other.

feedparser reads each item on its own, so the two halves give the papers the whole gives,
in the same order. Anything unusual (not RSS, one item, a half that does not read as a
sound feed, a worker that stopped) falls back to reading the whole document here, so the
answer, errors included, is the one a single read would give.
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import Executor

from bot.ingest.detect import parse_document
from bot.ingest.document import FeedProblem, ParsedFeed, looks_recorded

log = logging.getLogger(__name__)

_ITEM_START = re.compile(rb"<item[\s>]")
_ITEM_END = b"</item>"


def split_items(data: bytes) -> tuple[bytes, bytes] | None:
    """Two RSS documents holding the first and the second half of the items; None if the
    document is not RSS with at least two items."""
    if looks_recorded(data) or b"<rss" not in data[:4096]:
        return None
    starts = [match.start() for match in _ITEM_START.finditer(data)]
    end = data.rfind(_ITEM_END)
    if len(starts) < 2 or end < starts[-1]:
        return None
    middle, end = starts[len(starts) // 2], end + len(_ITEM_END)
    head, tail = data[: starts[0]], data[end:]
    return data[:middle] + tail, head + data[middle:]


async def parse_in_halves(
    data: bytes, source: str, status: int, worker: Executor | None
) -> ParsedFeed:
    """The document's papers, read in two halves at once when a worker is there to help."""
    halves = split_items(data) if worker is not None and status < 400 else None
    if halves is None:
        return await asyncio.to_thread(parse_document, data, source, status)
    loop = asyncio.get_running_loop()
    second = loop.run_in_executor(worker, parse_document, halves[1], source, status)
    first = asyncio.to_thread(parse_document, halves[0], source, status)
    read = await asyncio.gather(first, second, return_exceptions=True)
    if all(isinstance(half, ParsedFeed) and half.format == "rss" for half in read):
        cuts = read[0].cuts + read[1].cuts
        return ParsedFeed(source, "rss", read[0].papers + read[1].papers, cuts=cuts)
    unexpected = [r for r in read if isinstance(r, Exception) and not isinstance(r, FeedProblem)]
    if unexpected:
        log.warning("reading %s in halves failed (%s); reading it whole", source, unexpected[0])
    return await asyncio.to_thread(parse_document, data, source, status)
