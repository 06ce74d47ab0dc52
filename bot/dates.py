"""Dates and times as a chat reads them: its language (zh | en) and its timezone, via Babel."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_interval, get_day_names

_LOCALES = {"zh": "zh_Hans_CN", "en": "en_US"}

# Babel's "full" zh form runs the weekday into the date (2024年7月1日星期一): spaced here.
_DATETIME_PATTERNS = {"zh": "y年M月d日 EEEE HH:mm", "en": "EEE, MMM d, y, HH:mm"}
# Patterns, not CLDR's named lengths, so a newer CLDR cannot reword a date under the tests.
_DATE_PATTERNS = {"zh": "y年M月d日", "en": "MMM d, y"}  # 2024年6月17日 / Jun 17, 2024
# English periods follow CLDR's yMMMd interval (Jun 17 – 30, 2024, its spacing is CLDR's);
# Chinese ones are the product's own: CLDR 49 (Babel 2.19) turned 2024年6月17日至30日 into
# 2024年6月17日 – 30日, and 至 is how Chinese prose writes a span of days.
_PERIOD_SKELETON = "yMMMd"
# A chat's zone is an IANA name, or for an offset no Etc/GMT zone has (UTC+05:30) this form.
FIXED_OFFSET = re.compile(r"UTC([+-])([0-9]{2}):([0-9]{2})")


def zone(name: str) -> tzinfo:
    """A chat's stored timezone as a tzinfo: an IANA name, or a fixed offset `UTC+05:30`."""
    match = FIXED_OFFSET.fullmatch(name)
    if match is None:
        return ZoneInfo(name)
    minutes = int(match[2]) * 60 + int(match[3])
    return timezone(timedelta(minutes=-minutes if match[1] == "-" else minutes), name)


def fixed_offset_name(minutes: int) -> str:
    """The name a chat stores for a fixed offset: `Etc/GMT-8` for UTC+8 (IANA's sign is
    reversed), `UTC+05:30` where no Etc zone exists, `UTC` for none."""
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    if rest == 0:
        return f"Etc/GMT{'-' if minutes > 0 else '+'}{hours}"
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def format_offset(offset: timedelta) -> str:
    """`UTC+8`, `UTC−5`, `UTC+5:30`, `UTC` (with a true minus sign, as print writes it)."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    sign = "+" if minutes > 0 else "−"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_datetime_local(moment: datetime, lang: str, tz: str | tzinfo) -> str:
    """`2024年7月1日 星期一 09:00` / `Mon, Jul 1, 2024, 09:00` in the chat's timezone.

    A naive datetime is taken as UTC, which is how the bot stores moments.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = zone(tz) if isinstance(tz, str) else tz
    return babel_format_datetime(
        moment, _DATETIME_PATTERNS[_lang(lang)], tzinfo=local, locale=_locale(lang)
    )


def format_date(day: date, lang: str) -> str:
    """`2024年6月17日` / `Jun 17, 2024` (a datetime is shown by its own calendar day)."""
    if isinstance(day, datetime):
        day = day.date()
    return babel_format_date(day, _DATE_PATTERNS[_lang(lang)], locale=_locale(lang))


def format_period(start: date, end: date, lang: str) -> str:
    """A fortnight as one interval: `2024年6月17日至30日` / `Jun 17 – 30, 2024`.

    Both say what the two ends share once: `2024年6月24日至7月7日`, `Jun 24 – Jul 7, 2024`.
    """
    if _lang(lang) != "zh":
        return format_interval(start, end, _PERIOD_SKELETON, locale=_locale(lang))
    if start == end:
        return format_date(start, lang)
    if start.year != end.year:
        tail = "y年M月d日"
    else:
        tail = "M月d日" if start.month != end.month else "d日"
    return f"{format_date(start, lang)}至{babel_format_date(end, tail, locale=_locale(lang))}"


def weekday_name(index: int, lang: str) -> str:
    """Monday is 0, as in `date.weekday()`: `星期一` / `Monday`."""
    if not 0 <= index <= 6:
        raise ValueError(f"weekday index {index} is outside 0..6")
    return get_day_names("wide", locale=_locale(lang))[index]


def _lang(lang: str) -> str:
    return lang if lang in _LOCALES else "en"


def _locale(lang: str) -> str:
    return _LOCALES[_lang(lang)]
