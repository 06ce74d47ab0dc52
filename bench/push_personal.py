"""Benchmark: planning and rendering one push for N chats (default 10,000) that all voted, beside
the same push without votes.

Seeds one database: an earlier fortnight (3–16 June 2024) of 300 papers, and the fortnight of
17–30 June 2024 with 200 papers in each of three topics, their titles and abstracts drawn from
a Zipf-distributed vocabulary of made-up words (so the taste has real text to weigh), each
with an English summary; N private chats subscribed to the three topics. Two copies of it:
in one nobody voted; in the other every chat voted on ten papers drawn at random, eight of
the earlier fortnight (five 👍, three 👎) and two of the current one (👎).

With `--embeddings`, a third copy of the voted one also holds every paper's embedding (the
fake OpenAI-compatible endpoint's deterministic vectors, made here: no network) and is planned
with that model configured, so that each chat's taste blends in the embedding taste.

Each copy is planned as the push plans it (bot.push.plan.plan_due: the due chats, the issues
frozen, every chat's digest composed and rendered into the ledger) in a fresh child process,
which reports its time (wall and CPU: the machine may be shared) and its peak RSS. Nothing
is sent. The last line is one JSON object.

    .venv/bin/python bench/push_personal.py [--chats 10000] [--embeddings]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import config
from bot.push.plan import plan_due
from bot.runtime import open_runtime
from storage import deliveries
from storage.db import utcnow

TOPICS = ("rag", "agents", "reasoning")
PER_TOPIC = 200
EARLIER_PAPERS = 300
EARLIER = datetime(2024, 6, 4, 8, tzinfo=UTC)
CURRENT = datetime(2024, 6, 18, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)  # Monday 09:00 in Shanghai after 17–30 June
FIRST_CHAT = 1_000_000
MODEL = "bench-hashed-words"  # the fake endpoint's vectors: a hashed bag of the text's words
DIMENSIONS = 384


def vocabulary(rnd: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    """Made-up words and their Zipf weights, the commonest first."""
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words = sorted({"".join(rnd.choices(syllables, k=rnd.randint(2, 4))) for _ in range(size)})
    rnd.shuffle(words)
    return words, [1.0 / rank for rank in range(1, len(words) + 1)]


def text(rnd: random.Random, words: list[str], weights: list[float], n: int) -> str:
    return " ".join(rnd.choices(words, weights, k=n))


async def seed(path: Path, chats: int) -> list[int]:
    """The papers and the chats; the ids of the earlier fortnight's papers, then the current."""
    from storage import papers, summaries
    from storage import topics as stored_topics
    from storage.models import Paper, Summary, TopicMatch

    rnd = random.Random(13)
    words, weights = vocabulary(rnd)
    rt = await open_runtime(config.load({"DIGESTBOT_DB": str(path)}, env_file=None))
    try:
        made = []
        for n in range(EARLIER_PAPERS + PER_TOPIC * len(TOPICS)):
            earlier = n < EARLIER_PAPERS
            topic = None if earlier else TOPICS[(n - EARLIER_PAPERS) // PER_TOPIC]
            when = EARLIER if earlier else CURRENT
            paper = Paper(
                f"2406.{10000 + n}",
                1,
                text(rnd, words, weights, 10).capitalize(),
                authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
                abstract=text(rnd, words, weights, 160) + ".",
                categories=("cs.CL",),
                submitted=when,
                announced=when,
                announce_type="new",
            )
            made.append((topic or rnd.choice(TOPICS), paper))
        stored = (await papers.upsert(rt.db, [paper for _, paper in made])).changed
        by_id = {p.arxiv_id: p.id for p in stored}
        await stored_topics.assign(
            rt.db, [(by_id[p.arxiv_id], [TopicMatch(topic, 1.0)]) for topic, p in made]
        )
        for _, paper in made:
            summary = Summary("en", paper.abstract[:400], "llm", model="bench")
            await summaries.put(rt.db, by_id[paper.arxiv_id], summary)
        now = utcnow()
        async with rt.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO chats (id, type, language, timezone, created_at, changed_at)"
                " VALUES (?, 'private', 'en', 'Asia/Shanghai', ?, ?)",
                [(FIRST_CHAT + n, now, now) for n in range(chats)],
            )
            await conn.executemany(
                "INSERT INTO subscriptions (chat_id, topic_slug, created_at) VALUES (?, ?, ?)",
                [
                    (FIRST_CHAT + n, t, "2024-05-01T00:00:00+00:00")
                    for n in range(chats)
                    for t in TOPICS
                ],
            )
        return [by_id[p.arxiv_id] for _, p in made]
    finally:
        await rt.close()


async def vote(path: Path, chats: int, paper_ids: list[int]) -> int:
    """Ten votes a chat, drawn at random; how many."""
    rnd = random.Random(17)
    earlier, current = paper_ids[:EARLIER_PAPERS], paper_ids[EARLIER_PAPERS:]
    rows = []
    for n in range(chats):
        chat_id = FIRST_CHAT + n
        old = rnd.sample(earlier, 8)
        ballot = [(p, 1) for p in old[:5]] + [(p, -1) for p in old[5:]]
        ballot += [(p, -1) for p in rnd.sample(current, 2)]
        rows += [(chat_id, chat_id, p, v, "2024-06-20T00:00:00+00:00") for p, v in ballot]
    rt = await open_runtime(config.load({"DIGESTBOT_DB": str(path)}, env_file=None))
    try:
        async with rt.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO votes (chat_id, voter_id, paper_id, vote, voted_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
    finally:
        await rt.close()
    return len(rows)


async def embed(path: Path) -> int:
    """Every paper's embedding, stored as `digestbot embed` would store the fake endpoint's."""
    from bot.search.embedding_run import paper_text
    from bot.search.vectors import packed
    from storage import embeddings
    from tests.fakes.openai_embeddings import hashed_vectors

    rt = await open_runtime(config.load({"DIGESTBOT_DB": str(path)}, env_file=None))
    try:
        found = await embeddings.pending(rt.db, MODEL, limit=1_000_000)
        vectors = hashed_vectors([paper_text(p.title, p.abstract) for p in found], DIMENSIONS)
        rows = [
            embeddings.StoredEmbedding(p.id, p.changed_at, DIMENSIONS, packed(vector))
            for p, vector in zip(found, vectors, strict=True)
        ]
        await embeddings.store(rt.db, MODEL, rows)
    finally:
        await rt.close()
    return len(rows)


def settings_of(path: Path, model: str | None) -> config.Settings:
    env = {"DIGESTBOT_DB": str(path)}
    if model is not None:  # the endpoint is never asked: the vectors are stored
        env |= {"DIGESTBOT_EMBEDDINGS_MODEL": model, "DIGESTBOT_EMBEDDINGS_BASE_URL": _NOWHERE}
    return config.load(env, env_file=None)


_NOWHERE = "http://127.0.0.1:9/v1"


async def plan_only(path: Path, model: str | None = None) -> dict:
    """One planning pass over the database (in this process, which does nothing else)."""
    rt = await open_runtime(settings_of(path, model))
    try:
        began, cpu = time.perf_counter(), time.process_time()
        planned = await plan_due(rt, DUE, bot_username="digest_bench_bot")
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        distinct = await rt.db.fetchone("SELECT count(DISTINCT text_id) FROM deliveries")
        open_parts = await deliveries.open_count(rt.db)
    finally:
        await rt.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "plan_s": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(peak, 1),
        "parts": planned.parts,
        "open": open_parts,
        "distinct_texts": distinct[0],
        "failed": len(planned.failed_chats),
    }


def child(path: Path, model: str | None = None) -> dict:
    """`plan_only` in a fresh process, so that each run's peak RSS is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--plan", str(path), *(["--model", model] if model else [])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--embeddings", action="store_true", help="also with embeddings")
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)  # the child's part
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plan is not None:
        print(json.dumps(await plan_only(args.plan, args.model)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        plain, voted = Path(tmp) / "plain.sqlite3", Path(tmp) / "voted.sqlite3"
        embedded = Path(tmp) / "embedded.sqlite3"
        began = time.perf_counter()
        paper_ids = await seed(plain, args.chats)
        shutil.copy(plain, voted)
        votes = await vote(voted, args.chats, paper_ids)
        if args.embeddings:
            shutil.copy(voted, embedded)
            await embed(embedded)
        seeded = time.perf_counter() - began
        runs = {"without votes": child(plain), "with votes": child(voted)}
        if args.embeddings:
            runs["+ embeddings"] = child(embedded, MODEL)
    without, with_votes = runs["without votes"], runs["with votes"]
    ratio = with_votes["plan_s"] / without["plan_s"]
    print(
        f"{args.chats:,} chats × {len(TOPICS)} topics of {PER_TOPIC} candidates;"
        f" {votes:,} votes (seeded in {seeded:.1f} s)"
    )
    for name, run in runs.items():
        print(
            f"{name:<14} plan + render {run['plan_s']:>6.2f} s ({run['cpu_s']:.2f} s of CPU),"
            f" peak RSS {run['peak_rss_mb']:.0f} MB, {run['parts']:,} messages"
            f" ({run['distinct_texts']:,} distinct), {run['failed']} failed"
        )
    print(f"with votes / without: {ratio:.2f}× the time; load average {os.getloadavg()[0]:.1f}")
    print(
        json.dumps(
            {
                "chats": args.chats,
                "votes": votes,
                "plan_s_without_votes": without["plan_s"],
                "plan_s_with_votes": with_votes["plan_s"],
                "cpu_s_without_votes": without["cpu_s"],
                "cpu_s_with_votes": with_votes["cpu_s"],
                "load_average": round(os.getloadavg()[0], 1),
                "ratio": round(ratio, 2),
                "peak_rss_mb_without_votes": without["peak_rss_mb"],
                "peak_rss_mb_with_votes": with_votes["peak_rss_mb"],
                "messages_with_votes": with_votes["parts"],
                "distinct_texts_with_votes": with_votes["distinct_texts"],
                **_embedded_figures(runs.get("+ embeddings")),
            }
        )
    )


def _embedded_figures(run: dict | None) -> dict:
    if run is None:
        return {}
    return {
        "plan_s_with_embeddings": run["plan_s"],
        "cpu_s_with_embeddings": run["cpu_s"],
        "peak_rss_mb_with_embeddings": run["peak_rss_mb"],
    }


if __name__ == "__main__":
    asyncio.run(main())
