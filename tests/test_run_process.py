"""`python -m bot run` as operators start it: answers, then stops cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.fakes.bot_api import FakeBotApi
from tests.fakes.conversation import reply_to

STARTUP = 30.0  # seconds: a cold interpreter importing PTB on a busy 2-core machine
SHUTDOWN = 10.0


async def start_bot(api: FakeBotApi, db: Path, workdir: Path) -> asyncio.subprocess.Process:
    """The bot in its own process, verbose, talking to the fake Bot API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DIGESTBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        DIGESTBOT_DB=str(db),
        DIGESTBOT_ADMINS="4242",
        LANG="C.UTF-8",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "-v", "run",
        cwd=workdir, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def integrity(db: Path) -> tuple[str, list[tuple]]:
    """SQLite's own check of the file, and the chat rows the conversation left."""
    with sqlite3.connect(db) as conn:
        [(verdict,)] = conn.execute("PRAGMA integrity_check").fetchall()
        rows = conn.execute("SELECT id, type, timezone, active FROM chats ORDER BY id").fetchall()
    return verdict, rows


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_the_bot_answers_then_stops_cleanly_without_leaking_its_token(
    api, seeded, tmp_path, signum
):
    process = await start_bot(api, seeded, tmp_path)
    try:
        ada = api.user(1001, language_code="zh")
        # Polling starts by removing any webhook; a long poll is logged only when it returns
        await api.wait_for("deleteWebhook", timeout=STARTUP)
        welcome = await reply_to(api, ada, "/start")
        assert welcome["text"].startswith("你好，Ada")
        process.send_signal(signum)
        stdout, stderr = await asyncio.wait_for(process.communicate(), SHUTDOWN)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (stdout + stderr).decode()
    assert process.returncode == 0, output[-2000:]
    assert "getUpdates" in output  # -v logs every request...
    assert api.token not in output  # ...with the token redacted
    assert api.token.split(":", 1)[1] not in output
    assert "Traceback" not in output
    verdict, rows = integrity(seeded)
    assert verdict == "ok"
    assert rows == [(ada.id, "private", "Asia/Shanghai", 1)]
