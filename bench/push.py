"""Benchmark: one push pass to many chats against the fake Bot API server on 127.0.0.1.

The fake runs in its own process (one core), the pass in this one. Two runs:

1. fast: N chats (default 10,000), each subscribed to three topics of ten papers (a digest of
   several messages), with paid broadcasts, whose ceiling is 1,000 messages a second;
2. limited: a small number of chats at the ordinary 30 messages a second, the fake answering
   429 to anything above that rate.

Baseline, measured in the same run: the same transport sending the same number of messages
with no ledger, no limiter and no per-chat spacing (what the machine can do at all).
Duplicates and losses come from the fake's count of distinct (chat, text) messages against
the ledger. Peak RSS is this process's. The last line printed is one JSON object.

    .venv/bin/python bench/push.py [--chats 10000] [--limited-chats 150]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot

from bot import config
from bot.push.delivery import push_bot
from bot.push.navigation import PushNavigation
from bot.push.plan import plan_due
from bot.push.send import Broadcast
from bot.push.transport import AiohttpRequest
from bot.runtime import open_runtime
from storage import deliveries
from storage.db import utcnow
from tests.fakes.bot_api_process import FakeBotApiProcess

TOPICS = ("rag", "agents", "reasoning")
PAPERS_PER_TOPIC = 10
ANNOUNCED = datetime(2024, 6, 18, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)  # Monday 09:00 in Shanghai after 17–30 June
SUMMARY = (
    "The authors propose a method and evaluate it on three public benchmarks, where it "
    "improves over strong baselines while using less compute; ablations show which parts matter."
)


async def seed(path: Path, chats: int) -> None:
    """Papers for the fortnight of 17–30 June 2024 and `chats` subscribed chats, in bulk."""
    from storage import papers, summaries
    from storage import topics as stored_topics
    from storage.models import Paper, Summary, TopicMatch

    settings = config.load({"DIGESTBOT_DB": str(path)}, env_file=None)
    rt = await open_runtime(settings)
    try:
        pairs = [
            (
                topic,
                Paper(
                    f"2406.{10000 + i * 100 + n}",
                    1,
                    f"A {topic} paper number {n} with a title of ordinary length for arXiv",
                    authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
                    abstract=SUMMARY,
                    categories=("cs.CL",),
                    submitted=ANNOUNCED,
                    announced=ANNOUNCED,
                    announce_type="new",
                ),
            )
            for i, topic in enumerate(TOPICS)
            for n in range(PAPERS_PER_TOPIC)
        ]
        stored = (await papers.upsert(rt.db, [paper for _, paper in pairs])).changed
        by_id = {p.arxiv_id: p.id for p in stored}
        await stored_topics.assign(
            rt.db, [(by_id[p.arxiv_id], [TopicMatch(topic, 1.0)]) for topic, p in pairs]
        )
        for paper_id in by_id.values():
            await summaries.put(rt.db, paper_id, Summary("en", SUMMARY, "llm", model="bench"))
        since = (DUE - timedelta(days=30)).isoformat(timespec="seconds")
        now = utcnow()
        async with rt.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO chats (id, type, language, timezone, created_at, changed_at)"
                " VALUES (?, 'private', 'en', 'Asia/Shanghai', ?, ?)",
                [(1_000_000 + n, now, now) for n in range(chats)],
            )
            await conn.executemany(
                "INSERT INTO subscriptions (chat_id, topic_slug, created_at) VALUES (?, ?, ?)",
                [(1_000_000 + n, topic, since) for n in range(chats) for topic in TOPICS],
            )
    finally:
        await rt.close()


async def push_run(path: Path, server: FakeBotApiProcess, *, paid: bool) -> dict:
    """Plan and send one pass; its figures."""
    settings = config.load(
        {
            "DIGESTBOT_DB": str(path),
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "DIGESTBOT_PAID_BROADCAST": "1" if paid else "0",
        },
        env_file=None,
    )
    rt = await open_runtime(settings)
    before = server.stats()
    try:
        started = time.perf_counter()
        await plan_due(rt, DUE)
        planned_s = time.perf_counter() - started
        expected = await deliveries.open_count(rt.db)
        async with push_bot(settings) as bot:
            started = time.perf_counter()
            walk = PushNavigation(rt.db, settings.epoch, DUE)  # ◀ ▶ as push_pass draws it
            report = await Broadcast(rt.db, bot, paid_broadcast=paid, navigation=walk).run()
            send_s = time.perf_counter() - started
        states = await deliveries.counts(rt.db)
    finally:
        await rt.close()
    after = server.stats()
    accepted = after["messages_accepted"] - before["messages_accepted"]
    distinct = after["messages_distinct"] - before["messages_distinct"]
    return {
        "messages": expected,
        "sent": report.sent,
        "plan_s": round(planned_s, 2),
        "send_s": round(send_s, 2),
        "msgs_per_s": round(report.sent / send_s, 1),
        "retry_after_hits": report.retry_after_hits,
        "duplicates": accepted - distinct,
        "lost": expected - distinct,
        "unsent_in_ledger": states.get("pending", 0) + states.get("claimed", 0),
    }


async def raw_baseline(server: FakeBotApiProcess, messages: int) -> float:
    """Messages a second through the same transport with nothing else in the way."""
    bot = Bot(server.token, base_url=server.base_url, request=AiohttpRequest(64))
    text = "<b>baseline</b> " + "x" * 300
    async with bot:
        queue = iter(range(messages))

        async def worker() -> None:
            for n in queue:
                await bot.send_message(2_000_000 + n, text, parse_mode="HTML")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(64)))
        return messages / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--limited-chats", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fast_db, slow_db = Path(tmp) / "fast.sqlite3", Path(tmp) / "slow.sqlite3"
        await seed(fast_db, args.chats)
        await seed(slow_db, args.limited_chats)
        with FakeBotApiProcess() as server:
            baseline = await raw_baseline(server, 5_000)
            fast = await push_run(fast_db, server, paid=True)
        with FakeBotApiProcess(overall_per_second=30) as server:
            limited = await push_run(slow_db, server, paid=False)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"baseline, transport alone: {baseline:,.0f} messages/s")
    print(
        f"fast, {args.chats:,} chats, {fast['messages']:,} messages: {fast['msgs_per_s']:,.0f}/s"
        f" sending ({fast['send_s']} s; planning {fast['plan_s']} s),"
        f" {fast['msgs_per_s'] / 1000:.2f} of the 1,000/s ceiling,"
        f" {fast['msgs_per_s'] / baseline:.2f} of the baseline"
    )
    print(
        f"limited, {args.limited_chats} chats, {limited['messages']} messages:"
        f" {limited['msgs_per_s']:.1f}/s = {limited['msgs_per_s'] / 30:.2f} of 30/s,"
        f" {limited['retry_after_hits']} answered 429"
    )
    duplicates = fast["duplicates"] + limited["duplicates"]
    lost = fast["lost"] + limited["lost"]
    print(f"duplicates {duplicates}, lost {lost}, peak RSS {peak_rss_mb:.0f} MB")
    print(
        json.dumps(
            {
                "msgs_per_s_fast": fast["msgs_per_s"],
                "ratio_to_limit_1000": round(fast["msgs_per_s"] / 1000, 3),
                "ratio_to_baseline": round(fast["msgs_per_s"] / baseline, 3),
                "baseline_msgs_per_s": round(baseline, 1),
                "ratio_to_limit_30": round(limited["msgs_per_s"] / 30, 3),
                "retry_after_hits": fast["retry_after_hits"] + limited["retry_after_hits"],
                "duplicates": duplicates,
                "lost": lost,
                "peak_rss_mb": round(peak_rss_mb, 1),
                "chats": args.chats,
                "messages_fast": fast["messages"],
                "plan_s_fast": fast["plan_s"],
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
