"""Numbers and dates a reader or an operator types: Unicode digits, zero-padded giants and days
at the calendar's edge get a clear reply, never the error handler."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.reader_input import DayOutOfRange, iso_day, whole_number
from tests.fakes.conversation import reply_to

OPERATOR = 4242  # DIGESTBOT_ADMINS of the `app` fixture


def trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("text", ["²", "①", "٣", "-1", "+5", "1_0", " ", "", "9" * 40, "２４"])
def test_only_ascii_digits_within_bounds_are_numbers(text):
    assert whole_number(text, 0, 23) is None


def test_an_ascii_number_in_bounds_is_read_with_its_padding():
    assert whole_number(" 09 ", 0, 23) == 9
    assert whole_number("000000000", 0, 23) == 0


def test_full_width_digits_from_a_chinese_input_method_read_as_ascii():
    assert whole_number("１９", 0, 23) == 19
    assert iso_day("２０２４-０７-１０") == date(2024, 7, 10)


async def test_a_chinese_reader_sets_the_hour_in_full_width_digits(app, api):
    ada = api.user(1001, language_code="zh")
    reply = await reply_to(api, ada, "/settings hour ９")
    assert "09:00" in reply["text"]


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "1990-12-31", "2100-01-01"])
def test_a_real_day_outside_the_plausible_range_is_named_as_such(text):
    with pytest.raises(DayOutOfRange):
        iso_day(text)


@pytest.mark.parametrize("text", ["2024-02-30", "0000-01-01", "2024-1-1", "x", "٢٠٢٤-01-01"])
def test_a_malformed_day_is_no_day(text):
    assert iso_day(text) is None


def test_a_plausible_day_is_read():
    assert iso_day("2024-07-10") == date(2024, 7, 10)


@pytest.mark.parametrize(
    "text",
    [
        "/settings hour ²",
        "/settings hour ①",
        "/settings hour 000000000000",
        "/settings weekday ①",
        "/settings weekday ²",
        "/settings weekday ٣",
    ],
)
@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "Nothing was changed."), ("zh", "未做任何修改")]
)
async def test_a_setting_in_unicode_digits_is_refused_in_the_readers_language(
    app, api, caplog, text, lang, expected
):
    ada = api.user(1001, language_code=lang)
    with caplog.at_level(logging.WARNING):
        reply = await reply_to(api, ada, text)
    assert expected in reply["text"]
    assert trouble(caplog) == []


@pytest.mark.parametrize("offset", ["²", "①", "000000000000", "1" * 5000, "-20", "٢٠"])
async def test_a_forged_inline_offset_gets_an_empty_answer(app, api, caplog, offset):
    ada = api.user(1001)
    mark = api.mark()
    with caplog.at_level(logging.WARNING):
        api.user_queries_inline(ada, "retrieval", offset=offset)
        [answer] = await api.wait_for("answerInlineQuery", since=mark)
    assert answer.ok, answer.error
    assert answer.params["results"] == []
    assert trouble(caplog) == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "9999-12-31 is outside the periods I file articles in (1991-01-01 to 2099-12-31)."),
        ("zh", "9999-12-31 不在可归档的日期范围内（1991-01-01 至 2099-12-31）。"),
    ],
)
async def test_an_import_for_a_period_at_the_calendars_edge_is_refused_clearly(
    app, api, caplog, lang, expected
):
    operator = api.user(OPERATOR, language_code=lang)
    for day in ("9999-12-31", "0001-01-01"):
        mark = api.mark()
        with caplog.at_level(logging.WARNING):
            api.user_sends_document(
                operator, "a.md", b"# Issue\n", caption=f"/import --period {day}"
            )
            [sent] = await api.wait_for("sendMessage", since=mark)
        assert sent.result["text"] == expected.replace("9999-12-31", day)
    assert api.calls("getFile") == []
    assert trouble(caplog) == []


async def test_an_import_with_a_malformed_period_gets_the_usage(app, api):
    operator = api.user(OPERATOR, language_code="en")
    mark = api.mark()
    api.user_sends_document(operator, "a.md", b"# Issue\n", caption="/import --period 2024-²-01")
    [sent] = await api.wait_for("sendMessage", since=mark)
    assert sent.result["text"].startswith("Usage: a document with the caption /import")
