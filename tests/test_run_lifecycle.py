"""`digestbot run` as a service manager runs it: it says how it runs, waits out a Telegram it
cannot reach, refuses a rejected token in one line, and stops within 5 s of SIGTERM whatever
it is doing, leaving a sound database and its unfinished work for the next start."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.push.plan import plan_due
from tests import digest_world as world
from tests.conftest import FIXTURES
from tests.fakes.arxiv_server import Answer, FakeArxiv
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.conversation import reply_to
from tests.fakes.openai_server import FakeOpenAI

REPO = Path(__file__).resolve().parent.parent
STARTUP = 30.0  # seconds: a cold interpreter importing PTB on a busy 2-core machine
PROMPT = 5.0  # the longest SIGTERM may take, in every phase


class BotProcess:
    """`python -m bot run` in its own process; what it prints is collected as it comes."""

    def __init__(self, db: Path, workdir: Path, **env: str) -> None:
        self.db, self.workdir = db, workdir
        base = {
            k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DIGESTBOT_"))
        }
        base.pop("OPENAI_API_KEY", None)
        base.update({"DIGESTBOT_DB": str(db), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO), **env})
        self.env = base
        self.output = ""
        self.process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task] = []

    async def __aenter__(self) -> BotProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=self.workdir, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._readers = [
            asyncio.create_task(self._collect(self.process.stdout)),
            asyncio.create_task(self._collect(self.process.stderr)),
        ]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await asyncio.gather(*self._readers, return_exceptions=True)

    async def _collect(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.output += line.decode(errors="replace")

    async def wait_for_output(self, text: str, within: float = STARTUP) -> None:
        deadline = time.monotonic() + within
        while text not in self.output:
            assert self.process.returncode is None, self.output[-3000:]
            assert time.monotonic() < deadline, f"no {text!r} in:\n{self.output[-3000:]}"
            await asyncio.sleep(0.05)

    async def stop(self, signum: int = signal.SIGTERM) -> float:
        """Send the signal; the seconds until the process ended."""
        started = time.monotonic()
        self.process.send_signal(signum)
        await asyncio.wait_for(self.process.wait(), 30)
        await asyncio.gather(*self._readers)
        return time.monotonic() - started

    async def ended(self, within: float = STARTUP) -> int:
        await asyncio.wait_for(self.process.wait(), within)
        await asyncio.gather(*self._readers)
        return self.process.returncode


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def assert_clean(output: str, *secrets: str) -> None:
    assert "Traceback" not in output, output[-3000:]
    assert "Unclosed" not in output, output[-3000:]
    for secret in secrets:
        assert secret not in output


async def until(condition, within: float = STARTUP) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_during_the_first_ingest_ends_within_5_s_and_the_ingest_resumes(
    api: FakeBotApi, tmp_path: Path, signum: int
):
    feed = (FIXTURES / "arxiv_rss_mixed.xml").read_bytes()
    async with FakeArxiv() as arxiv:
        # arXiv at its slowest: the first answer takes 20 s
        url = arxiv.script("/rss/cs.CL", Answer(body=feed, delay=20), Answer(body=feed))
        env = {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_SOURCES": url,
            "DIGESTBOT_JOBS": "ingest",
        }
        db = tmp_path / "bot.sqlite3"
        async with BotProcess(db, tmp_path, **env) as bot:
            await bot.wait_for_output("polling as @digest_test_bot")
            await until(lambda: arxiv.seen("/rss/cs.CL"))
            took = await bot.stop(signum)
            assert took < PROMPT, bot.output[-3000:]
            assert bot.process.returncode == 0
            assert_clean(bot.output, api.token)
        assert integrity(db) == "ok"
        async with BotProcess(db, tmp_path, **env) as bot:  # the next start ingests again
            await until(lambda: papers_in(db) == 4)
            await bot.stop()
        assert len(arxiv.seen("/rss/cs.CL")) == 2
        assert integrity(db) == "ok"


def papers_in(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM papers").fetchone()[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_an_unreachable_telegram_is_waited_for_with_one_line_a_try_then_used(
    tmp_path: Path,
):
    port = _free_port()
    token = "123456789:AAFakeTokenForTestsOnly-abcdefghijkl"
    env = {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "DIGESTBOT_JOBS": "none",
    }
    async with BotProcess(tmp_path / "bot.sqlite3", tmp_path, **env) as bot:
        await bot.wait_for_output("trying again in 2 s")  # the second try failed too
        lines = [line for line in bot.output.splitlines() if "cannot reach Telegram" in line]
        assert "cannot reach Telegram at 127.0.0.1" in lines[0]
        assert len(bot.output.splitlines()) == len(lines)  # nothing but these lines
        async with FakeBotApi(token, port=port):  # the network is back
            await bot.wait_for_output("polling as @digest_test_bot", within=STARTUP)
            took = await bot.stop()
        assert took < PROMPT
        assert bot.process.returncode == 0
        assert_clean(bot.output, token, token.split(":")[1])


async def test_a_stop_while_telegram_is_unreachable_ends_at_once(tmp_path: Path):
    env = {
        "TELEGRAM_BOT_TOKEN": "123456789:AAFakeTokenForTestsOnly-abcdefghijkl",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{_free_port()}/bot",
    }
    async with BotProcess(tmp_path / "bot.sqlite3", tmp_path, **env) as bot:
        await bot.wait_for_output("cannot reach Telegram")
        took = await bot.stop()
    assert took < PROMPT
    assert bot.process.returncode == 0
    assert_clean(bot.output)


async def test_a_rejected_token_is_one_line_and_a_failed_exit(api: FakeBotApi, tmp_path: Path):
    rejected = "987654321:AAAnotherTokenTheServerDoesNotKnow12"
    env = {"TELEGRAM_BOT_TOKEN": rejected, "TELEGRAM_API_BASE_URL": api.base_url}
    async with BotProcess(tmp_path / "bot.sqlite3", tmp_path, **env) as bot:
        code = await bot.ended()
    assert code == 2
    assert bot.output.splitlines() == [
        "digestbot: Telegram rejected the token (TELEGRAM_BOT_TOKEN)"
    ]
    assert_clean(bot.output, rejected, rejected.split(":")[1])


async def test_a_stop_during_a_push_pass_ends_within_5_s_and_the_rest_goes_out_next_start(
    api: FakeBotApi, tmp_path: Path
):
    api.world.any_chat = True
    db = tmp_path / "push.sqlite3"
    rt = await world.runtime(db, api)
    try:
        # The bot pushes as of now: papers of the fortnight that closed last
        last_fortnight = datetime.now(UTC) - timedelta(days=14)
        for n in range(6):
            await world.add_paper(
                rt, f"2406.410{n}", last_fortnight, {"rag": 1.0}, title=f"RAG {n}"
            )
        for chat_id in range(301, 311):
            await world.subscribe(rt, chat_id, ["rag"])
        planned = await plan_due(rt, datetime.now(UTC))
    finally:
        await rt.close()
    assert planned.parts == 10
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DIGESTBOT_JOBS": "push",
    }
    api.latency = 2.0  # a slow Telegram: the pass of ten chats takes a while
    async with BotProcess(db, tmp_path, **env) as bot:
        try:
            await api.wait_for("sendMessage", timeout=STARTUP)
        except TimeoutError:
            raise AssertionError(bot.output) from None
        took = await bot.stop()
        assert took < PROMPT, bot.output[-3000:]
        assert bot.process.returncode == 0
        assert_clean(bot.output, api.token)
    assert integrity(db) == "ok"
    assert open_parts(db) > 0
    api.latency = 0.0
    async with BotProcess(db, tmp_path, **env) as bot:  # the next start sends the rest
        await until(lambda: open_parts(db) == 0)
        await bot.stop()
    assert integrity(db) == "ok"


def open_parts(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM deliveries WHERE state != 'sent'").fetchone()[0]


async def test_a_stop_during_a_summaries_run_ends_within_5_s_and_the_run_resumes(
    api: FakeBotApi, tmp_path: Path
):
    db = tmp_path / "summaries.sqlite3"
    rt = await world.runtime(db, api)
    try:
        last_fortnight = datetime.now(UTC) - timedelta(days=14)
        for n in range(3):
            await world.add_paper(
                rt, f"2406.420{n}", last_fortnight, {"rag": 1.0}, title=f"RAG {n}"
            )
        await world.subscribe(rt, 301, ["rag"])
    finally:
        await rt.close()
    with sqlite3.connect(db) as conn:  # fetched three days ago: ingest, then summarize, at start
        stale = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="seconds")
        conn.execute("INSERT INTO feeds (url, fetched_at, status) VALUES ('x', ?, 'ok')", (stale,))
    async with FakeArxiv() as arxiv, FakeOpenAI() as model:
        env = {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_SOURCES": arxiv.url("/rss/gone"),  # 404 at once
            "DIGESTBOT_JOBS": "ingest,summarize",
            "OPENAI_BASE_URL": model.base_url,
            "OPENAI_API_KEY": "sk-test-key-for-the-fake-model",
        }
        model.latency = 20.0  # a model that thinks for a long time
        async with BotProcess(db, tmp_path, **env) as bot:
            await until(lambda: model.requests)
            took = await bot.stop()
            assert took < PROMPT, bot.output[-3000:]
            assert bot.process.returncode == 0
            assert_clean(bot.output, api.token, "sk-test-key-for-the-fake-model")
        assert integrity(db) == "ok"
        assert summaries_by_model(db) == 0
        model.latency = 0.0
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE feeds SET fetched_at = ?", (stale,))
        async with BotProcess(db, tmp_path, **env) as bot:  # the next start asks again
            await until(lambda: summaries_by_model(db) == 3)
            await bot.stop()


def summaries_by_model(db: Path) -> int:
    """The Chinese summaries the model wrote (the papers came with English ones)."""
    with sqlite3.connect(db) as conn:
        query = "SELECT count(*) FROM summaries WHERE source = 'llm' AND lang = 'zh'"
        return conn.execute(query).fetchone()[0]


async def test_a_webhook_bot_says_where_it_listens_and_stops_promptly(
    api: FakeBotApi, tmp_path: Path
):
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DIGESTBOT_JOBS": "none",
        "DIGESTBOT_WEBHOOK_URL": "https://bot.example.org/telegram/hook",
        "DIGESTBOT_WEBHOOK_LISTEN": "127.0.0.1",
        "DIGESTBOT_WEBHOOK_PORT": str(_free_port()),
        "DIGESTBOT_WEBHOOK_SECRET": "a-webhook-secret-of-ours",
    }
    async with BotProcess(tmp_path / "bot.sqlite3", tmp_path, **env) as bot:
        await bot.wait_for_output(
            "webhook at https://bot.example.org/telegram/hook as @digest_test_bot"
        )
        [registered] = api.calls("setWebhook")
        assert registered.params["url"] == "https://bot.example.org/telegram/hook"
        took = await bot.stop()
    assert took < PROMPT
    assert bot.process.returncode == 0
    assert_clean(bot.output, api.token, "a-webhook-secret-of-ours")


async def test_telegram_lost_while_polling_is_one_line_a_try_and_the_bot_answers_when_it_returns(
    tmp_path: Path,
):
    port = _free_port()
    api = await FakeBotApi(port=port).start()
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DIGESTBOT_JOBS": "none",
    }
    try:
        async with BotProcess(tmp_path / "bot.sqlite3", tmp_path, **env) as bot:
            await bot.wait_for_output("polling as @digest_test_bot")
            await api.stop()  # the network goes away
            await bot.wait_for_output("polling Telegram at 127.0.0.1 failed")
            api = await FakeBotApi(port=port).start()  # and comes back
            welcome = await reply_to(api, api.user(1001, language_code="en"), "/start")
            assert welcome["text"]
            took = await bot.stop()
    finally:
        await api.stop()
    assert took < PROMPT
    assert_clean(bot.output, api.token)
    lines = bot.output.splitlines()
    assert all("polling Telegram at 127.0.0.1 failed" in line for line in lines[1:-1]), lines
