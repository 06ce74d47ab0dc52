"""The bot in chat, end to end: updates handled per second and per-update latency.

Run as `python bench/bot.py [--papers 200000] [--updates 300]`. The real `python -m bot run`
runs in its own process and polls a fake Bot API served by this one on 127.0.0.1, over a copy
of the cached search corpus (bench/_corpus.py; copied because opening it migrates it).

Latency is taken one update at a time: from getUpdates handing the update out to the reply's
sendMessage reaching the fake. Throughput is taken with a burst of updates queued at once.
The workload is a mix of `/search <query>` and `/paper <id>`; the baseline is `/help`, which
touches no table but the chat's row. Prints readable figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._corpus import arxiv_id, cached_database
from bench.search import CHINESE, COMMON, PHRASES, RARE
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_updates import FakeUser

USERS = 100
STARTUP = 60.0  # seconds for the bot process to import, open the database and start polling


def workload(papers: int, count: int, rng: random.Random) -> list[str]:
    """Half searches (common and rare words, phrases, Chinese), half paper cards."""
    words = COMMON.split() + RARE.split() + CHINESE.split()
    texts = []
    for i in range(count):
        if i % 2:
            texts.append(f"/paper {arxiv_id(rng.randrange(papers))}")
        elif i % 4 == 0:
            texts.append(f"/search {rng.choice(PHRASES)}")
        else:
            texts.append(f"/search {rng.choice(words)}")
    return texts


async def start_bot(api: FakeBotApi, db: Path, workdir: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DIGESTBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        DIGESTBOT_DB=str(db),
        # Measure the bot, not Telegram's 30/s ceiling for an ordinary bot
        DIGESTBOT_MAX_SENDS_PER_SECOND="1000",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=workdir, env=env
    )
    await api.wait_for("deleteWebhook", timeout=STARTUP)
    return process


async def latencies(api: FakeBotApi, users: list[FakeUser], texts: list[str]) -> list[float]:
    """Milliseconds from each update being served to its reply arriving, one at a time."""
    result = []
    for i, text in enumerate(texts):
        user = users[i % len(users)]
        mark = api.mark()
        update = api.user_says(user, text)
        [sent] = await api.wait_for("sendMessage", chat_id=user.id, since=mark, timeout=30)
        served = api.world.updates.served_at[update["update_id"]]
        result.append((sent.at - served) * 1000)
    return result


async def throughput(api: FakeBotApi, users: list[FakeUser], texts: list[str]) -> float:
    """Updates per second for a burst queued at once, first served to last reply."""
    mark = api.mark()
    updates = [api.user_says(users[i % len(users)], text) for i, text in enumerate(texts)]
    sent = await api.wait_for("sendMessage", count=len(texts), since=mark, timeout=300)
    first = min(api.world.updates.served_at[u["update_id"]] for u in updates)
    return len(texts) / (max(call.at for call in sent) - first)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(corpus: Path, papers: int, count: int) -> dict:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        db = Path(tmp) / "bot.sqlite3"
        shutil.copyfile(corpus, db)
        async with FakeBotApi(any_chat=True) as api:
            languages = [rng.choice(["en", "zh"]) for _ in range(USERS)]
            users = [api.user(10_000 + i, language_code=lang) for i, lang in enumerate(languages)]
            process = await start_bot(api, db, Path(tmp))
            try:
                await latencies(api, users, ["/help"] * USERS + workload(papers, 40, rng))
                base = await latencies(api, users, ["/help"] * count)
                work = await latencies(api, users, workload(papers, count, rng))
                base_rate = await throughput(api, users, ["/help"] * count)
                work_rate = await throughput(api, users, workload(papers, count, rng))
            finally:
                process.terminate()
                await process.wait()
    return {
        "updates_per_s": round(work_rate, 1),
        "p50_ms": round(statistics.median(work), 2),
        "p99_ms": round(percentile(work, 0.99), 2),
        "max_ms": round(max(work), 2),
        "help_updates_per_s": round(base_rate, 1),
        "help_p50_ms": round(statistics.median(base), 2),
        "help_p99_ms": round(percentile(base, 0.99), 2),
        "p50_vs_help": round(statistics.median(work) / statistics.median(base), 2),
        "rate_vs_help": round(work_rate / base_rate, 2),
        "papers": papers,
        "updates": count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--updates", type=int, default=300, help="per phase")
    args = parser.parse_args()
    started = time.monotonic()
    corpus = cached_database(args.papers)  # built once, outside the event loop
    result = asyncio.run(measure(corpus, args.papers, args.updates))
    print(f"papers stored            {result['papers']:,}")
    print(f"/search + /paper mix     p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
          f"{result['updates_per_s']} updates/s")  # fmt: skip
    print(f"/help (baseline)         p50 {result['help_p50_ms']} ms, p99 "
          f"{result['help_p99_ms']} ms, {result['help_updates_per_s']} updates/s")  # fmt: skip
    print(f"ratio to baseline        p50 ×{result['p50_vs_help']}, rate ×{result['rate_vs_help']}")
    print(f"run took                 {time.monotonic() - started:.0f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
