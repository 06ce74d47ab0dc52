"""What the installed Babel's CLDR data makes of the English periods the tests expect.

English periods are CLDR's own interval format, whose spacing and dash have changed between
CLDR releases, so tests derive them from Babel rather than copy one release's output.
Chinese periods (2024年6月17日至30日) are the product's own wording and are written out.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_interval


def en_period(start: date, end: date) -> str:
    """`Jun 17 – 30, 2024` as CLDR spaces it today."""
    return format_interval(start, end, "yMMMd", locale="en_US")


def en_header(start: date, end: date) -> str:
    """The first line of an English digest for the period."""
    return f"📚 <b>Papers that mattered, {en_period(start, end)}</b>"
