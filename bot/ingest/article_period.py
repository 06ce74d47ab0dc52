"""When an editor's article's papers were announced, from what the article itself says: a
range of days in its title or text (`2024年6月17日至30日`, `June 17–30, 2024`,
`2024-06-17 to 2024-06-30`), or a half month (`2024年6月后2周`, `下半月`); and from its
papers' arXiv numbers (`2406.15877`: June 2024, late in the month).

Pure: text and ids in, a day inside the fortnight meant and the words that said so out. A
single date is not taken: on a page it is most often when the article was posted.
"""

from __future__ import annotations

import calendar
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# arXiv numbers run through a month in order; about 24,000 papers a month in 2024.
MONTHLY_PAPERS = 24_000
_MONTHS = {name.casefold(): n for n, name in enumerate(calendar.month_name) if name} | {
    name.casefold(): n for n, name in enumerate(calendar.month_abbr) if name
}
_MONTH_WORD = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DASH = r"\s*(?:-|–|—|~|至|到|to|through|until)\s*"
_ZH_RANGE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?" + _DASH
    + r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*[日号]"
)  # fmt: skip
_ZH_HALF = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:的)?\s*(上半月|下半月|前\s*(?:两|2|二)\s*周|后\s*(?:两|2|二)\s*周)"
)
_EN_RANGE = re.compile(
    rf"\b({_MONTH_WORD})\s+(\d{{1,2}})(?:st|nd|rd|th)?{_DASH}(?:({_MONTH_WORD})\s+)?"
    rf"(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b",
    re.IGNORECASE,
)
_ISO_RANGE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})" + _DASH + r"(\d{4})-(\d{2})-(\d{2})\b")
_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})")


@dataclass(frozen=True, slots=True)
class Stated:
    """A day inside the fortnight the evidence points to, and the words it came from."""

    day: date
    words: str


def stated_in(text: str) -> Stated | None:
    """The first range of days or half month the article names, as its middle day."""
    text = unicodedata.normalize("NFKC", text)
    found = []
    for pattern, read in (
        (_ZH_RANGE, _zh_range),
        (_ZH_HALF, _zh_half),
        (_EN_RANGE, _en_range),
        (_ISO_RANGE, _iso_range),
    ):
        for match in pattern.finditer(text):
            day = _safely(read, match)
            if day is not None:
                found.append((match.start(), Stated(day, " ".join(match.group().split()))))
                break
    return min(found, key=lambda pair: pair[0])[1] if found else None


def from_ids(arxiv_ids: Iterable[str]) -> Stated | None:
    """The month most of the ids were numbered in, and the day their median number suggests."""
    months: Counter[tuple[int, int]] = Counter()
    numbers: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for arxiv_id in arxiv_ids:
        match = _NEW_STYLE_ID.fullmatch(arxiv_id)
        if match is None or not 1 <= int(match[2]) <= 12:
            continue
        month = (2000 + int(match[1]), int(match[2]))
        months[month] += 1
        numbers.setdefault(month, []).append((int(match[3]), arxiv_id))
    if not months:
        return None
    (year, month), _count = max(months.items(), key=lambda pair: (pair[1], pair[0]))
    length = calendar.monthrange(year, month)[1]
    number, median_id = statistics.median_low(numbers[(year, month)])
    share = min(1.0, number / MONTHLY_PAPERS)
    day = date(year, month, 1) + timedelta(days=round(share * (length - 1)))
    return Stated(day, median_id)


def agrees(stated: Stated, ids: Stated | None) -> bool:
    """Whether the article's dates fall within a month of what its arXiv numbers say."""
    if ids is None:
        return True
    return abs((stated.day - ids.day).days) <= 45


def _safely(read, match: re.Match) -> date | None:
    try:
        return read(match)
    except (ValueError, KeyError):  # a date that does not exist is no evidence
        return None


def _middle(start: date, end: date) -> date | None:
    if not timedelta(0) <= end - start <= timedelta(days=31):
        return None
    return start + (end - start) // 2


def _zh_range(m: re.Match) -> date | None:
    start = date(int(m[1]), int(m[2]), int(m[3]))
    end = date(int(m[4] or m[1]), int(m[5] or m[2]), int(m[6]))
    return _middle(start, end)


def _zh_half(m: re.Match) -> date:
    first = m[3] in ("上半月",) or m[3].startswith("前")
    return date(int(m[1]), int(m[2]), 8 if first else 22)


def _en_range(m: re.Match) -> date | None:
    month = _MONTHS[m[1].rstrip(".").casefold()]
    end_month = _MONTHS[m[3].rstrip(".").casefold()] if m[3] else month
    year = int(m[5])
    start_year = year - 1 if end_month < month else year
    return _middle(date(start_year, month, int(m[2])), date(year, end_month, int(m[4])))


def _iso_range(m: re.Match) -> date | None:
    start = date(int(m[1]), int(m[2]), int(m[3]))
    return _middle(start, date(int(m[4]), int(m[5]), int(m[6])))
