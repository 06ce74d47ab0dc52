"""A failing handler: logged, the user gets an apology, operators hear once a minute."""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import CommandHandler


async def test_a_failure_is_logged_apologised_for_and_reported_to_operators_once(app, api, caplog):
    async def broken(update, context) -> None:
        raise RuntimeError("the database went away")

    app.add_handler(CommandHandler("broken", broken), group=-1)
    ada = api.user(1001, language_code="zh")
    api.user(4242)  # the operator in DIGESTBOT_ADMINS
    mark = api.mark()
    with caplog.at_level(logging.ERROR, logger="bot.app"):
        api.user_says(ada, "/broken")
        await api.wait_for("sendMessage", count=2, since=mark)
        api.user_says(ada, "/broken")
        await api.wait_for("sendMessage", count=3, since=mark)
    assert "抱歉" in api.last_text(ada.id)
    alerts = api.calls("sendMessage", chat_id=4242, since=mark)
    assert len(alerts) == 1
    assert "RuntimeError" in alerts[0].params["text"]
    assert sum("failed" in r.getMessage() for r in caplog.records) == 2


async def test_an_operator_the_bot_cannot_write_to_does_not_make_a_second_failure(app, api, caplog):
    async def broken(update, context) -> None:
        raise RuntimeError("the database went away")

    app.add_handler(CommandHandler("broken", broken), group=-1)
    ada = api.user(1001)  # the operator 4242 never opened a chat with the bot
    mark = api.mark()
    with caplog.at_level(logging.WARNING):
        api.user_says(ada, "/broken")
        await api.wait_for("sendMessage", count=2, since=mark)
        await api.wait_for("sendMessage", chat_id=4242, since=mark)
        for _ in range(50):  # the refusal is logged once its answer is read
            if any("could not send the error notice" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.02)
    assert "Sorry" in api.last_text(ada.id)
    assert any("could not send the error notice" in r.getMessage() for r in caplog.records)
    assert not any("uncaught error" in r.getMessage() for r in caplog.records)
