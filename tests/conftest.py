"""Shared fixtures: a real SQLite database with every migration applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot

from storage.db import Database
from tests.fakes.bot_api import FakeBotApi

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
