"""Dates as a chat reads them: its language, its timezone, Babel's own patterns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dates import format_date, format_datetime_local, format_period, weekday_name
from tests import cldr


def test_a_utc_moment_reads_in_shanghai_time_in_both_languages():
    moment = datetime(2024, 7, 1, 1, 0, tzinfo=UTC)
    assert format_datetime_local(moment, "zh", "Asia/Shanghai") == "2024年7月1日 星期一 09:00"
    assert format_datetime_local(moment, "en", "Asia/Shanghai") == "Mon, Jul 1, 2024, 09:00"


def test_a_moment_near_midnight_utc_falls_on_the_next_day_in_shanghai():
    moment = datetime(2024, 6, 30, 17, 30, tzinfo=UTC)
    assert format_datetime_local(moment, "zh", "Asia/Shanghai") == "2024年7月1日 星期一 01:30"


def test_berlin_local_time_follows_the_change_to_summer_time():
    # Summer time began on 31 March 2024 at 01:00 UTC: the same UTC hour reads one hour later.
    before = datetime(2024, 3, 30, 8, 0, tzinfo=UTC)
    after = datetime(2024, 3, 31, 8, 0, tzinfo=UTC)
    assert format_datetime_local(before, "en", "Europe/Berlin") == "Sat, Mar 30, 2024, 09:00"
    assert format_datetime_local(after, "en", "Europe/Berlin") == "Sun, Mar 31, 2024, 10:00"
    assert format_datetime_local(after, "zh", "Europe/Berlin") == "2024年3月31日 星期日 10:00"


def test_berlin_local_time_follows_the_change_back_to_winter_time():
    before = datetime(2024, 10, 26, 12, 0, tzinfo=UTC)
    after = datetime(2024, 10, 28, 12, 0, tzinfo=UTC)
    assert format_datetime_local(before, "en", ZoneInfo("Europe/Berlin")).endswith("14:00")
    assert format_datetime_local(after, "en", ZoneInfo("Europe/Berlin")).endswith("13:00")


def test_a_naive_moment_is_taken_as_utc():
    naive = datetime(2024, 7, 1, 1, 0)
    assert format_datetime_local(naive, "en", "Asia/Shanghai") == "Mon, Jul 1, 2024, 09:00"


def test_a_day_reads_in_each_language():
    assert format_date(date(2024, 6, 17), "zh") == "2024年6月17日"
    assert format_date(date(2024, 6, 17), "en") == "Jun 17, 2024"


def test_a_datetime_given_as_a_day_shows_its_calendar_day():
    assert format_date(datetime(2024, 6, 17, 23, 59, tzinfo=UTC), "en") == "Jun 17, 2024"


def test_a_chinese_fortnight_names_what_both_ends_share_once_joined_by_zhi():
    # The product's own wording, whatever the installed CLDR's interval format says.
    assert format_period(date(2024, 6, 17), date(2024, 6, 30), "zh") == "2024年6月17日至30日"
    assert format_period(date(2024, 6, 24), date(2024, 7, 7), "zh") == "2024年6月24日至7月7日"
    assert format_period(date(2024, 12, 23), date(2025, 1, 5), "zh") == (
        "2024年12月23日至2025年1月5日"
    )
    assert format_period(date(2024, 6, 17), date(2024, 6, 17), "zh") == "2024年6月17日"


@pytest.mark.parametrize(
    ("start", "end", "shared"),
    [
        (date(2024, 6, 17), date(2024, 6, 30), "Jun 17 – 30, 2024"),
        (date(2024, 6, 24), date(2024, 7, 7), "Jun 24 – Jul 7, 2024"),
        (date(2024, 12, 23), date(2025, 1, 5), "Dec 23, 2024 – Jan 5, 2025"),
    ],
)
def test_an_english_fortnight_is_cldrs_interval_naming_what_both_ends_share_once(
    start, end, shared
):
    # CLDR's spaces around the dash have changed between releases: only they may differ.
    assert format_period(start, end, "en") == cldr.en_period(start, end)
    assert " ".join(format_period(start, end, "en").split()) == shared


def test_weekdays_count_from_monday_as_python_does():
    assert weekday_name(0, "zh") == "星期一"
    assert weekday_name(6, "zh") == "星期日"
    assert weekday_name(0, "en") == "Monday"
    assert weekday_name(date(2024, 6, 30).weekday(), "en") == "Sunday"


def test_a_weekday_outside_the_week_is_refused():
    with pytest.raises(ValueError, match=r"outside 0\.\.6"):
        weekday_name(7, "en")


def test_an_unknown_language_reads_as_english():
    assert format_date(date(2024, 6, 17), "fr") == "Jun 17, 2024"
