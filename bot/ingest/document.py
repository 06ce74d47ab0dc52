"""A feed document as feedparser reads it, and the ways a document can fail (FeedProblem).

`read` is the one place feedparser runs: a document that is not well-formed XML is
rejected whole, because feedparser's lenient fallback would hand back whatever part of a
truncated answer it could salvage.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Literal

import feedparser

from storage.models import Paper

# Abstracts are plain text: sanitising them as HTML would only cost time and eat `a <b> c`.
FEEDPARSER_OPTIONS = {"sanitize_html": False, "resolve_relative_uris": False}

_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
_HTML_TITLE = re.compile(rb"<title[^>]*>([^<]{1,200})</title>", re.I)
# feedparser flags these although the document itself is sound.
_BENIGN = (feedparser.CharacterEncodingOverride,)


class FeedProblem(Exception):
    """A feed that could not be ingested: a short machine kind and a message for operators.

    Kinds: feed-error, api-error, not-a-feed, malformed, empty, timeout, network, http,
    unreadable.
    """

    def __init__(self, kind: str, source: str, message: str) -> None:
        super().__init__(f"{source}: {message} [{kind}]")
        self.kind = kind
        self.source = source
        self.message = message


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The papers one document holds, in its order."""

    source: str
    format: Literal["rss", "api"]
    papers: tuple[Paper, ...]
    total_results: int | None = None  # API answers: matches over all pages
    start_index: int = 0


def read(data: bytes, source: str) -> feedparser.FeedParserDict:
    """The document parsed by feedparser; FeedProblem when it is not a sound RSS or Atom feed."""
    if _HTML_START.match(data[:2048]):
        title = _HTML_TITLE.search(data[:8192])
        seen = f" titled {title[1].decode('utf-8', 'replace').strip()!r}" if title else ""
        raise FeedProblem("not-a-feed", source, f"an HTML page{seen} came instead of a feed")
    # A stream, never bytes: feedparser would fetch or open a document that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data), **FEEDPARSER_OPTIONS)
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(error, _BENIGN):
        raise FeedProblem("malformed", source, f"malformed XML, nothing stored from it: {error}")
    if not parsed.get("version"):
        raise FeedProblem("not-a-feed", source, "not an RSS or Atom feed")
    return parsed


@dataclass(frozen=True, slots=True)
class Recorded:
    """An API answer saved as JSON `{url, status_code, body}`."""

    url: str | None
    status_code: int
    body: bytes


def looks_recorded(data: bytes) -> bool:
    return data.lstrip()[:1] == b"{"


def unwrap_recorded(data: bytes, source: str) -> Recorded:
    """The Atom body and HTTP status of a saved API answer."""
    try:
        wrapper = json.loads(data)
        body = wrapper["body"]
        status = int(wrapper.get("status_code") or 200)
    except (ValueError, TypeError, KeyError) as exc:
        raise FeedProblem(
            "not-a-feed", source, f"JSON without an API answer in `body`: {exc}"
        ) from exc
    if not isinstance(body, str):
        raise FeedProblem("not-a-feed", source, "JSON whose `body` is not text")
    return Recorded(wrapper.get("url"), status, body.encode("utf-8"))
