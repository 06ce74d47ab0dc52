"""Importing an editor's curated article: its papers, `editor` summaries, topics and picks
for a fortnight, then the papers' metadata completed from the arXiv API.

Storing the article needs nothing outside the database, so it is quick and done first;
completing the metadata asks arXiv (3 seconds between requests) and can run afterwards.
Importing the same article again changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bot.digest.periods import Period, period_of
from bot.ingest import article as article_parser
from bot.ingest import article_period, limits, service
from bot.ingest.article import Article, Skipped
from bot.ingest.fetch import Fetcher
from bot.runtime import Runtime
from bot.topics import config as topic_config
from storage import editor_picks, papers
from storage.models import Paper, PickedItem, Summary

log = logging.getLogger("bot.ingest")

MAX_BYTES = limits.ARTICLE_BYTES  # a digest article is tens of kilobytes; more is not one


class ArticleError(Exception):
    """The file cannot be read as an article (binary, too large); the message says why."""


@dataclass(frozen=True, slots=True)
class SectionReport:
    heading: str
    topic: str | None  # the slug the heading names; None: topics from the rules
    items: int


@dataclass(frozen=True, slots=True)
class Placement:
    """Why the article went under its fortnight, for the report."""

    reason: str  # given | kept | papers | article | ids | arxiv | now
    words: str = ""  # what the article said ("2024年6月后2周"), or one of its arXiv ids


@dataclass(slots=True)
class ImportReport:
    """What an import did, for the operator and for `import --json`."""

    language: str
    period: Period
    period_given: bool
    period_kept: bool = False  # the article was imported before: its fortnight stays
    placement: Placement = field(default_factory=lambda: Placement("now"))
    sections: list[SectionReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    papers_new: int = 0
    papers_updated: int = 0
    problems: list[str] = field(default_factory=list)  # why metadata could not be completed
    waiting: list[str] = field(default_factory=list)  # ids arXiv has not described yet
    paper_ids: list[int] = field(default_factory=list, repr=False)
    new_ids: set[int] = field(default_factory=set, repr=False)

    @property
    def items(self) -> int:
        return sum(section.items for section in self.sections)

    def as_json(self) -> dict[str, object]:
        """The `import --json` object."""
        return {
            "sections": [
                {"heading": s.heading, "topic": s.topic, "items": s.items} for s in self.sections
            ],
            "papers_new": self.papers_new,
            "papers_updated": self.papers_updated,
            "skipped": [{"line": s.line, "reason": s.reason} for s in self.skipped],
        }


def read(path: str) -> str:
    """The article in a file, read no further than an article can be; OSError as opening."""
    try:
        data = limits.read_capped(path, MAX_BYTES)
    except limits.TooLarge:
        message = f"the file has more than {MAX_BYTES} bytes, the most an article has"
        raise ArticleError(message) from None
    return decode(data)


def decode(data: bytes) -> str:
    """An article's text: UTF-8 (with or without BOM), else GB 18030 as Chinese editors save."""
    if len(data) > MAX_BYTES:
        raise ArticleError(f"the file has {len(data)} bytes; an article has at most {MAX_BYTES}")
    if b"\x00" in data:
        raise ArticleError("the file is not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ArticleError("the file is neither UTF-8 nor GB 18030 text") from None


async def import_article(
    rt: Runtime,
    text: str,
    *,
    lang: str | None = None,
    period_day: date | None = None,
    offline: bool = False,
) -> ImportReport:
    """Parse and store an article, then complete its papers from arXiv unless offline."""
    article = await asyncio.to_thread(article_parser.parse, text, lang=lang)
    report = await store_article(rt, article, period_day=period_day)
    if not offline:
        await complete_metadata(rt, report)
    return report


async def store_article(
    rt: Runtime, article: Article, *, period_day: date | None = None, now: datetime | None = None
) -> ImportReport:
    """The article's papers, summaries, topics and picks stored; no network."""
    items = [(section, item) for section in article.sections for item in section.items]
    arxiv_ids = [item.arxiv_id for _, item in items]
    known = await papers.get_many(rt.db, arxiv_ids)
    cuts: Counter[str] = Counter()
    incoming = [limits.bound(Paper(item.arxiv_id, 0, item.title), cuts) for _, item in items]
    result = await papers.upsert(rt.db, incoming, topics_for=rt.matcher.match)
    stored = await papers.get_many(rt.db, arxiv_ids)
    paper_ids = [stored[arxiv_id].id for arxiv_id in arxiv_ids]
    earlier = await editor_picks.period_of_most(rt.db, paper_ids)
    period, placement = _place(
        list(stored.values()), period_day, article, rt.settings.epoch, now or datetime.now(UTC)
    )
    report = ImportReport(
        article.language,
        period,
        period_given=period_day is not None,
        placement=placement,
        skipped=list(article.skipped),
    )
    if earlier is not None and not report.period_given:
        # Imported before: its picks stay in the fortnight chosen then, whatever is known now.
        report.period, report.period_kept = period_of(earlier, rt.settings.epoch), True
        report.placement = Placement("kept")
    moved = set()
    if earlier is not None and report.period_given and earlier != report.period.start:
        await editor_picks.move(rt.db, earlier, report.period.start, paper_ids)
        moved = set(paper_ids)
    slugs = [_topic_slug(rt, section.heading) for section in article.sections]
    report.sections = [
        SectionReport(section.heading, slug, len(section.items))
        for section, slug in zip(article.sections, slugs, strict=True)
    ]
    slug_of = {id(section): slug for section, slug in zip(article.sections, slugs, strict=True)}
    picked = [
        PickedItem(
            stored[item.arxiv_id].id,
            slug_of[id(section)],
            position,
            _editor_summary(article.language, item.summary, cuts) if item.summary else None,
        )
        for position, (section, item) in enumerate(items, start=1)
    ]
    if cuts:
        log.warning("article: cut to the caps: %s", limits.describe(cuts))
    changed = await editor_picks.record(rt.db, report.period.start, picked) | moved
    report.paper_ids = paper_ids
    report.new_ids = {stored[arxiv_id].id for arxiv_id in arxiv_ids if arxiv_id not in known}
    report.papers_new = len(report.new_ids)
    changed |= {paper.id for paper in result.changed}
    report.papers_updated = len(changed - report.new_ids)
    return report


def _editor_summary(lang: str, text: str, cuts: Counter[str]) -> Summary:
    if len(text) > limits.SUMMARY_CHARS:
        cuts["summary"] += 1
        text = limits.clip(text, limits.SUMMARY_CHARS)
    return Summary(lang, text, "editor")


def _topic_slug(rt: Runtime, heading: str) -> str | None:
    """The topic a heading names through its slug, names or aliases in either language."""
    topic = topic_config.resolve(rt.topics, heading) if heading else None
    return topic.slug if topic else None


def _place(
    found: list[Paper], given: date | None, article: Article, epoch: date, now: datetime
) -> tuple[Period, Placement]:
    """The fortnight asked for; else the one most papers are dated in (when most are dated);
    else the one the article names, if its arXiv numbers agree; else the numbers' own."""
    if given is not None:
        return period_of(given, epoch), Placement("given")
    dated = _by_dates(found, epoch, most=True)
    if dated is not None:
        return dated, Placement("papers")
    ids = article_period.from_ids(paper.arxiv_id for paper in found)
    stated = article.stated
    if stated is not None and article_period.agrees(stated, ids):
        return period_of(stated.day, epoch), Placement("article", stated.words)
    if ids is not None:
        return period_of(ids.day, epoch), Placement("ids", ids.words)
    return period_of(now, epoch), Placement("now")


def _by_dates(found: list[Paper], epoch: date, *, most: bool = False) -> Period | None:
    """The fortnight most dated papers were announced in (with `most`: only when most are)."""
    # The API tells when a paper was submitted, not announced: close enough to place it.
    days = [paper.announced or paper.submitted for paper in found]
    counts = Counter(period_of(day, epoch) for day in days if day is not None)
    if not counts or (most and counts.total() * 2 <= len(found)):
        return None
    return max(counts, key=lambda period: (counts[period], period.start))


async def complete_metadata(
    rt: Runtime, report: ImportReport, *, fetcher: Fetcher | None = None
) -> None:
    """Ask arXiv for the papers known only from the article; place the picks by their dates."""
    stored = await papers.get_by_rowids(rt.db, report.paper_ids)
    pending = [paper.arxiv_id for paper in stored.values() if paper.version == 0]
    if pending:
        found = await service.complete_metadata(
            rt.db, pending, fetcher=fetcher, matcher=rt.matcher, base=rt.settings.arxiv_api_url
        )
        # arXiv answers unknown ids with an empty feed: they wait, that is not a failure.
        report.problems += [str(p) for p in found.problems if p.kind != "empty"]
        stored = await papers.get_by_rowids(rt.db, report.paper_ids)
        completed = {p.id for p in stored.values() if p.arxiv_id in pending and p.version > 0}
        report.papers_updated += len(completed - report.new_ids)
        report.waiting = sorted(p.arxiv_id for p in stored.values() if p.version == 0)
    if report.placement.reason not in ("papers", "ids", "now"):
        return  # asked for, kept from before, or named by the article: the dates do not move it
    placed = _by_dates(list(stored.values()), rt.settings.epoch)
    if placed is None:
        return
    if placed != report.period:
        await editor_picks.move(rt.db, report.period.start, placed.start, report.paper_ids)
        report.period = placed
    if report.placement.reason != "papers":
        report.placement = Placement("arxiv")
