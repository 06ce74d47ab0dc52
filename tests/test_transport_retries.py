"""Who waits out a 429: a reply to an update does, anything else hears of it at once."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.push.transport import retrying_replies, telegram_pace


@pytest.fixture
async def paced_bot(api):
    bot = ExtBot(api.token, base_url=api.base_url, rate_limiter=telegram_pace(1000))
    async with bot:
        yield bot


async def test_a_reply_waits_out_a_429_and_is_sent(api, paced_bot):
    ada = api.user(1001)
    api.throttle(ada.id, retry_after=1)
    started = time.monotonic()
    with retrying_replies():
        await paced_bot.send_message(ada.id, "found 3 papers")
    assert time.monotonic() - started >= 1.0
    assert api.last_text(ada.id) == "found 3 papers"


async def test_a_task_started_while_answering_an_update_hears_of_a_429_at_once(api, paced_bot):
    ada = api.user(1001)
    api.throttle(ada.id, retry_after=1)
    with retrying_replies():  # a job the scheduler starts from inside a handler
        side_job = asyncio.create_task(paced_bot.send_message(ada.id, "digest"))
        with pytest.raises(RetryAfter):
            await side_job
    assert api.sent_to(ada.id) == []


async def test_outside_an_update_a_429_is_the_callers_to_handle(api, paced_bot):
    ada = api.user(1001)
    api.throttle(ada.id, retry_after=1)
    with pytest.raises(RetryAfter):
        await paced_bot.send_message(ada.id, "digest")
