"""Which fortnight a reader means: `previous`, `2024-06`, `2024-06-24`, `2024年6月`,
`2024年6月17日`, `上期`, `2024年6月下半月` … read out of a command's words.

Pure: words in, the request and the words left over (a topic's) out; `fortnights` turns a
request into periods. A month means the fortnights that start in it; a day, the fortnight
that holds it; the first or second half of a month, the fortnight holding its 8th or 22nd.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.digest.periods import Period, period_of
from bot.reader_input import EARLIEST_DAY, LATEST_DAY

PREVIOUS = frozenset({"previous", "prev", "last", "上期", "上一期", "上次", "前一期"})
_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})[日号]")
_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})|(\d{4})年(\d{1,2})月(份)?")
_HALF = re.compile(r"(\d{4})年(\d{1,2})月(上半月|前两周|前2周|下半月|后两周|后2周)")
_FIRST_HALF = frozenset({"上半月", "前两周", "前2周"})
MID_FIRST, MID_SECOND = 8, 22  # a day well inside each half of any month


@dataclass(frozen=True, slots=True)
class PeriodRequest:
    """`kind` is "previous", "day" or "month"; `day` is the day, or the month's first."""

    kind: str
    day: date | None = None


class PeriodWordError(ValueError):
    """A word reads as a date but names none (2024-13, 2024-02-30); `word` is the word."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def read(words: Sequence[str]) -> tuple[PeriodRequest | None, list[str]]:
    """The fortnight the words ask for (None: the current one) and the other words."""
    request: PeriodRequest | None = None
    rest: list[str] = []
    for word in words:
        found = request_of(word)
        if found is None:
            rest.append(word)
        else:
            request = found
    return request, rest


def request_of(word: str) -> PeriodRequest | None:
    """The period one word names; None when it names none. Raises PeriodWordError."""
    text = unicodedata.normalize("NFKC", word).strip().casefold()
    if text in PREVIOUS:
        return PeriodRequest("previous")
    try:
        if match := _HALF.fullmatch(text):
            middle = MID_FIRST if match[3] in _FIRST_HALF else MID_SECOND
            return PeriodRequest(
                "day", _plausible(date(int(match[1]), int(match[2]), middle), word)
            )
        if match := _DAY.fullmatch(text):
            year, month, day = (
                int(part)
                for part in (match[1] or match[4], match[2] or match[5], match[3] or match[6])
            )
            return PeriodRequest("day", _plausible(date(year, month, day), word))
        if match := _MONTH.fullmatch(text):
            year, month = int(match[1] or match[3]), int(match[2] or match[4])
            return PeriodRequest("month", _plausible(date(year, month, 1), word))
    except ValueError:
        raise PeriodWordError(word) from None
    return None


def _plausible(day: date, word: str) -> date:
    """The day, when papers can have it; a fortnight near year 1 or 9999 overflows the calendar."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise PeriodWordError(word)
    return day


def fortnights(request: PeriodRequest | None, today: date, epoch: date) -> list[Period]:
    """The periods a request means, oldest first (one, except for a month: two or three)."""
    current = period_of(today, epoch)
    if request is None:
        return [current]
    if request.kind == "previous":
        return [current.previous()]
    if request.kind == "day":
        return [period_of(request.day, epoch)]
    first = request.day
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    period = period_of(first, epoch)
    if period.start < first:
        period = period.next()
    found = []
    while period.start <= last:
        found.append(period)
        period = period.next()
    return found
