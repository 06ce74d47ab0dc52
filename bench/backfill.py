"""Search while a backfill runs: two fortnights of six categories backfilled from the fake arXiv
API (arXiv's realistic volumes, 200-entry pages, the 3 s spacing shortened) while a reader
searches every 100 ms, against the same searches on the same database once the backfill is done.

Run as `python bench/backfill.py [--interval S] [--scale F]`. Prints readable figures, and as its
last line one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import config
from bot.ingest import backfill
from bot.runtime import open_runtime
from bot.search.service import search
from tests.fakes.arxiv_catalogue import Catalogue, Listed
from tests.fakes.arxiv_server import FakeArxiv

# Papers a day per category, about what arXiv lists (cs.LG and cs.CV the largest)
PER_DAY = {"cs.CL": 110, "cs.AI": 150, "cs.LG": 280, "cs.IR": 25, "cs.CV": 210, "stat.ML": 40}
FIRST = date(2024, 6, 3)
DAYS = 28
QUERIES = ["retrieval", "alignment", "reasoning agents", "large language models", "benchmark"]
PAUSE = 0.1  # seconds between two searches, a busy reader


def catalogue(scale: float) -> Catalogue:
    """Every category's papers of each day; one in five also listed under the next category."""
    listed, number, categories = [], 0, list(PER_DAY)
    for d in range(DAYS):
        day = FIRST + timedelta(days=d)
        for c, category in enumerate(categories):
            for n in range(round(PER_DAY[category] * scale)):
                cats = (category,)
                if n % 5 == 0:
                    cats += (categories[(c + 1) % len(categories)],)
                at = datetime(day.year, day.month, day.day, 6) + timedelta(seconds=n * 30)
                listed.append(Listed(f"{day:%y%m}.{number:05d}", cats, at))
                number += 1
    return Catalogue(listed, abstract_words=170)


async def searches(db, stop: asyncio.Event, latencies: list[float]) -> None:
    n = 0
    while not stop.is_set():
        started = time.perf_counter()
        await search(db, QUERIES[n % len(QUERIES)], limit=5)
        latencies.append(time.perf_counter() - started)
        n += 1
        await asyncio.sleep(PAUSE)


def figures(latencies: list[float]) -> dict[str, float]:
    ms = sorted(1000 * x for x in latencies)
    return {
        "searches": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
        "max_ms": round(ms[-1], 1),
    }


async def main(interval: float, scale: float) -> dict:
    cat = catalogue(scale)
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeArxiv() as arxiv:
            arxiv.respond("/api/query", cat)
            env = {
                "DIGESTBOT_DB": f"{tmp}/bench.sqlite3",
                "DIGESTBOT_SOURCES": "https://rss.arxiv.org/rss/" + "+".join(PER_DAY),
                "DIGESTBOT_ARXIV_API": arxiv.url("/api/query"),
                "DIGESTBOT_ARXIV_INTERVAL": str(interval),
            }
            settings = config.load(env, env_file=None)
            rt = await open_runtime(settings)
            try:
                during: list[float] = []
                stop = asyncio.Event()
                reader = asyncio.create_task(searches(rt.db, stop, during))
                started = time.perf_counter()
                report = await backfill.backfill_range(
                    rt.db,
                    settings,
                    FIRST,
                    FIRST + timedelta(days=DAYS - 1),
                    today=FIRST + timedelta(days=DAYS),
                    matcher=rt.matcher,
                )
                took = time.perf_counter() - started
                stop.set()
                await reader
                after: list[float] = []
                stop = asyncio.Event()
                reader = asyncio.create_task(searches(rt.db, stop, after))
                await asyncio.sleep(min(took, 30))
                stop.set()
                await reader
            finally:
                await rt.close()
    pages = sum(cat.pages.values())
    result = {
        "papers": len(cat.papers),
        "stored_new": report.new,
        "pages": pages,
        "interval_s": interval,
        "backfill_s": round(took, 1),
        "during": figures(during),
        "after": figures(after),
    }
    print(f"{len(cat.papers)} papers in {pages} pages of 200, {interval} s apart: {took:.1f} s")
    print(f"search during the backfill: {result['during']}")
    print(f"search after it, same data:  {result['after']}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between requests")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of arXiv's volumes")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.interval, args.scale))))
