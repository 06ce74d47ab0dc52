"""arXiv's export API (Atom): query URLs, and answers read into papers, nothing fetched.

Both the 2016 format (namespaces declared on each element, indented multi-line summaries)
and the 2026 one read the same through feedparser. An error comes back as a feed with one
entry titled `Error` whose summary says what was wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from urllib.parse import quote, urlencode

import feedparser

from bot.ingest import limits, normalize
from bot.ingest.document import FeedProblem, ParsedFeed, read
from storage.models import Paper

API_URL = "https://export.arxiv.org/api/query"
PAGE_SIZE = 100
ID_BATCH = 100


def _query_url(base: str, params: dict[str, str | int]) -> str:
    return base + "?" + urlencode(params, quote_via=quote, safe=":/,")


def search_url(
    categories: Sequence[str],
    first_day: date,
    last_day: date,
    *,
    start: int = 0,
    max_results: int = PAGE_SIZE,
    base: str = API_URL,
) -> str:
    """One page of the papers submitted in these categories from first_day to last_day."""
    if not categories:
        raise ValueError("a search needs at least one category")
    cats = " OR ".join(f"cat:{category}" for category in categories)
    if len(categories) > 1:
        cats = f"({cats})"
    window = f"submittedDate:[{first_day:%Y%m%d}0000 TO {last_day:%Y%m%d}2359]"
    query = f"{cats} AND {window}"
    return _query_url(
        base,
        {
            "search_query": query,
            "sortBy": "submittedDate",
            "sortOrder": "ascending",
            "start": start,
            "max_results": max_results,
        },
    )


def id_list_urls(
    arxiv_ids: Sequence[str], *, batch: int = ID_BATCH, base: str = API_URL
) -> list[str]:
    """Look-ups of these papers, `batch` ids a request."""
    urls = []
    for offset in range(0, len(arxiv_ids), batch):
        chunk = arxiv_ids[offset : offset + batch]
        urls.append(_query_url(base, {"id_list": ",".join(chunk), "max_results": len(chunk)}))
    return urls


def parse(data: bytes, source: str) -> ParsedFeed:
    """The papers of an API answer; FeedProblem for the API's error entry."""
    return from_parsed(read(data, source), source)


def _count(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def from_parsed(parsed: feedparser.FeedParserDict, source: str) -> ParsedFeed:
    """The papers of an answer feedparser has read already."""
    for entry in parsed.entries:
        if entry.get("title") == "Error" and "/api/errors" in entry.get("id", ""):
            cause = normalize.clean_text(entry.get("summary")) or entry.get("id")
            raise FeedProblem("api-error", source, f"the arXiv API refused the query: {cause}")
    cuts: Counter[str] = Counter()
    found = (paper_from(entry) for entry in parsed.entries)
    papers = [limits.bound(paper, cuts) for paper in found if paper is not None]
    total = _count(parsed.feed.get("opensearch_totalresults"))
    start = _count(parsed.feed.get("opensearch_startindex")) or 0
    if not papers:
        if parsed.entries:
            raise FeedProblem("not-arxiv", source, "no entry names an arXiv paper")
        raise FeedProblem("empty", source, "no items: the API found no matching paper")
    return ParsedFeed(
        source, "api", tuple(papers), total_results=total, start_index=start, cuts=cuts
    )


def paper_from(entry: feedparser.FeedParserDict) -> Paper | None:
    """One Atom entry as a Paper; None when it names no arXiv paper."""
    ref = normalize.arxiv_ref(entry.get("id"), entry.get("link"))
    if ref is None:
        return None
    primary = (entry.get("arxiv_primary_category") or {}).get("term")
    listed = (tag.get("term") for tag in entry.get("tags", ()))
    return Paper(
        arxiv_id=ref.arxiv_id,
        version=ref.version or 1,
        title=normalize.clean_text(entry.get("title")),
        authors=normalize.clean_names(author.get("name") for author in entry.get("authors", ())),
        abstract=normalize.clean_text(entry.get("summary")),
        categories=normalize.categories(primary, listed),
        submitted=normalize.utc(entry.get("published_parsed")),
        updated=normalize.utc(entry.get("updated_parsed")),
        doi=normalize.clean_text(entry.get("arxiv_doi")) or None,
        journal_ref=normalize.clean_text(entry.get("arxiv_journal_ref")) or None,
        comment=normalize.clean_text(entry.get("arxiv_comment")) or None,
    )
