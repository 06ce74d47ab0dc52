"""How much of the outside world the ingester takes in: bytes read per document, characters
kept per field, and which dates are believable; plus reading a file without going past its cap.

The caps come from real arXiv data with wide headroom: a daily RSS feed of several busy
categories is 1–3 MB and an API page of 2,000 entries about 3 MB; titles stay under 300
characters and abstracts under 1,920 (arXiv's own rule); an editor's article is tens of
kilobytes. What goes past a cap is cut (text, lists) or refused (a whole document), and the
caller says so once per document.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.models import Paper

MB = 1_000_000
FEED_BYTES = 50 * MB  # about 34,000 RSS items: fifteen times a busy day of every AI category
ARTICLE_BYTES = 1 * MB  # a digest article is tens of kilobytes

TITLE_CHARS = 1_000
ABSTRACT_CHARS = 6_000
AUTHOR_CHARS = 300  # one name; collaborations ("The … Collaboration") included
AUTHORS = 3_000  # the largest physics collaborations sign about 2,900
CATEGORY_CHARS = 40
CATEGORIES = 20
REFERENCE_CHARS = 1_000  # comments, journal references
DOI_CHARS = 200
SUMMARY_CHARS = 4_000  # an editor's summary of one paper

ARXIV_OPENED = datetime(1991, 1, 1, tzinfo=UTC)  # nothing on arXiv is older
FUTURE_SLACK = timedelta(days=2)  # announcements are dated ahead of UTC by at most a day
ELLIPSIS = "…"

_TEXT_CAPS = (
    ("title", TITLE_CHARS),
    ("abstract", ABSTRACT_CHARS),
    ("comment", REFERENCE_CHARS),
    ("journal_ref", REFERENCE_CHARS),
    ("doi", DOI_CHARS),
)
_DATES = frozenset({"submitted", "updated", "announced"})


class TooLarge(Exception):
    """A document larger than its cap; nothing of it is used."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit / MB:g} MB, the most a document may have")
        self.limit = limit


def read_capped(path: str | Path, limit: int) -> bytes:
    """The file's bytes; TooLarge past `limit` (read no further, so /dev/zero is refused)."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TooLarge(limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data


def clip(text: str, limit: int) -> str:
    """`text` when it fits; else cut at the last space before `limit`, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", limit // 2)
    return (cut[:space] if space > 0 else cut).rstrip() + ELLIPSIS


def plausible(when: datetime | None, now: datetime | None = None) -> datetime | None:
    """`when` if arXiv could have dated a paper so; None (unknown) before 1991 or in the future."""
    if when is None:
        return None
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    return when if ARXIV_OPENED <= when <= latest else None


def bound(paper: Paper, cuts: Counter[str], now: datetime | None = None) -> Paper:
    """The paper with every field within its cap and unbelievable dates unknown; `cuts`
    counts each field that had to change."""
    changes: dict[str, object] = {}
    for name, limit in _TEXT_CAPS:
        value = getattr(paper, name)
        if value and len(value) > limit:
            changes[name] = clip(value, limit)
    authors = _bounded_list(paper.authors, AUTHORS, AUTHOR_CHARS)
    if authors != paper.authors:
        changes["authors"] = authors
    categories = _bounded_list(paper.categories, CATEGORIES, CATEGORY_CHARS, drop_long=True)
    if categories != paper.categories:
        changes["categories"] = categories
    for name in ("submitted", "updated", "announced"):
        value = getattr(paper, name)
        if value is not None and plausible(value, now) is None:
            changes[name] = None
    cuts.update({"date" if name in _DATES else name for name in changes})
    return replace(paper, **changes) if changes else paper


def _bounded_list(
    values: tuple[str, ...], count: int, chars: int, *, drop_long: bool = False
) -> tuple[str, ...]:
    """At most `count` values, each cut to `chars` (or, with `drop_long`, left out)."""
    if drop_long:
        return tuple(value for value in values if len(value) <= chars)[:count]
    return tuple(clip(value, chars) for value in values[:count])


def describe(cuts: Counter[str]) -> str:
    """`title ×2, date ×1`: each field cut and in how many papers."""
    return ", ".join(f"{field} ×{count}" for field, count in sorted(cuts.items()))
