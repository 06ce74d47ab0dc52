"""What both export formats read off a paper the same way: its year, date and key word."""

from __future__ import annotations

import re
from datetime import date

from bot.authors import AuthorName, fold, parse
from storage.models import Paper

# Words a citation key skips, as Google Scholar's and JabRef's keys do.
_SKIPPED = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "or",
        "with",
        "via",
        "from",
        "towards",
        "toward",
        "is",
        "are",
        "do",
        "does",
        "can",
        "how",
        "what",
        "when",
        "why",
        "which",
        "by",
        "at",
        "as",
    ]
)
# A name with one of these words, or with "and", is a group's: cited whole, never split.
_GROUP = re.compile(
    r"\b(?:and|team|consortium|collaboration|group|lab|laboratory|project|initiative|"
    r"institute|university|inc|ltd|corporation|committee|community|foundation)\b",
    re.IGNORECASE,
)
_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}")
_OLD_STYLE_ID = re.compile(r"[a-z.-]+/(\d{2})(\d{2})\d{3}", re.IGNORECASE)


def first_day(paper: Paper) -> date | None:
    """When the paper first appeared: submitted, else announced, else its id's month."""
    for moment in (paper.submitted, paper.announced):
        if moment is not None:
            return moment.date()
    match = _NEW_STYLE_ID.fullmatch(paper.arxiv_id) or _OLD_STYLE_ID.fullmatch(paper.arxiv_id)
    if match is None:
        return None
    yy, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return date((1900 if yy >= 91 else 2000) + yy, month, 1)  # arXiv began in 1991


def year_of(paper: Paper) -> str:
    day = first_day(paper)
    return str(day.year) if day else ""


def first_word(title: str) -> str:
    """The title's first word that says something: "Towards a Deep LLM" -> "Deep"."""
    for word in re.findall(r"[^\W_]+", title):
        if fold(word) not in _SKIPPED and re.search(r"[a-z0-9]", fold(word)):
            return word
    return ""


def person(name: str) -> AuthorName | None:
    """The name in its parts when it is one person's; None for a name cited whole: a group's,
    or a surname of several words with nothing else (such as a name in Chinese characters)."""
    if _GROUP.search(name) or len(name.split()) > 6:
        return None
    parsed = parse(name)
    if parsed is None or (not parsed.given and " " in parsed.surname):
        return None
    return parsed
