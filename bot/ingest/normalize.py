"""Normal forms of what arXiv sends: ids, text, author lists, categories, UTC datetimes.

Everything here is pure and cheap, because it runs once or more per paper on feeds of
thousands of papers: ASCII text (most of it) takes a fast path, regexes are compiled once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from bot import arxiv_ids
from bot.arxiv_ids import ArxivRef

# Runs of characters that UTF-8 bytes become when read as cp1252 or latin-1: a double-encoded
# letter is always two or more of them in a row (`í` -> `Ã­`).
_MOJIBAKE_RUN = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}"
)
_AUTHOR_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+(?=[^,]+$)")


def _as_utf8_bytes(run: str) -> bytes | None:
    raw = bytearray()
    for char in run:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            # 0x81, 0x8d, 0x8f, 0x90, 0x9d have no cp1252 character: decoders pass them through
            if ord(char) > 0xFF:
                return None
            raw.append(ord(char))
    return bytes(raw)


def _repair_run(match: re.Match[str]) -> str:
    run = match.group(0)
    raw = _as_utf8_bytes(run)
    if raw is None:
        return run
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return run


def repair_mojibake(text: str) -> str:
    """Text whose UTF-8 was decoded twice (`RamÃ­rez`) made right (`Ramírez`); other text as is.

    A run is replaced only when its bytes decode as strict UTF-8, which correct Latin text
    (`Müller`, `Ramírez`) and Chinese never do.
    """
    if text.isascii():
        return text
    return _MOJIBAKE_RUN.sub(_repair_run, text)


def clean_text(text: str | None) -> str:
    """Mojibake repaired, whitespace runs (newlines, indentation) collapsed to one space."""
    if not text:
        return ""
    return " ".join(repair_mojibake(text).split())


def split_authors(creators: str | None) -> tuple[str, ...]:
    """`A, B, and C` (RSS `dc:creator`) as the ordered names (A, B, C)."""
    if not creators:
        return ()
    names = _AUTHOR_SEPARATOR.split(clean_text(creators))
    return tuple(name for name in names if name)


def clean_names(names: Iterable[str | None]) -> tuple[str, ...]:
    """Author names cleaned, empty ones dropped, order kept."""
    cleaned = (clean_text(name) for name in names)
    return tuple(name for name in cleaned if name)


def categories(primary: str | None, listed: Iterable[str | None]) -> tuple[str, ...]:
    """The primary category first, then the others in their order, each once."""
    ordered = dict.fromkeys(term.strip() for term in (primary, *listed) if term and term.strip())
    return tuple(ordered)


def utc(parsed: time.struct_time | None) -> datetime | None:
    """A feedparser date (a struct_time already in UTC) as an aware UTC datetime."""
    if parsed is None:
        return None
    return datetime(*parsed[:6], tzinfo=UTC)


def arxiv_ref(*candidates: str | None) -> ArxivRef | None:
    """The paper the first usable candidate names (a guid `oai:arXiv.org:…`, an abs URL)."""
    for candidate in candidates:
        if not candidate:
            continue
        ref = arxiv_ids.find_in(candidate) or arxiv_ids.parse(candidate)
        if ref is not None:
            return ref
    return None
