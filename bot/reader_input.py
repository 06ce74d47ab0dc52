"""What a reader or an operator types, read as a number or a date: ASCII digits only, bounded.

`str.isdigit()` accepts ², ① and other scripts' digits that `int()` refuses or reads
unexpectedly, and a date at the edge of the calendar overflows the arithmetic done on it.
Every handler that turns typed text into a number or a date goes through here.
"""

from __future__ import annotations

import re
from datetime import date

MAX_DIGITS = 9  # no field this bot reads needs more; int() of a huge string is slow too
_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_FULL_WIDTH_DIGITS = {0xFF10 + n: ord("0") + n for n in range(10)}
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

# arXiv began in 1991; a period much past today is a typo, and both ends stay far from
# the calendar's limits, so adding a fortnight or a year to a day can never overflow.
EARLIEST_DAY = date(1991, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def whole_number(text: str, low: int, high: int) -> int | None:
    """`text` as an integer from `low` to `high` (ASCII digits, no sign); None otherwise.

    Full-width digits (９, as a Chinese input method types them) read as their ASCII forms.
    """
    text = text.strip().translate(_FULL_WIDTH_DIGITS)
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


class DayOutOfRange(ValueError):
    """A real calendar day, but outside EARLIEST_DAY..LATEST_DAY."""

    def __init__(self, day: date) -> None:
        super().__init__(f"{day.isoformat()} is outside {EARLIEST_DAY}..{LATEST_DAY}")
        self.day = day


def iso_day(text: str) -> date | None:
    """`YYYY-MM-DD` as a date within EARLIEST_DAY..LATEST_DAY.

    None when it is not such a day at all; DayOutOfRange when it is one, out of range.
    """
    match = _ISO_DAY.fullmatch(text.strip().translate(_FULL_WIDTH_DIGITS))
    if match is None:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # 2024-02-30, month 13, year 0
        return None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise DayOutOfRange(day)
    return day
