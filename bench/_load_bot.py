"""The bot under load, in its own process: started concurrent (as `digestbot run` is) or
with PTB's default one-update-at-a-time processing, and the lines it logged at ERROR.

`python bench/_load_bot.py concurrent|sequential` runs the bot from the environment, as
`python -m bot run` does; the parent reads its standard error.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.bot_api import FakeBotApi

STARTUP = 60.0  # seconds for the bot process to import, open the database and start polling


async def start(api: FakeBotApi, db: Path, mode: str, log: Path) -> asyncio.subprocess.Process:
    """The bot polling `api` over `db`, its log going to `log`, ready to take updates."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DIGESTBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        DIGESTBOT_DB=str(db),
        DIGESTBOT_JOBS="push",  # no ingestion reaching out to arXiv during the run
        # Measure the bot, not Telegram's 30/s ceiling for an ordinary bot
        DIGESTBOT_MAX_SENDS_PER_SECOND="1000",
    )
    mark = api.mark()
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, mode, cwd=db.parent, env=env, stderr=stderr
        )
    await api.wait_for("deleteWebhook", since=mark, timeout=STARTUP)
    return process


async def stop(process: asyncio.subprocess.Process) -> float:
    """Stop the bot; the CPU seconds it used (None where /proc is not there)."""
    cpu = cpu_seconds(process.pid)
    process.terminate()
    await process.wait()
    return cpu


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def errors_logged(log: Path) -> list[str]:
    """The lines the bot logged at ERROR or CRITICAL."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if " ERROR " in line or " CRITICAL " in line]


def _run(mode: str) -> None:
    from telegram.ext import ApplicationBuilder

    from bot import app, config
    from bot.runtime import configure_logging

    if mode == "sequential":
        # The builder's default stays: PTB awaits each update before taking the next
        ApplicationBuilder.concurrent_updates = lambda self, _processor: self
    configure_logging()
    app.run_polling(config.load())


if __name__ == "__main__":
    _run(sys.argv[1])
