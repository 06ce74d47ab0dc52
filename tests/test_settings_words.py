"""What readers type for a setting, read as the value a chat stores; and a fixed offset such as
UTC+05:30 is a zone the push plans with and storage keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import settings_words as words
from bot.dates import format_datetime_local
from bot.digest.periods import Period, due_at
from storage import chats
from storage.chat_models import InvalidTimezone


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1", 0), ("7", 6), ("１", 0), ("周一", 0), ("星期一", 0), ("礼拜一", 0), ("周日", 6),
        ("星期天", 6), ("礼拜日", 6), ("周六", 5), ("Mon", 0), ("monday", 0), ("TUES", 1),
        ("thurs", 3), ("Sun.", 6), ("五", 4), ("日", 6), ("天", 6),
    ],
)  # fmt: skip
def test_a_weekday_is_read_monday_first_in_both_languages(text, day):
    assert words.weekday(text) == day


@pytest.mark.parametrize("text", ["0", "8", "八", "七", "周八", "星期", "mo", "②", "someday", ""])
def test_what_is_no_weekday_is_none(text):
    assert words.weekday(text) is None


@pytest.mark.parametrize(
    ("text", "hour"),
    [("0", 0), ("９", 9), ("21:00", 21), ("９点", 9), ("上午9点", 9), ("晚上9点", 21),
     ("12am", 0), ("12pm", 12), ("1 PM", 13)],
)  # fmt: skip
def test_an_hour_is_read_from_clock_forms(text, hour):
    assert words.hour(text) == hour


@pytest.mark.parametrize("text", ["24", "9:30", "²", "下午13点", "-1", "noon"])
def test_what_is_no_whole_hour_is_none(text):
    assert words.hour(text) is None


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("上海", "Asia/Shanghai"), ("北京", "Asia/Shanghai"), ("香港", "Asia/Hong_Kong"),
        ("台北", "Asia/Taipei"), ("新加坡", "Asia/Singapore"), ("首尔", "Asia/Seoul"),
        ("巴黎", "Europe/Paris"), ("多伦多", "America/Toronto"), ("悉尼", "Australia/Sydney"),
        ("洛杉矶", "America/Los_Angeles"), ("San Francisco", "America/Los_Angeles"),
        ("芝加哥", "America/Chicago"), ("ho chi minh", "Asia/Ho_Chi_Minh"),
        ("EUROPE/BERLIN", "Europe/Berlin"), ("Etc/GMT-8", "Etc/GMT-8"), ("utc", "UTC"),
        ("UTC+8", "Etc/GMT-8"), ("UTC-5", "Etc/GMT+5"), ("西五区", "Etc/GMT+5"),
        ("东十二区", "Etc/GMT-12"), ("+05:45", "UTC+05:45"), ("UTC+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"), ("UTC+0", "UTC"),
    ],
)  # fmt: skip
def test_a_timezone_is_read_from_a_city_an_offset_or_an_iana_name(text, zone):
    assert words.timezone(text) == zone
    assert chats.check_timezone(zone) == zone


@pytest.mark.parametrize("text", ["UTC+15", "UTC-13", "GMT+14:30", "东十五区"])
def test_an_offset_no_place_keeps_is_named_as_such(text):
    with pytest.raises(words.OffsetOutOfRange):
        words.timezone(text)


@pytest.mark.parametrize("text", ["火星", "Mars/Olympus", "UTC+8:17", "localtime", "", "UTC+"])
def test_an_unknown_timezone_is_none(text):
    assert words.timezone(text) is None


@pytest.mark.parametrize("name", ["UTC+15:00", "UTC+05:17", "UTC+5:30", "utc+05:30", "+08:00"])
def test_storage_refuses_an_offset_outside_its_form(name):
    with pytest.raises(InvalidTimezone):
        chats.check_timezone(name)


def test_a_half_hour_offset_plans_the_push_at_its_local_hour():
    due = due_at(Period(date(2024, 6, 17)), "UTC+05:30", weekday=0, hour=9)
    assert due == datetime(2024, 7, 1, 3, 30, tzinfo=UTC)
    assert format_datetime_local(due, "zh", "UTC+05:30") == "2024年7月1日 星期一 09:00"
    assert due_at(Period(date(2024, 6, 17)), "Etc/GMT-8", 0, 9) == datetime(
        2024, 7, 1, 1, 0, tzinfo=UTC
    )
