"""Hugging Face Daily Papers answers (`GET {base}/daily_papers?date=YYYY-MM-DD`), read: pure.

An answer is a JSON array of entries, each with the paper (arXiv id, title, abstract,
authors, dates, upvotes) and the entry's own comment count and listing time. Entries are
checked one by one: a malformed entry is skipped and counted, never a reason to drop the
day; a body that is not a JSON array of entries is a FeedProblem and stores nothing.
Fields the site adds later are ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import PurePath
from urllib.parse import parse_qs, urlsplit

from bot import arxiv_ids
from bot.ingest.document import FeedProblem
from bot.ingest.normalize import clean_names, clean_text
from storage.models import Paper

DEFAULT_API = "https://huggingface.co/api"
MAX_BODY = 16 * 1024 * 1024  # the largest real day is ~160 KB; anything near this is not a list
MAX_ENTRIES = 2000
MAX_TITLE = 1000
MAX_ABSTRACT = 20_000
MAX_AUTHORS = 3000
MAX_COUNT = 10_000_000  # upvotes or comments beyond this are not a real count
DAY_LIMIT = 100  # papers asked for a day: the endpoint's largest page (its default is 50)

_START = re.compile(rb"^\s*\[\s*(?:\]|\{)")
_DAY_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True, slots=True)
class Listed:
    """One paper on one day's list, with its counts at the time of reading."""

    paper: Paper  # version 0: HF does not say which version it lists
    day: date
    upvotes: int
    comments: int


@dataclass(frozen=True, slots=True)
class DailyList:
    """What one answer holds: its papers in order, and how many entries were skipped."""

    source: str
    entries: tuple[Listed, ...]
    skipped: int = 0
    day: date | None = None  # the list's day, when the URL or the file name gives it

    @property
    def days(self) -> list[date]:
        """The days this answer reads, an empty list's included."""
        return sorted({entry.day for entry in self.entries} | ({self.day} if self.day else set()))


def day_url(base: str, day: date) -> str:
    """The endpoint's URL for one day's whole list."""
    return f"{base.rstrip('/')}/daily_papers?date={day.isoformat()}&limit={DAY_LIMIT}"


def is_day_url(url: str) -> bool:
    """True for a URL of the daily_papers endpoint."""
    return urlsplit(url).path.rstrip("/").endswith("/daily_papers")


def day_of_url(url: str) -> date | None:
    """The `date` a daily_papers URL asks for."""
    value = parse_qs(urlsplit(url).query).get("date", [""])[0]
    return _date(value)


def day_of_name(source: str) -> date | None:
    """The day a saved answer's file name carries (`2024-06-03.json`)."""
    match = _DAY_NAME.search(PurePath(source).name)
    return _date(match[1]) if match else None


def looks_like_daily_list(data: bytes) -> bool:
    """True when a document reads as a daily_papers answer: a JSON array of objects, or []."""
    return bool(_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")))


def parse_daily(data: bytes, source: str, day: date | None = None) -> DailyList:
    """The papers of one answer. `day` is the list's day when known (from the URL or the
    file name); otherwise each entry's own listing time gives it."""
    if len(data) > MAX_BODY:
        raise FeedProblem("too-large", source, f"answer of {len(data)} bytes, over {MAX_BODY}")
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedProblem(
            "malformed", source, f"not complete JSON, nothing stored from it: {exc}"
        ) from exc
    if not isinstance(document, list):
        raise FeedProblem("not-a-feed", source, "JSON that is not a list of daily papers")
    if len(document) > MAX_ENTRIES:
        raise FeedProblem("too-large", source, f"{len(document)} entries, over {MAX_ENTRIES}")
    entries: dict[str, Listed] = {}
    skipped = 0
    for raw in document:
        listed = entry(raw, day)
        if listed is None:
            skipped += 1
            continue
        seen = entries.get(listed.paper.arxiv_id)
        if seen is None or listed.upvotes > seen.upvotes:
            entries[listed.paper.arxiv_id] = listed
    return DailyList(source, tuple(entries.values()), skipped, day)


def entry(raw: object, day: date | None) -> Listed | None:
    """One entry checked and read; None when it cannot be trusted."""
    if not isinstance(raw, dict) or not isinstance(raw.get("paper"), dict):
        return None
    paper = raw["paper"]
    given = paper.get("id")
    ref = arxiv_ids.parse(given) if isinstance(given, str) and len(given) <= 64 else None
    title = _text(paper.get("title") or raw.get("title"), MAX_TITLE)
    # An absent abstract or author list is empty; one of the wrong type is not to be trusted.
    abstract = _text(paper.get("summary") or "", MAX_ABSTRACT)
    authors = _authors(paper.get("authors") or [])
    upvotes = _count(paper.get("upvotes", 0))
    comments = _count(raw.get("numComments", 0))
    listed_at = _datetime(raw.get("publishedAt"))
    on = day or (listed_at.date() if listed_at else None)
    if None in (ref, title, abstract, authors, upvotes, comments, on) or not title:
        return None
    submitted = _datetime(paper.get("publishedAt"))
    return Listed(
        paper=Paper(
            arxiv_id=ref.arxiv_id,
            version=0,
            title=title,
            authors=authors,
            abstract=abstract,
            submitted=submitted,
            # The day it was listed stands for its announcement until arXiv's metadata arrives.
            announced=listed_at or datetime(on.year, on.month, on.day, tzinfo=UTC),
        ),
        day=on,
        upvotes=upvotes,
        comments=comments,
    )


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or len(value) > limit:
        return None
    return clean_text(value)


def _authors(value: object) -> tuple[str, ...] | None:
    """Names in order, hidden ones left out; None when the list is not one."""
    if not isinstance(value, list) or len(value) > MAX_AUTHORS:
        return None
    names = []
    for author in value:
        if not isinstance(author, dict):
            return None
        name = author.get("name")
        if author.get("hidden") is True or not isinstance(name, str) or len(name) > 300:
            continue
        names.append(name)
    return clean_names(names)


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        return None
    return value


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
