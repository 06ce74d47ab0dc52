"""Time travel: delivery passes as of chosen moments across fortnights, daylight-saving
changes, timezone changes and downtime. Each period is pushed once, never skipped."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from storage import chats, deliveries
from tests import cldr
from tests import digest_world as world

JUNE_17 = datetime(2024, 6, 17, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)  # Monday 09:00 in Shanghai after 17–30 June


def sends_to(api, chat_id):
    return [c for c in api.log.select(chat_id=chat_id) if c.method == "sendMessage" and c.ok]


@pytest.fixture
def rt(push_rt):
    return push_rt


async def passes(rt, start, end, step):
    """A pass every `step` from `start` to `end`; the moments at which something was sent."""
    sent_at = []
    moment = start
    while moment <= end:
        if (await world.run_pass(rt, moment)).sent:
            sent_at.append(moment)
        moment += step
    return sent_at


async def test_push_cli_sends_each_fortnight_once_over_several_fortnights(rt, api, tmp_path):
    for n in range(3):  # one paper in each of three fortnights from 17 June
        await world.add_paper(rt, f"2406.3000{n}", JUNE_17 + timedelta(days=14 * n), {"rag": 1})
    await world.subscribe(rt, 201, ["rag"])
    reports = []
    for days in (0, 1, 13, 14, 15, 28, 28):
        process = await world.push_process(rt, api, DUE + timedelta(days=days))
        out, _ = await process.communicate()
        assert process.returncode == 0
        reports.append(json.loads(out))
    assert [r["sent"] for r in reports] == [1, 0, 0, 1, 0, 1, 0]
    assert set(reports[0]) >= {"due", "sent", "failed", "paused_chats"}
    headers = [c.params["text"].splitlines()[0] for c in sends_to(api, 201)]
    assert headers == [
        cldr.en_header(date(2024, 6, 17), date(2024, 6, 30)),
        cldr.en_header(date(2024, 7, 1), date(2024, 7, 14)),
        cldr.en_header(date(2024, 7, 15), date(2024, 7, 28)),
    ]


async def test_spring_forward_in_berlin_neither_doubles_nor_skips(rt, api):
    # The fortnight of 11–24 March 2024; the chat reads on Sundays at 02:00, an hour that
    # does not exist on 31 March in Berlin: it is taken as 03:00 CEST, 01:00 UTC.
    await world.add_paper(rt, "2403.00001", datetime(2024, 3, 12, tzinfo=UTC), {"rag": 1})
    await world.subscribe(rt, 202, ["rag"], timezone="Europe/Berlin", weekday=6, hour=2)
    sent_at = await passes(
        rt,
        datetime(2024, 3, 30, 22, tzinfo=UTC),
        datetime(2024, 4, 1, 2, tzinfo=UTC),
        timedelta(minutes=30),
    )
    assert sent_at == [datetime(2024, 3, 31, 1, tzinfo=UTC)]
    assert len(sends_to(api, 202)) == 1


async def test_fall_back_in_berlin_neither_doubles_nor_skips(rt, api):
    # 02:00 happens twice on 27 October 2024 in Berlin: the first one counts.
    await world.add_paper(rt, "2410.00001", datetime(2024, 10, 8, tzinfo=UTC), {"rag": 1})
    await world.subscribe(rt, 203, ["rag"], timezone="Europe/Berlin", weekday=6, hour=2)
    sent_at = await passes(
        rt,
        datetime(2024, 10, 26, 22, tzinfo=UTC),
        datetime(2024, 10, 27, 4, tzinfo=UTC),
        timedelta(minutes=30),
    )
    assert sent_at == [datetime(2024, 10, 27, 0, tzinfo=UTC)]
    assert len(sends_to(api, 203)) == 1


async def test_moving_to_a_later_timezone_after_the_push_sends_nothing_twice(rt, api):
    await world.add_paper(rt, "2406.30010", JUNE_17, {"rag": 1})
    await world.subscribe(rt, 204, ["rag"])
    assert (await world.run_pass(rt, DUE)).sent == 1
    await chats.set_timezone(rt.db, 204, "America/Los_Angeles")  # 09:00 there is 16:00 UTC
    assert await passes(rt, DUE, DUE + timedelta(days=2), timedelta(hours=1)) == []
    assert len(sends_to(api, 204)) == 1


async def test_moving_to_an_earlier_timezone_before_the_push_sends_it_at_once(rt, api):
    await world.add_paper(rt, "2406.30011", JUNE_17, {"rag": 1})
    await world.subscribe(rt, 205, ["rag"], timezone="America/Los_Angeles")
    assert (await world.run_pass(rt, DUE + timedelta(hours=5))).sent == 0  # 22:00 Sunday there
    await chats.set_timezone(rt.db, 205, "Asia/Shanghai")  # whose 09:00 has passed
    assert (await world.run_pass(rt, DUE + timedelta(hours=6))).sent == 1
    assert (
        await passes(rt, DUE + timedelta(hours=7), DUE + timedelta(days=1), timedelta(hours=3))
        == []
    )


async def test_a_push_missed_while_the_bot_was_down_goes_out_once_on_its_return(rt, api):
    await world.add_paper(rt, "2406.30012", JUNE_17, {"rag": 1})
    await world.subscribe(rt, 206, ["rag"])
    assert (await world.run_pass(rt, DUE - timedelta(hours=2))).sent == 0  # the last pass before
    back = DUE + timedelta(days=3)
    assert (await world.run_pass(rt, back)).sent == 1
    assert (await world.run_pass(rt, back + timedelta(minutes=1))).sent == 0


async def test_after_more_than_a_fortnight_down_only_the_latest_digest_goes_out(rt, api):
    await world.add_paper(rt, "2406.30013", JUNE_17, {"rag": 1})
    await world.add_paper(rt, "2407.30013", JUNE_17 + timedelta(days=14), {"rag": 1})
    await world.subscribe(rt, 207, ["rag"])
    assert (await world.run_pass(rt, DUE + timedelta(days=20))).sent == 1
    [call] = sends_to(api, 207)
    assert cldr.en_period(date(2024, 7, 1), date(2024, 7, 14)) in call.params["text"]


async def test_a_chat_that_subscribes_after_the_due_time_waits_for_the_next_digest(rt, api):
    await world.add_paper(rt, "2406.30014", JUNE_17, {"rag": 1})
    await world.add_paper(rt, "2407.30014", JUNE_17 + timedelta(days=14), {"rag": 1})
    await world.subscribe(rt, 208, ["rag"], since=DUE + timedelta(days=1))
    assert (await world.run_pass(rt, DUE + timedelta(days=2))).sent == 0
    assert (await world.run_pass(rt, DUE + timedelta(days=14))).sent == 1


async def test_every_chat_gets_the_same_issue_though_papers_arrive_between_pushes(rt, api):
    await world.add_paper(rt, "2406.30015", JUNE_17, {"rag": 1}, title="The first paper")
    await world.subscribe(rt, 209, ["rag"])  # Shanghai: 01:00 UTC
    await world.subscribe(rt, 210, ["rag"], timezone="America/Los_Angeles")  # 16:00 UTC
    await world.run_pass(rt, DUE)
    await world.add_paper(rt, "2406.30016", JUNE_17, {"rag": 1}, title="A late arrival")
    await world.run_pass(rt, DUE + timedelta(hours=16))
    [early], [late] = sends_to(api, 209), sends_to(api, 210)
    assert early.params["text"] == late.params["text"]
    assert "A late arrival" not in late.params["text"]
    rows = await deliveries.of_chat(rt.db, 210)
    sent = [date.fromisoformat(r["period_start"]) for r in rows if r["state"] == "sent"]
    assert sent == [date(2024, 6, 17)]
