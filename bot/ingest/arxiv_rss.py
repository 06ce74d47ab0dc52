"""arXiv's RSS 2.0 daily feeds (format since 2024): bytes in, papers out, nothing fetched.

An item carries the versioned id in its guid (`oai:arXiv.org:2411.17700v1`), the announce
type (new, cross, replace, replace-cross), the abstract after `Abstract:` in its
description, the authors comma-separated in `dc:creator`, one `category` per category and
the announcement date as `pubDate`.
"""

from __future__ import annotations

from collections import Counter

import feedparser

from bot.ingest import limits, normalize
from bot.ingest.document import FeedProblem, ParsedFeed, read
from storage.models import Paper

ERROR_TITLE = "Feed error for query"
_ABSTRACT_MARK = "Abstract:"


def parse(data: bytes, source: str) -> ParsedFeed:
    """The papers of an RSS document; FeedProblem for arXiv's error channel or no items."""
    return from_parsed(read(data, source), source)


def from_parsed(parsed: feedparser.FeedParserDict, source: str) -> ParsedFeed:
    """The papers of a document feedparser has read already."""
    channel = parsed.feed
    title = channel.get("title", "")
    if title.startswith(ERROR_TITLE):
        cause = normalize.clean_text(channel.get("description")) or title
        raise FeedProblem("feed-error", source, f"arXiv answered with a feed error: {cause}")
    if not parsed.entries:
        raise FeedProblem("empty", source, "no items in the feed")
    cuts: Counter[str] = Counter()
    found = (paper_from(entry) for entry in parsed.entries)
    papers = [limits.bound(paper, cuts) for paper in found if paper is not None]
    if not papers:
        raise FeedProblem("not-arxiv", source, "no item names an arXiv paper")
    return ParsedFeed(source, "rss", tuple(papers), cuts=cuts)


def abstract_of(description: str | None) -> str:
    """The abstract part of an item's description (`arXiv:… Announce Type: new Abstract: …`)."""
    if not description:
        return ""
    head, mark, rest = description.partition(_ABSTRACT_MARK)
    return normalize.clean_text(rest if mark else head)


def paper_from(entry: feedparser.FeedParserDict) -> Paper | None:
    """One item as a Paper; None when it names no arXiv paper."""
    ref = normalize.arxiv_ref(entry.get("id"), entry.get("link"))
    if ref is None:
        return None
    return Paper(
        arxiv_id=ref.arxiv_id,
        version=ref.version or 1,
        title=normalize.clean_text(entry.get("title")),
        authors=normalize.split_authors(entry.get("author")),
        abstract=abstract_of(entry.get("summary")),
        categories=normalize.categories(None, (tag.get("term") for tag in entry.get("tags", ()))),
        announced=normalize.utc(entry.get("published_parsed")),
        announce_type=entry.get("arxiv_announce_type") or None,
    )
