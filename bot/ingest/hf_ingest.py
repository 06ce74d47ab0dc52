"""Hugging Face Daily Papers ingested: days fetched with the arXiv fetcher's discipline, each
answer stored whole in one transaction — papers arXiv has not given us, and every listed
paper's upvotes and comments for that day.

A paper already known from arXiv keeps arXiv's metadata; the list only adds its signal. A
day without a list (a weekend, a holiday) answers 404, which is a read, not a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.ingest import hf_daily
from bot.ingest.document import FeedProblem
from bot.ingest.fetch import Fetcher
from bot.summarize.offline import extract_all
from storage import feeds, hf_signals, papers
from storage.db import Database
from storage.hf_signals import DaySignal
from storage.models import UpsertCounts

if TYPE_CHECKING:
    from bot.ingest.service import IngestReport, Matcher

log = logging.getLogger("bot.ingest")

CATCH_UP = timedelta(days=14)  # the furthest back a run reaches for days it missed
# Problems of reaching the server rather than of one day's answer.
_UNREACHABLE = frozenset({"timeout", "network", "http", "bad-url"})
HF_INTERVAL = 1.0  # seconds between requests: a few a day, no need for arXiv's three


def days_to_read(today: date, read: Collection[date], catch_up: timedelta = CATCH_UP) -> list[date]:
    """The weekdays of the last `catch_up` whose list was not read yet, a failed read's
    included, and always yesterday and today, whose lists still grow."""
    first = today - catch_up
    days = (first + timedelta(days=n) for n in range(catch_up.days + 1))
    growing = today - timedelta(days=1)
    return [day for day in days if day.weekday() < 5 and (day not in read or day >= growing)]


async def store_list(
    db: Database, daily: hf_daily.DailyList, matcher: Matcher | None = None
) -> UpsertCounts:
    """One answer's papers and signals stored in one transaction."""
    by_id = {entry.paper.arxiv_id: entry.paper for entry in daily.entries}
    async with db.transaction() as conn:
        known = await papers.get_many(db, list(by_id))
        # Only papers arXiv has not described: a stored version 0 (an editor's mention, an
        # earlier list) may still take the list's abstract and authors.
        fresh = [p for i, p in by_id.items() if i not in known or known[i].version == 0]
        topics_for = matcher.match if matcher is not None else None
        result = await papers.upsert(db, fresh, topics_for=topics_for, extract_all=extract_all)
        ids = {i: p.id for i, p in (await papers.get_many(db, list(by_id))).items()}
        for day in daily.days:
            signals = [
                DaySignal(ids[e.paper.arxiv_id], e.upvotes, e.comments)
                for e in daily.entries
                if e.day == day
            ]
            await hf_signals.record_within(conn, day, signals)
    return result.counts + UpsertCounts(unchanged=len(by_id) - len(fresh))


async def store_document(
    db: Database,
    data: bytes,
    source: str,
    report: IngestReport,
    matcher: Matcher | None = None,
    day: date | None = None,
) -> None:
    """A saved answer read and stored; its day comes from `day`, the file name or the entries."""
    try:
        daily = hf_daily.parse_daily(data, source, day or hf_daily.day_of_name(source))
        counts = await store_list(db, daily, matcher)
    except FeedProblem as problem:
        log.warning("Hugging Face list not ingested: %s", problem)
        report.fail(problem)
        return
    _note_stored(daily, counts)
    report.add(counts)


async def ingest_day_url(
    db: Database,
    url: str,
    fetcher: Fetcher,
    report: IngestReport,
    matcher: Matcher | None = None,
) -> FeedProblem | None:
    """One day's list fetched with a conditional GET and stored; what went wrong, if anything."""
    day = hf_daily.day_of_url(url)
    state = await feeds.get(db, url)
    try:
        fetched = await fetcher.get(url, etag=state.etag, last_modified=state.last_modified)
        if fetched.not_modified:
            report.not_modified += 1
            await feeds.record(db, url, status="not-modified")
            return None
        if fetched.status == 404 and day is not None:
            await hf_signals.record(db, day, [])  # no list that day: read, nothing on it
            await feeds.record(db, url, status="ok")
            return None
        if fetched.status >= 400:
            raise FeedProblem("http", url, f"HTTP {fetched.status} from Hugging Face")
        daily = hf_daily.parse_daily(fetched.body, url, day)
        counts = await store_list(db, daily, matcher)
    except FeedProblem as problem:
        log.warning("Hugging Face list not ingested: %s", problem)
        report.fail(problem)
        await feeds.record(db, url, status="error", error=str(problem))
        return problem
    _note_stored(daily, counts)
    report.add(counts)
    await feeds.record(
        db,
        url,
        status="ok",
        counts=counts,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
    )
    return None


async def ingest_recent(
    db: Database,
    base: str,
    today: date,
    report: IngestReport,
    *,
    matcher: Matcher | None = None,
    fetcher: Fetcher | None = None,
) -> None:
    """The lists of the days not read yet, and of yesterday and today. A day that cannot be
    fetched ends the run: the days after it would fail alike, and the next run reads them."""
    days = days_to_read(today, await hf_signals.days_read(db, today - CATCH_UP))
    own = fetcher is None
    active = fetcher or Fetcher(min_interval=HF_INTERVAL)
    try:
        for day in days:
            url = hf_daily.day_url(base, day)
            problem = await ingest_day_url(db, url, active, report, matcher)
            if problem is not None and problem.kind in _UNREACHABLE:
                break
    finally:
        if own:
            await active.aclose()


def _note_stored(daily: hf_daily.DailyList, counts: UpsertCounts) -> None:
    """One progress line per list, and one warning when entries had to be skipped."""
    log.info("%s: %d papers listed, %d of them new", daily.source, len(daily.entries), counts.new)
    if len(daily.entries) + daily.skipped >= hf_daily.DAY_LIMIT:
        log.warning(
            "%s: a full page; papers past the first %d are not read",
            daily.source,
            hf_daily.DAY_LIMIT,
        )
    if daily.skipped:
        log.warning(
            "%s: %d of %d entries skipped as malformed",
            daily.source,
            daily.skipped,
            daily.skipped + len(daily.entries),
        )
