"""The fortnight a reader names in `/digest`: months, days, halves of a month and `previous`,
in English and Chinese forms, and words that look like dates but are none."""

from __future__ import annotations

from datetime import date

import pytest

from bot.digest.period_words import PeriodWordError, fortnights, read
from bot.digest.periods import Period

EPOCH = date(2024, 1, 1)
TODAY = date(2024, 7, 10)  # in the fortnight of 1–14 July


def starts(words: list[str]) -> list[date]:
    request, _rest = read(words)
    return [period.start for period in fortnights(request, TODAY, EPOCH)]


@pytest.mark.parametrize(
    ("word", "first"),
    [
        ("2024-06-24", date(2024, 6, 17)),
        ("2024/6/3", date(2024, 6, 3)),
        ("2024年6月17日", date(2024, 6, 17)),
        ("２０２４年６月２０号", date(2024, 6, 17)),  # full-width digits, 号 for 日
        ("2024年6月上半月", date(2024, 6, 3)),
        ("2024年6月后2周", date(2024, 6, 17)),
        ("previous", date(2024, 6, 17)),
        ("上期", date(2024, 6, 17)),
        ("上一期", date(2024, 6, 17)),
    ],
)
def test_a_day_or_a_half_month_means_the_fortnight_that_holds_it(word, first):
    assert starts([word]) == [first]


def test_a_month_means_the_fortnights_that_start_in_it():
    assert starts(["2024-06"]) == [date(2024, 6, 3), date(2024, 6, 17)]
    assert starts(["2024年7月"]) == [date(2024, 7, 1), date(2024, 7, 15), date(2024, 7, 29)]


def test_no_period_word_means_the_current_fortnight_and_topic_words_are_left():
    request, rest = read(["rag", "agents"])
    assert request is None
    assert rest == ["rag", "agents"]
    assert fortnights(request, TODAY, EPOCH) == [Period(date(2024, 7, 1))]


@pytest.mark.parametrize("word", ["2024-13", "2024-02-30", "2024年13月", "2024年2月30日"])
def test_a_date_that_does_not_exist_is_refused_by_name(word):
    with pytest.raises(PeriodWordError) as caught:
        read(["rag", word])
    assert caught.value.word == word


@pytest.mark.parametrize(
    "word", ["0001/1/1", "0001-01", "9999-12-31", "9999年12月", "1900年6月后2周"]
)
def test_a_date_no_paper_can_have_is_refused_by_name_before_the_calendar_overflows(word):
    with pytest.raises(PeriodWordError) as caught:
        read([word])
    assert caught.value.word == word
