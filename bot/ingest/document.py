"""A feed document as feedparser reads it, and the ways a document can fail (FeedProblem).

`read` is the one place feedparser runs. Before it does, the document is decoded the way
feedparser decodes it and checked: one with a document type declaration (where entities
that expand to gigabytes are declared) or that is not well-formed XML is refused whole, so
feedparser's lenient fallback, which expands such entities and salvages whatever part of a
truncated answer it can, is never reached.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal
from xml.parsers import expat

import feedparser
from feedparser.encodings import convert_to_utf8

from storage.models import Paper

# Abstracts are plain text: sanitising them as HTML would only cost time and eat `a <b> c`.
FEEDPARSER_OPTIONS = {"sanitize_html": False, "resolve_relative_uris": False}

_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
_HTML_TITLE = re.compile(rb"<title[^>]*>([^<]{1,200})</title>", re.I)
# feedparser flags these although the document itself is sound.
_BENIGN = (feedparser.CharacterEncodingOverride,)
# Where entities are declared: arXiv never sends one, a hostile document needs one.
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


class FeedProblem(Exception):
    """A feed that could not be ingested: a short machine kind and a message for operators.

    Kinds: feed-error, api-error, not-a-feed, malformed, declarations, misshapen, too-large, empty,
    timeout, network, http, unreadable.
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
    cuts: Counter[str] = field(default_factory=Counter, compare=False)  # fields cut to caps


def read(data: bytes, source: str) -> feedparser.FeedParserDict:
    """The document parsed by feedparser; FeedProblem when it is not a sound RSS or Atom feed."""
    if _HTML_START.match(data[:2048]):
        title = _HTML_TITLE.search(data[:8192])
        seen = f" titled {title[1].decode('utf-8', 'replace').strip()!r}" if title else ""
        raise FeedProblem("not-a-feed", source, f"an HTML page{seen} came instead of a feed")
    data = checked_utf8(data, source)
    # A stream, never bytes: feedparser would fetch or open a document that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data), **FEEDPARSER_OPTIONS)
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(error, _BENIGN):
        raise FeedProblem("malformed", source, f"malformed XML, nothing stored from it: {error}")
    if not parsed.get("version"):
        raise FeedProblem("not-a-feed", source, "not an RSS or Atom feed")
    return parsed


def checked_utf8(data: bytes, source: str) -> bytes:
    """The document as UTF-8, decoded as feedparser would; FeedProblem when it declares a
    DTD or entities, or is not well-formed XML (namespaces included, as feedparser reads)."""
    decoding: dict = {}
    utf8 = convert_to_utf8({}, data, decoding)
    if not decoding.get("encoding"):
        raise FeedProblem("malformed", source, "not text in any encoding a feed may use")
    if _DECLARATION.search(utf8):
        raise FeedProblem(
            "declarations",
            source,
            "a document type or entity declaration, refused unread: feeds have none",
        )
    shape = _Shape(len(utf8))
    parser = expat.ParserCreate("utf-8", namespace_separator=" ")
    parser.StartElementHandler = shape.start
    parser.EndElementHandler = shape.end
    try:
        parser.Parse(utf8, True)
    except expat.ExpatError as exc:
        raise FeedProblem(
            "malformed", source, f"malformed XML, nothing stored from it: {exc}"
        ) from exc
    except _Misshapen as exc:
        raise FeedProblem("misshapen", source, f"{exc}: no feed is shaped so") from exc
    return utf8


class _Misshapen(Exception):
    """Elements nested or packed as no feed has them, which would take feedparser long."""


class _Shape:
    """Counts elements as expat meets them, and stops at a shape no feed has."""

    MAX_DEPTH = 32  # RSS and arXiv's Atom nest four or five deep
    # A real entry averages ~100 bytes an element, ~17 in an Atom list of authors; feedparser
    # spends ~15 µs on each, so a document of nothing but `<a/>` would hold it for seconds.
    MIN_BYTES_PER_ELEMENT = 12
    FREE_ELEMENTS = 10_000

    def __init__(self, size: int) -> None:
        self.size = size
        self.depth = 0
        self.elements = 0
        self.budget = max(self.FREE_ELEMENTS, size // self.MIN_BYTES_PER_ELEMENT)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.depth > self.MAX_DEPTH:
            raise _Misshapen(f"elements nested more than {self.MAX_DEPTH} deep")
        if self.elements > self.budget:
            raise _Misshapen(f"more than {self.budget} elements in {self.size} bytes")

    def end(self, name: str) -> None:
        self.depth -= 1


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
