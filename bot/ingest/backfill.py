"""The backfill: past days read from the arXiv API (a submitted-date query per category, paged,
sorted by submission so that offsets stay put while new papers arrive) and from Hugging Face
Daily Papers, so that a fresh deployment has a digest worth reading on its first day.

Progress is stored per category and window of days after every page, once the page itself is
stored: a backfill stopped (SIGTERM, a kill, a lost network) resumes at the page it was on,
and no page is fetched again but the one that was in flight. A paper listed under several
categories is stored once; its later sightings count as unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlsplit

from bot.config import Settings
from bot.digest.periods import LENGTH, period_of
from bot.ingest import arxiv_api, hf_daily, hf_ingest
from bot.ingest.announce import with_announcement
from bot.ingest.detect import parse_document
from bot.ingest.document import FeedProblem, ParsedFeed
from bot.ingest.fetch import Fetcher
from bot.ingest.service import IngestReport, Matcher, store
from storage import backfill as progress
from storage import hf_signals, papers
from storage.db import Database

log = logging.getLogger("bot.ingest.backfill")

PAGE_SIZE = 200  # arXiv answers 200 entries in a few seconds; 2000 often times out
PAGE_TRIES = 3  # a truncated page, or one arXiv answers empty too early, is asked again
ARXIV_BEGINS = date(1991, 8, 14)  # the first paper (hep-th/9108001)
LONGEST = timedelta(days=366)  # an operator's range at most: longer ones go a year at a time
# Failures of reaching arXiv rather than of one answer: the next windows would fail alike.
_UNREACHABLE = frozenset({"timeout", "network", "http", "bad-url"})
# A cut-off answer, or an empty page before the count arXiv gave (arXiv sends such pages now
# and then), is worth asking for again.
_ASK_AGAIN = frozenset({"empty", "malformed"})
_CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")


def categories_of(sources: Iterable[str]) -> list[str]:
    """The arXiv categories the configured RSS feeds name (`…/rss/cs.CL+cs.LG`), in order."""
    found: list[str] = []
    for source in sources:
        path = urlsplit(source).path if "://" in source else ""
        head, _, tail = path.rstrip("/").rpartition("/")
        if not head.endswith("/rss"):
            continue
        for category in tail.split("+"):
            if _CATEGORY.match(category) and category not in found:
                found.append(category)
    return found


def first_day_ranges(today: date, epoch: date) -> list[tuple[date, date]]:
    """The previous fortnight and the current one (its days to come match nothing yet)."""
    current = period_of(today, epoch)
    previous = current.previous()
    return [(previous.start, previous.end), (current.start, current.end)]


def windows_of(first: date, last: date) -> list[tuple[date, date]]:
    """An operator's range cut into fortnights at most: each query stays well under arXiv's
    limit of results per query, and progress is kept per piece."""
    pieces = []
    while first <= last:
        end = min(last, first + LENGTH - timedelta(days=1))
        pieces.append((first, end))
        first = end + timedelta(days=1)
    return pieces


@dataclass(slots=True)
class Backfill:
    """One run over planned windows, with its fetcher and the report it fills."""

    db: Database
    fetcher: Fetcher
    matcher: Matcher | None
    report: IngestReport
    base: str = arxiv_api.API_URL
    page_size: int = PAGE_SIZE

    async def run(self, windows: Sequence[progress.Window]) -> None:
        """Every window not done, in turn; stops when arXiv cannot be reached."""
        todo = [w for w in windows if not w.done]
        log.info("backfill: %d of %d category windows to read", len(todo), len(windows))
        for number, window in enumerate(todo, 1):
            try:
                problem = await self.read_window(window, windows_after=len(todo) - number)
            except asyncio.CancelledError:
                log.info("backfill stopped during %s; the next start resumes it", _name(window))
                raise
            if problem is not None and problem.kind in _UNREACHABLE:
                log.warning("backfill paused: arXiv cannot be reached; the next start resumes it")
                return

    async def read_window(self, window: progress.Window, windows_after: int) -> FeedProblem | None:
        """A window's pages from where it stopped; the problem that stopped it, if one did."""
        while True:
            try:
                page = await self._page(window)
            except FeedProblem as problem:
                log.warning("backfill of %s stopped: %s", _name(window), problem)
                self.report.fail(problem)
                return problem
            if page is None:
                await progress.finish(self.db, window)
                log.info("backfill %s: done, %d papers", _name(window), window.papers)
                return None
            page = replace(page, papers=tuple(map(with_announcement, page.papers)))
            self.report.add(await store(self.db, page, self.matcher))
            read = len(page.papers)
            window = await progress.advance(
                self.db, window, window.next_start + read, page.total_results, read
            )
            self._log_page(window, windows_after)
            if window.remaining == 0:
                await progress.finish(self.db, window)
                return None

    def _log_page(self, window: progress.Window, windows_after: int) -> None:
        remaining = window.remaining or 0
        log.info(
            "backfill %s: %d papers so far (%d in this run), %d pages left, %d windows after it",
            _name(window),
            window.papers,
            self.report.new + self.report.updated + self.report.unchanged,
            -(-remaining // self.page_size),
            windows_after,
        )

    async def _page(self, window: progress.Window) -> ParsedFeed | None:
        """The next page of a window; None when the window has no more."""
        url = arxiv_api.search_url(
            [window.category],
            window.first_day,
            window.last_day,
            start=window.next_start,
            max_results=self.page_size,
            base=self.base,
        )
        for _ in range(PAGE_TRIES - 1):
            try:
                return await self._fetch_page(url, window)
            except FeedProblem as problem:
                if problem.kind not in _ASK_AGAIN:
                    raise
                log.info("%s: %s; asking again", url, problem.message)
        return await self._fetch_page(url, window)  # a window left unfinished: the next start

    async def _fetch_page(self, url: str, window: progress.Window) -> ParsedFeed | None:
        fetched = await self.fetcher.get(url)
        try:
            return await asyncio.to_thread(parse_document, fetched.body, url, fetched.status)
        except FeedProblem as problem:
            if problem.kind == "empty" and not window.remaining:
                return None  # past the last match: the window is read
            raise


def _name(window: progress.Window) -> str:
    return f"{window.category} {window.first_day}..{window.last_day}"


async def hf_days(
    db: Database,
    base: str,
    ranges: Sequence[tuple[date, date]],
    today: date,
    report: IngestReport,
    matcher: Matcher | None = None,
) -> None:
    """The Daily Papers lists of the ranges' weekdays up to today not read yet."""
    days = sorted(
        {
            first + timedelta(days=n)
            for first, last in ranges
            for n in range((min(last, today) - first).days + 1)
        }
    )
    read = await hf_signals.days_read(db, days[0]) if days else set()
    async with Fetcher(min_interval=hf_ingest.HF_INTERVAL) as fetcher:
        for day in days:
            if day.weekday() >= 5 or day in read:
                continue
            url = hf_daily.day_url(base, day)
            problem = await hf_ingest.ingest_day_url(db, url, fetcher, report, matcher)
            if problem is not None and problem.kind in _UNREACHABLE:
                return


async def _run(
    db: Database,
    windows: Sequence[progress.Window],
    settings: Settings,
    today: date,
    matcher: Matcher | None,
    page_size: int,
) -> IngestReport:
    report = IngestReport()
    async with Fetcher(min_interval=settings.arxiv_interval) as fetcher:
        run = Backfill(db, fetcher, matcher, report, settings.arxiv_api_url, page_size)
        await run.run(windows)
    if settings.hf_daily:
        ranges = sorted({(w.first_day, w.last_day) for w in windows})
        await hf_days(db, settings.hf_api_url, ranges, today, report, matcher)
    log.info(
        "backfill: %d new, %d updated, %d seen again, %d errors",
        report.new,
        report.updated,
        report.unchanged,
        len(report.errors),
    )
    return report


async def backfill_range(
    db: Database,
    settings: Settings,
    first: date,
    last: date,
    *,
    today: date,
    matcher: Matcher | None = None,
    page_size: int = PAGE_SIZE,
) -> IngestReport:
    """The configured categories over these days, from where an earlier run of the same
    range stopped, then (when configured) the Daily Papers lists of those days."""
    categories = categories_of(settings.sources)
    windows = await progress.plan(db, categories, windows_of(first, last))
    return await _run(db, windows, settings, today, matcher, page_size)


async def backfill_due(db: Database) -> bool:
    """True on an empty database, and while an earlier backfill is unfinished."""
    return await papers.count(db) == 0 or bool(await progress.unfinished(db))


async def backfill_at_start(
    db: Database,
    settings: Settings,
    today: date,
    *,
    matcher: Matcher | None = None,
    page_size: int = PAGE_SIZE,
) -> IngestReport:
    """An earlier backfill's unfinished windows; on a fresh database, the previous and the
    current fortnight of the configured categories."""
    windows = await progress.unfinished_windows(db)
    if not windows:
        ranges = first_day_ranges(today, settings.epoch)
        windows = await progress.plan(db, categories_of(settings.sources), ranges)
    return await _run(db, windows, settings, today, matcher, page_size)
