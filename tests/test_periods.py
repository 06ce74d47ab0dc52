"""Fortnights anchored on the epoch Monday, and when a chat's push for one is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.digest.periods import Period, due_at, latest_due, next_due, period_of

EPOCH = date(2024, 1, 1)


@pytest.mark.parametrize(
    ("moment", "start"),
    [
        (date(2024, 6, 17), date(2024, 6, 17)),
        (date(2024, 6, 30), date(2024, 6, 17)),
        (date(2024, 7, 1), date(2024, 7, 1)),
        (date(2023, 12, 31), date(2023, 12, 18)),  # before the epoch too
        (datetime(2024, 6, 30, 23, 59, tzinfo=UTC), date(2024, 6, 17)),
        # 07:00 on 1 July in Shanghai is still 30 June in UTC, where periods are counted
        (datetime(2024, 7, 1, 7, tzinfo=timezone(timedelta(hours=8))), date(2024, 6, 17)),
    ],
)
def test_every_moment_belongs_to_one_fortnight(moment, start):
    period = period_of(moment, EPOCH)
    assert period == Period(start)
    assert (period.end - period.start).days == 13
    assert period.start.weekday() == 0


def test_an_epoch_that_is_not_a_monday_is_refused():
    with pytest.raises(ValueError, match="not a Monday"):
        period_of(date(2024, 6, 20), date(2024, 1, 2))


def test_the_push_is_due_on_the_chats_weekday_after_the_period_closes():
    june = Period(date(2024, 6, 17))
    assert due_at(june, "Asia/Shanghai", 0, 9) == datetime(2024, 7, 1, 1, tzinfo=UTC)
    assert due_at(june, "Asia/Shanghai", 4, 18) == datetime(2024, 7, 5, 10, tzinfo=UTC)
    assert due_at(june, "America/New_York", 6, 20) == datetime(2024, 7, 8, 0, tzinfo=UTC)


def test_an_hour_skipped_by_daylight_saving_names_one_instant():
    march = Period(date(2024, 3, 11))  # closes 25 March; the next Sunday is the 31st
    assert due_at(march, "Europe/Berlin", 6, 2) == datetime(2024, 3, 31, 1, tzinfo=UTC)


def test_latest_and_next_due_surround_now():
    now = datetime(2024, 7, 1, 0, 59, tzinfo=UTC)
    period, due = latest_due(now, EPOCH, "Asia/Shanghai", 0, 9)
    assert (period.start, due) == (date(2024, 6, 3), datetime(2024, 6, 17, 1, tzinfo=UTC))
    period, due = next_due(now, EPOCH, "Asia/Shanghai", 0, 9)
    assert (period.start, due) == (date(2024, 6, 17), datetime(2024, 7, 1, 1, tzinfo=UTC))
    period, due = latest_due(now + timedelta(minutes=1), EPOCH, "Asia/Shanghai", 0, 9)
    assert period.start == date(2024, 6, 17)
