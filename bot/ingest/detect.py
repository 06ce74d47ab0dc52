"""Any arXiv document — RSS, API Atom, or a saved JSON API answer — told apart by its content,
and a Hugging Face Daily Papers answer told from them."""

from __future__ import annotations

from bot.ingest import arxiv_api, arxiv_rss
from bot.ingest.document import FeedProblem, ParsedFeed, looks_recorded, read, unwrap_recorded
from bot.ingest.hf_daily import looks_like_daily_list


def is_hf_daily(data: bytes) -> bool:
    """True for a Hugging Face `daily_papers` answer (a JSON array), which is not a feed."""
    return looks_like_daily_list(data)


def parse_document(data: bytes, source: str, status: int = 200) -> ParsedFeed:
    """The papers of a document read once by feedparser, whichever format it is in.

    `status` is the HTTP status it came with: an answer of 400 or more is a problem even
    when its body reads as a feed, and the API's own error message names the cause best.
    """
    if looks_recorded(data):
        recorded = unwrap_recorded(data, source)
        data, status = recorded.body, recorded.status_code
    try:
        parsed = read(data, source)
        if parsed.version.startswith("atom"):
            feed = arxiv_api.from_parsed(parsed, source)
        else:
            feed = arxiv_rss.from_parsed(parsed, source)
    except FeedProblem as problem:
        if status < 400 or problem.kind == "api-error":
            raise
        feed = None
    if status >= 400:
        raise FeedProblem("http", source, f"HTTP {status} from arXiv")
    return feed
