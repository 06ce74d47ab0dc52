"""Shared fixtures: a real SQLite database with every migration applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot
from telegram.ext import Application

from bot import config
from bot.app import build_application
from bot.ingest.service import ingest_file
from bot.runtime import Runtime
from storage.db import Database
from tests import digest_world
from tests.fakes.bot_api import FakeBotApi
from tests.running import running

REPO = Path(__file__).resolve().parent.parent
SHARED_ARXIV = REPO.parent / "shared" / "fixtures" / "arxiv"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file, migrated."""
    database = await Database.open(tmp_path / "digestbot.sqlite3")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def shared_arxiv() -> Path:
    """The real arXiv responses beside the repository; the test skips where they are absent."""
    if not SHARED_ARXIV.is_dir():
        pytest.skip(f"real arXiv fixtures not found at {SHARED_ARXIV}")
    return SHARED_ARXIV


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A fake Telegram Bot API server on 127.0.0.1."""
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """A real python-telegram-bot Bot talking to the fake server."""
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    """A database holding the mixed RSS fixture's papers."""
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        report = await ingest_file(db, FIXTURES / "arxiv_rss_mixed.xml")
        assert report.new > 0
    return path


@pytest.fixture
async def app(api: FakeBotApi, seeded: Path) -> AsyncIterator[Application]:
    """The bot, polling the fake server, started and shut down as `digestbot run` does."""
    settings = config.load(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_DB": str(seeded),
            "DIGESTBOT_ADMINS": "4242",
            "DIGESTBOT_JOBS": "push",  # never reach out to arXiv from a test
        },
        env_file=None,
    )
    async with running(build_application(settings)) as application:
        yield application


@pytest.fixture
async def push_rt(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[Runtime]:
    """A runtime on a fresh database whose bot talks to the fake Bot API, for pushes."""
    api.world.any_chat = True  # the chats met the bot before these tests begin
    runtime = await digest_world.runtime(tmp_path / "push.sqlite3", api)
    try:
        yield runtime
    finally:
        await runtime.close()
