"""The backfill as operators meet it: `digestbot run` on a fresh database backfills in the
background while it answers users, stops within 5 s of SIGTERM and finishes on the next start;
`digestbot ingest --from … --to …` killed outright resumes at its page; a silly range is one
line and exit 2."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.digest.periods import period_of
from tests.fakes.arxiv_catalogue import Catalogue, fortnights_of_papers
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.conversation import reply_to
from tests.test_cli import REPO, _env
from tests.test_cli import run as cli
from tests.test_run_lifecycle import PROMPT, BotProcess, assert_clean, integrity, until

CATEGORIES = ("cs.CL", "cs.LG")
EPOCH = "2024-01-01"


def two_fortnights(per_day: int) -> Catalogue:
    """Papers every day of the previous and current fortnight, as the bot's clock sees them."""
    current = period_of(datetime.now(UTC), datetime.fromisoformat(EPOCH).date())
    return Catalogue(fortnights_of_papers(CATEGORIES, current.previous().start, 28, per_day))


def stored(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT arxiv_id FROM papers ORDER BY arxiv_id")]


def sources_env(api_url: str, interval: str) -> dict[str, str]:
    return {
        "DIGESTBOT_SOURCES": "https://rss.arxiv.org/rss/" + "+".join(CATEGORIES),
        "DIGESTBOT_ARXIV_API": api_url,
        "DIGESTBOT_ARXIV_INTERVAL": interval,
        "DIGESTBOT_EPOCH": EPOCH,
    }


async def test_a_fresh_bot_answers_search_during_its_backfill_stops_on_sigterm_and_resumes(
    api: FakeBotApi, tmp_path: Path
):
    cat = two_fortnights(per_day=40)  # 200-entry pages: 24 of them, 0.3 s apart
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        env = {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_JOBS": "backfill",
            **sources_env(arxiv.url("/api/query"), "0.3"),
        }
        db = tmp_path / "bot.sqlite3"
        async with BotProcess(db, tmp_path, **env) as bot:
            await bot.wait_for_output("polling as @digest_test_bot")
            await until(lambda: len(arxiv.requests) >= 3)
            asked = time.monotonic()
            reply = await reply_to(api, api.user(1001), "/search retrieval")
            assert time.monotonic() - asked < 3.0
            assert "retrieval" in reply["text"].lower()
            assert "papers so far" in bot.output  # progress in the log, a line a page
            took = await bot.stop(signal.SIGTERM)
            assert took < PROMPT, bot.output[-3000:]
            assert bot.process.returncode == 0
            assert_clean(bot.output, api.token)
            assert "backfill stopped during cs." in bot.output
        assert integrity(db) == "ok"
        assert len(stored(db)) < len(cat.papers)
        async with BotProcess(db, tmp_path, **env) as bot:  # the next start finishes it
            await bot.wait_for_output("backfill: ", within=60)
            await until(lambda: len(stored(db)) == len(cat.papers), within=60)
            await bot.wait_for_output("errors", within=30)
            await bot.stop()
            assert_clean(bot.output, api.token)
    assert stored(db) == sorted(p.arxiv_id for p in cat.papers)
    assert sum(cat.pages.values()) <= len(cat.pages) + 1  # only the page in flight, again


async def test_an_ingest_killed_mid_backfill_resumes_at_its_page_and_stores_every_paper_once(
    tmp_path: Path,
):
    last = datetime.now(UTC).date() - timedelta(days=1)
    first = last - timedelta(days=27)
    cat = Catalogue(fortnights_of_papers(CATEGORIES, first, 28, 30))
    args = ("ingest", "--from", first.isoformat(), "--to", last.isoformat(), "--json")
    async with FakeArxiv() as arxiv:
        arxiv.respond("/api/query", cat)
        env = {**_env(tmp_path, **sources_env(arxiv.url("/api/query"), "0.2"))}
        env["PYTHONPATH"] = str(REPO)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await until(lambda: len(arxiv.requests) >= 5)
        process.kill()
        await process.wait()
        assert process.returncode == -signal.SIGKILL
        db = tmp_path / "db.sqlite3"
        assert 0 < len(stored(db)) < len(cat.papers)
        code, out, err = await cli(tmp_path, *args, **sources_env(arxiv.url("/api/query"), "0"))
    assert code == 0, err
    assert json.loads(out)["errors"] == []
    assert stored(db) == sorted(p.arxiv_id for p in cat.papers)
    assert sum(cat.pages.values()) <= len(cat.pages) + 1  # only the page in flight, again


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--from", "2024-06-16", "--to", "2024-06-03"), "is after --to 2024-06-03"),
        (("--from", "1990-01-01", "--to", "1990-02-01"), "before arXiv's first paper"),
        (("--from", "2023-01-01", "--to", "2024-06-01"), "more than a year"),
        (("--to", "2024-06-01"), "--to needs --from"),
        (("--from", "2024-06-31"), "not a date"),
    ],
)
async def test_a_silly_range_is_one_line_and_exit_2(tmp_path: Path, args, says):
    code, out, err = await cli(tmp_path, "ingest", *args, "--json")
    assert code == 2
    assert says in json.loads(out)["error"]
    assert len(err.strip().splitlines()) == 1
    assert says in err
    assert not (tmp_path / "db.sqlite3").exists()
