"""Webhook mode: Telegram POSTs updates to the bot, which refuses strangers without the secret."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from telegram.ext import Application

from bot import config
from bot.app import build_application, webhook_options
from tests.fakes.bot_api import FakeBotApi

SECRET = "s3cret-Token_for_tests"


def free_port() -> int:
    """A port nobody listens on right now, for the webhook server to take."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def webhook_settings(api: FakeBotApi, db: Path, port: int, secret: str | None) -> config.Settings:
    environ = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DIGESTBOT_DB": str(db),
        "DIGESTBOT_WEBHOOK_URL": "https://bot.example.org/telegram/hook",
        "DIGESTBOT_WEBHOOK_LISTEN": "127.0.0.1",
        "DIGESTBOT_WEBHOOK_PORT": str(port),
    }
    if secret:
        environ["DIGESTBOT_WEBHOOK_SECRET"] = secret
    return config.load(environ, env_file=None)


@pytest.fixture
async def hooked(api: FakeBotApi, seeded: Path) -> AsyncIterator[tuple[Application, str]]:
    """The bot serving its webhook on 127.0.0.1, started as `digestbot run` starts it."""
    port = free_port()
    settings = webhook_settings(api, seeded, port, SECRET)
    application = build_application(settings)
    async with application:
        await application.post_init(application)
        await application.start()
        await application.updater.start_webhook(**webhook_options(settings))
        try:
            yield application, f"http://127.0.0.1:{port}/telegram/hook"
        finally:
            await application.updater.stop()
            await application.stop()
            await application.post_shutdown(application)


async def test_starting_registers_the_webhook_with_its_secret_and_every_update_type(hooked, api):
    [call] = api.calls("setWebhook")
    assert call.params["url"] == "https://bot.example.org/telegram/hook"
    assert call.params["secret_token"] == SECRET
    assert {"message", "callback_query", "inline_query", "my_chat_member"} <= set(
        call.params["allowed_updates"]
    )


async def test_an_update_posted_with_the_secret_is_answered(hooked, api):
    _, address = hooked
    ada = api.user(1001, language_code="zh-hans")
    mark = api.mark()
    api.user_says(ada, "/help")
    assert await api.deliver_to_webhook(address) == [200]
    [sent] = await api.wait_for("sendMessage", chat_id=ada.id, since=mark)
    assert "/search" in sent.params["text"]


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
async def test_a_post_without_the_right_secret_is_refused_and_handled_by_nobody(
    hooked, api, secret
):
    _, address = hooked
    bo = api.user(1002)
    mark = api.mark()
    api.user_says(bo, "/help")
    if secret:
        assert await api.deliver_to_webhook(address, secret=secret) == [403]
    else:
        update = api.world.updates.pending.pop()
        async with aiohttp.ClientSession() as session, session.post(address, json=update) as r:
            assert r.status == 403
    await asyncio.sleep(0.3)  # long enough for a handler to have answered
    assert api.calls(since=mark) == []


async def test_polling_removes_a_webhook_left_from_an_earlier_run(app, api):
    assert api.calls("deleteWebhook")
    assert api.world.webhook is None


async def test_without_a_configured_secret_each_start_makes_a_fresh_one(api, seeded):
    settings = webhook_settings(api, seeded, free_port(), None)
    first, second = webhook_options(settings), webhook_options(settings)
    assert first["secret_token"] != second["secret_token"]
    assert len(first["secret_token"]) >= 32
    assert first["url_path"] == "telegram/hook"
