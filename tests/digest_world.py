"""A small world for digest and push tests: papers announced on given days, with topics and
summaries, and chats subscribed as of a given moment."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from bot import config
from bot.push.delivery import PushReport, push_bot, push_pass
from bot.runtime import Runtime, open_runtime
from storage import chats, papers, subscriptions, summaries
from storage import topics as stored_topics
from storage.models import Paper, Summary, TopicMatch

LONG_AGO = datetime(2023, 1, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent


def settings(db_path: Path, api: object | None = None, **env: str) -> config.Settings:
    values = {"DIGESTBOT_DB": str(db_path), "DIGESTBOT_TIMEZONE": "Asia/Shanghai", **env}
    if api is not None:
        values |= {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url}
    return config.load(values, env_file=None)


async def runtime(db_path: Path, api: object | None = None, **env: str) -> Runtime:
    return await open_runtime(settings(db_path, api, **env))


async def add_paper(
    rt: Runtime,
    arxiv_id: str,
    announced: datetime,
    topics: Mapping[str, float],
    *,
    title: str | None = None,
    summaries_by_lang: Mapping[str, str] | None = None,
    importance: float | None = None,
    announce_type: str = "new",
) -> int:
    """Store a paper announced at `announced` in `topics` (slug → match score); its row id."""
    paper = Paper(
        arxiv_id=arxiv_id,
        version=1,
        title=title or f"A study of things, part {arxiv_id}",
        authors=("Ada Lovelace", "Alan Turing"),
        abstract=f"We study {arxiv_id}. It works.",
        categories=("cs.CL",),
        submitted=announced,
        announced=announced,
        announce_type=announce_type,
    )
    result = await papers.upsert(rt.db, [paper])
    paper_id = result.changed[0].id
    matches = [TopicMatch(slug, score) for slug, score in topics.items()]
    await stored_topics.assign(rt.db, [(paper_id, matches)])
    for lang, text in (summaries_by_lang or {"en": f"What {arxiv_id} found."}).items():
        summary = Summary(lang, text, "llm", model="m", importance=importance)
        await summaries.put(rt.db, paper_id, summary)
    return paper_id


async def subscribe(
    rt: Runtime,
    chat_id: int,
    slugs: list[str],
    *,
    chat_type: str = "private",
    timezone: str = "Asia/Shanghai",
    weekday: int = 0,
    hour: int = 9,
    language: str | None = "en",
    queries: list[str] | None = None,
    since: datetime = LONG_AGO,
    thread_id: int | None = None,
) -> None:
    """A chat taking `slugs` (and saved `queries`), its subscriptions dated `since`."""
    await chats.ensure(rt.db, chat_id, chat_type, None, default_timezone=timezone)
    await chats.set_timezone(rt.db, chat_id, timezone)
    await chats.set_delivery(rt.db, chat_id, weekday=weekday, hour=hour)
    if language:
        await chats.set_language(rt.db, chat_id, language)
    for slug in slugs:
        await subscriptions.add_topic(rt.db, chat_id, slug, thread_id=thread_id)
    for query in queries or []:
        await subscriptions.add_query(rt.db, chat_id, query, thread_id=thread_id)
    await rt.db.conn.execute(
        "UPDATE subscriptions SET created_at = ? WHERE chat_id = ?",
        (since.isoformat(timespec="seconds"), chat_id),
    )


async def run_pass(rt: Runtime, now: datetime) -> PushReport:
    """One delivery pass in this process, as of `now`."""
    async with push_bot(rt.settings) as bot:
        return await push_pass(rt, bot, now)


async def push_process(rt: Runtime, api: object, now: datetime) -> asyncio.subprocess.Process:
    """`digestbot push --now NOW --json` started in a subprocess, as cron would run it."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DIGESTBOT_DB": rt.settings.db_path,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DIGESTBOT_TIMEZONE": "Asia/Shanghai",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "push", "--now", now.isoformat(), "--json",
        cwd=Path(rt.settings.db_path).parent, env=env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
