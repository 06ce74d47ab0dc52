"""Ingesting arXiv feeds, saved answers and API queries into storage, with topics assigned.

Each feed is read within its size cap and parsed whole before anything is stored, so a bad
feed changes nothing; its problem is logged in one line, reported, and the next feed goes
on. A good feed is stored in short transactions (`storage.papers.upsert`), so readers never
wait long behind it; storing it again changes nothing, so a run cut short is completed by
the next. Feed validators (ETag, Last-Modified) are remembered only once a feed is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from bot.ingest import arxiv_api, hf_daily, hf_ingest, limits
from bot.ingest.detect import is_hf_daily, parse_document
from bot.ingest.document import FeedProblem, ParsedFeed
from bot.ingest.fetch import Fetcher
from bot.summarize.offline import extract_all
from storage import feeds, papers, topics
from storage.db import Database
from storage.models import Paper, TopicMatch, UpsertCounts

log = logging.getLogger("bot.ingest")


class Matcher(Protocol):
    def match(self, paper: Paper) -> Sequence[TopicMatch]: ...


@dataclass(slots=True)
class IngestReport:
    """What a run did: papers new, updated and unchanged, and one error line per failed feed."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    problems: list[FeedProblem] = field(default_factory=list, repr=False)
    not_modified: int = 0

    def add(self, counts: UpsertCounts) -> None:
        self.new += counts.new
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def fail(self, problem: FeedProblem) -> None:
        self.problems.append(problem)
        self.errors.append(str(problem))

    def as_json(self) -> dict[str, object]:
        """The `ingest --json` object."""
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": list(self.errors),
        }


async def store(
    db: Database,
    feed: ParsedFeed,
    matcher: Matcher | None = None,
) -> UpsertCounts:
    """A parsed feed's papers stored; those new or changed get topics and an extract."""
    if feed.cuts:
        log.warning(
            "feed %s: cut to the caps or dates made unknown (implausible): %s",
            feed.source,
            limits.describe(feed.cuts),
        )
    topics_for = matcher.match if matcher is not None else None
    result = await papers.upsert(db, feed.papers, topics_for=topics_for, extract_all=extract_all)
    return result.counts


async def _fail(db: Database, problem: FeedProblem, report: IngestReport, url: str | None) -> None:
    log.warning("feed not ingested: %s", problem)
    report.fail(problem)
    if url is not None:
        await feeds.record(db, url, status="error", error=str(problem))


@asynccontextmanager
async def _fetcher_for(fetcher: Fetcher | None) -> AsyncIterator[Fetcher]:
    if fetcher is not None:
        yield fetcher
        return
    async with Fetcher() as own:
        yield own


async def _ingest_url(
    db: Database,
    url: str,
    fetcher: Fetcher,
    matcher: Matcher | None,
    report: IngestReport,
    *,
    conditional: bool = True,
) -> ParsedFeed | None:
    """One URL fetched, parsed and stored; the parsed feed, or None when nothing was stored."""
    state = await feeds.get(db, url) if conditional else None
    try:
        fetched = await fetcher.get(
            url,
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
        )
        if fetched.not_modified:
            report.not_modified += 1
            await feeds.record(db, url, status="not-modified")
            return None
        feed = await asyncio.to_thread(parse_document, fetched.body, url, fetched.status)
        counts = await store(db, feed, matcher)
    except FeedProblem as problem:
        await _fail(db, problem, report, url)
        return None
    report.add(counts)
    await feeds.record(
        db,
        url,
        status="ok",
        counts=counts,
        etag=fetched.etag if conditional else None,
        last_modified=fetched.last_modified if conditional else None,
    )
    return feed


async def _ingest_data(
    db: Database, data: bytes, source: str, matcher: Matcher | None, report: IngestReport
) -> None:
    if is_hf_daily(data):
        await hf_ingest.store_document(db, data, source, report, matcher)
        return
    try:
        feed = await asyncio.to_thread(parse_document, data, source)
        counts = await store(db, feed, matcher)
    except FeedProblem as problem:
        await _fail(db, problem, report, None)
        return
    report.add(counts)


async def _ingest_path(
    db: Database, path: Path, matcher: Matcher | None, report: IngestReport
) -> None:
    try:
        data = await asyncio.to_thread(limits.read_capped, path, limits.FEED_BYTES)
    except limits.TooLarge as exc:
        await _fail(db, FeedProblem("too-large", str(path), str(exc)), report, None)
        return
    except OSError as exc:
        problem = FeedProblem("unreadable", str(path), exc.strerror or str(exc))
        await _fail(db, problem, report, None)
        return
    await _ingest_data(db, data, str(path), matcher, report)


async def ingest_url(
    db: Database, url: str, *, fetcher: Fetcher | None = None, matcher: Matcher | None = None
) -> IngestReport:
    """A feed URL (RSS or API) fetched with a conditional GET and stored."""
    report = IngestReport()
    async with _fetcher_for(fetcher) as active:
        await _ingest_url(db, url, active, matcher, report)
    return report


async def ingest_bytes(
    db: Database, data: bytes, source: str, *, matcher: Matcher | None = None
) -> IngestReport:
    """A document already in memory (read from standard input, say); `source` names it."""
    report = IngestReport()
    await _ingest_data(db, data, source, matcher, report)
    return report


async def ingest_file(
    db: Database, path: str | Path, *, matcher: Matcher | None = None
) -> IngestReport:
    """A saved RSS feed, API Atom answer, JSON-wrapped API answer or Daily Papers list, stored."""
    report = IngestReport()
    await _ingest_path(db, Path(path), matcher, report)
    return report


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


async def ingest_many(
    db: Database,
    sources: Iterable[str | Path],
    *,
    fetcher: Fetcher | None = None,
    matcher: Matcher | None = None,
) -> IngestReport:
    """Feed URLs and saved files in turn; a failing one is reported and the rest go on."""
    report = IngestReport()
    async with _fetcher_for(fetcher) as active:
        for source in sources:
            if isinstance(source, str) and hf_daily.is_day_url(source):
                await hf_ingest.ingest_day_url(db, source, active, report, matcher)
            elif isinstance(source, str) and _is_url(source):
                await _ingest_url(db, source, active, matcher, report)
            else:
                await _ingest_path(db, Path(source), matcher, report)
    return report


async def fetch_api_search(
    db: Database,
    categories: Sequence[str],
    first_day: date,
    last_day: date,
    *,
    fetcher: Fetcher | None = None,
    matcher: Matcher | None = None,
    page_size: int = arxiv_api.PAGE_SIZE,
    max_results: int | None = None,
    base: str = arxiv_api.API_URL,
) -> IngestReport:
    """Papers submitted in these categories over these days, page by page from the API."""
    report = IngestReport()
    start = 0
    async with _fetcher_for(fetcher) as active:
        while max_results is None or start < max_results:
            size = page_size if max_results is None else min(page_size, max_results - start)
            url = arxiv_api.search_url(
                categories, first_day, last_day, start=start, max_results=size, base=base
            )
            page = await _ingest_url(db, url, active, matcher, report, conditional=False)
            if page is None:
                break  # later pages would shift under a failed one; the next run starts over
            start += size
            if start >= (page.total_results or 0):
                break
    return report


async def complete_metadata(
    db: Database,
    arxiv_ids: Sequence[str],
    *,
    fetcher: Fetcher | None = None,
    matcher: Matcher | None = None,
    batch: int = arxiv_api.ID_BATCH,
    base: str = arxiv_api.API_URL,
) -> IngestReport:
    """These papers' full metadata looked up by id, `batch` ids a request."""
    report = IngestReport()
    async with _fetcher_for(fetcher) as active:
        for url in arxiv_api.id_list_urls(list(arxiv_ids), batch=batch, base=base):
            await _ingest_url(db, url, active, matcher, report, conditional=False)
    return report


async def reassign_topics(db: Database, matcher: Matcher, *, batch: int = 1000) -> int:
    """Every stored paper matched again, after the topic rules changed; how many were seen."""
    seen = 0
    async for chunk in papers.batches(db, batch):
        matches = await asyncio.to_thread(lambda c=chunk: [matcher.match(p) for p in c])
        await topics.assign(db, [(p.id, m) for p, m in zip(chunk, matches, strict=True)])
        seen += len(chunk)
    return seen
