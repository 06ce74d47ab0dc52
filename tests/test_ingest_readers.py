"""A big feed ingested from cron while the bot answers /search: the bot never waits long.

The ingest runs in another process, as `digestbot ingest` from cron does, on the bot's
database file. Meanwhile this process does what /search does, over and over: the search,
then the search session it writes for the paging buttons. Each of those must succeed, none
may wait long behind the ingest, and the searches must see the feed arrive in steps (the
ingest commits in short turns rather than in one long transaction).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path

from bench.ingest import generate_feed
from bot.search.service import search
from storage import papers, search_sessions
from storage.db import Database

REPO = Path(__file__).resolve().parent.parent
PAPERS = 6_000  # about 9 MB: one transaction for all of it held the lock for seconds
LONGEST_WAIT = 0.5  # seconds

CHILD = """
import asyncio, sys
from bot.ingest.service import ingest_file
from bot.topics.config import TopicMatcher, load
from storage import topics
from storage.db import Database

async def main(path, db_path):
    db = await Database.open(db_path)
    await topics.sync(db, load())
    print("ready", flush=True)
    report = await ingest_file(db, path, matcher=TopicMatcher(load()))
    await db.close()
    print(report.new, report.errors, flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_search_answers_in_normal_time_while_cron_ingests_a_big_feed(tmp_path: Path):
    feed = tmp_path / "big.xml"
    feed.write_bytes(generate_feed(PAPERS))
    db_path = tmp_path / "bot.sqlite3"
    db = await Database.open(db_path)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(feed),
        str(db_path),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert (await child.stdout.readline()).strip() == b"ready"
        waits, seen_counts = [], set()
        while child.returncode is None:
            started = time.perf_counter()
            page = await search(db, "language models reasoning", lang="en")
            await search_sessions.save(db, 42, "language models reasoning", "en")
            waits.append(time.perf_counter() - started)
            seen_counts.add(await papers.count(db))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(child.wait(), 0.02)
        outcome = (await child.stdout.read()).decode()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
        await db.close()
    assert outcome.split()[0] == str(PAPERS), outcome
    assert page.total > 0
    print(f"{len(waits)} searches, longest {max(waits):.3f} s, {len(seen_counts)} steps seen")
    assert max(waits) < LONGEST_WAIT, sorted(waits)[-5:]
    assert len(seen_counts) > 3, seen_counts
