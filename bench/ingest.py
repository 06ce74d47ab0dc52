"""Benchmark: ingesting a large arXiv RSS feed, against feedparser alone on the same bytes.

Generates a realistic RSS 2.0 feed (default 1,500 items, a real daily listing's size; ~150-word
abstracts in sentences,
all four announce types, several authors and categories, a few non-ASCII and double-encoded
names), then takes the median of 3 runs of (a) feedparser parsing the bytes with the options
the ingester uses, and (b) the full ingest of the same bytes — parse, normalise, store,
topics, English extracts of the abstracts — into a fresh temporary SQLite file each run. The
last line printed is one JSON object. No target: a daily feed is read once a day, and a
backfill waits 3 s between arXiv's pages; the figures show where the time goes.

    .venv/bin/python bench/ingest.py [--papers N] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import feedparser

from bot.ingest.document import FEEDPARSER_OPTIONS
from bot.ingest.service import ingest_bytes
from storage import topics as stored_topics
from storage.db import Database


def _words(text: str) -> list[str]:
    return text.split()


WORDS = _words(
    """
the of and a to in we for is that on with model language this by are as our large from
models learning an which be data performance method can training approach results show task
tasks using based neural these propose both have such llms than network paper text new
existing methods framework evaluation generation benchmark reasoning transformer attention
across while over via also between information knowledge multiple high quality however
prompt prompts fine tuning inference semantic context retrieval augmented agents agent
alignment human feedback reinforcement safety jailbreak robustness efficient quantization
sparse experts mixture multimodal vision image video speech code mathematical chain thought
instruction preference optimization reward policy decoding latency memory compression
distillation hallucination factuality summarization translation dialogue evaluation metric
dataset corpus tokens pretraining scaling laws emergent capabilities theoretical analysis
empirical study
"""
)
TITLE_WORDS = _words(
    """
Large Language Models Retrieval-Augmented Generation Reasoning Alignment Safety Agents
Efficient Inference Quantization Mixture-of-Experts Multimodal Instruction Tuning Benchmark
Evaluation Preference Optimization Chain-of-Thought Hallucination Jailbreak Long-Context
Scaling Laws Vision-Language Code Generation Mathematical Distillation
"""
)
FIRST = _words(
    """
Wei Li Maria José Jörg Aurora Ahmed Yuki Olga Chen Priya Lukas Fatima Hiroshi
"""
)
LAST = _words(
    """
Zhang Wang Garcia Müller Ramírez Hassan Tanaka Ivanova Chen Sharma Novak Kim
"""
)
SPECIAL = ["王小明", "RamÃ\xadrez Ana", "Zoë Çelik"]
CATEGORIES = _words(
    """
cs.CL cs.LG cs.AI cs.IR cs.CV stat.ML cs.CR cs.SE
"""
)
TYPES = ["new"] * 12 + ["cross"] * 4 + ["replace"] * 3 + ["replace-cross"]

HEADER = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" \
xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" \
version="2.0">
  <channel>
    <title>cs.CL, cs.LG updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/cs.CL+cs.LG</link>
    <description>cs.CL, cs.LG updates on the arXiv.org e-print archive.</description>
    <language>en-us</language>
    <pubDate>{date}</pubDate>
"""


# Words by rank, weighted 1/rank as in real text (WORDS is ordered by frequency): about 13
# topic-phrase hits an abstract, against 8 on average in the real arXiv fixtures' abstracts
# and 26 in a dense LLM abstract; uniform draws would make every abstract keyword soup (37).
ZIPF = [1 / rank for rank in range(1, len(WORDS) + 1)]


def _authors(rng: random.Random) -> str:
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 8))]
    if rng.random() < 0.05:
        names[-1] = rng.choice(SPECIAL)
    if len(names) > 2 and rng.random() < 0.3:
        return ", ".join(names[:-1]) + ", and " + names[-1]
    return ", ".join(names)


def _abstract(rng: random.Random) -> str:
    """120–180 words in sentences of 12–28, as abstracts come (the extract needs sentences)."""
    words = rng.choices(WORDS, weights=ZIPF, k=rng.randint(120, 180))
    sentences = []
    while words:
        cut = rng.randint(12, 28)
        sentence, words = words[:cut], words[cut:]
        sentences.append(" ".join(sentence).capitalize())
    return ". ".join(sentences)


def _item(rng: random.Random, number: int, date: str) -> str:
    kind = rng.choice(TYPES)
    version = rng.randint(2, 4) if kind.startswith("replace") else 1
    arxiv_id = f"2406.{number:05d}"
    title = " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(5, 12)))
    abstract = _abstract(rng)
    categories = rng.sample(CATEGORIES, rng.randint(1, 4))
    return (
        f"    <item>\n      <title>{escape(title)}</title>\n"
        f"      <link>https://arxiv.org/abs/{arxiv_id}</link>\n"
        f"      <description>arXiv:{arxiv_id}v{version} Announce Type: {kind}\n"
        f"Abstract: {escape(abstract)}.</description>\n"
        f'      <guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v{version}</guid>\n'
        + "".join(f"      <category>{c}</category>\n" for c in categories)
        + f"      <pubDate>{date}</pubDate>\n"
        f"      <arxiv:announce_type>{kind}</arxiv:announce_type>\n"
        "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n"
        f"      <dc:creator>{escape(_authors(rng))}</dc:creator>\n    </item>\n"
    )


def generate_feed(papers: int, seed: int = 20240625) -> bytes:
    """A combined daily feed of `papers` items, the same for the same seed."""
    rng = random.Random(seed)
    day = datetime(2024, 6, 25, tzinfo=UTC) - timedelta(hours=4)
    date = format_datetime(day.astimezone(UTC)).replace("+0000", "-0400")
    items = "".join(_item(rng, number, date) for number in range(1, papers + 1))
    return (HEADER.format(date=date) + items + "  </channel>\n</rss>\n").encode("utf-8")


def _matcher() -> tuple[object | None, tuple, str]:
    try:
        from bot.topics.config import TopicMatcher, load
    except ImportError:
        return None, (), "none (bot.topics.config not available)"
    topics = load()
    return TopicMatcher(topics), topics, f"the packaged defaults ({len(topics)} topics)"


def time_parse(data: bytes, options: dict | None = None) -> float:
    """feedparser alone; by default with the options the ingester itself uses."""
    options = FEEDPARSER_OPTIONS if options is None else options
    started = time.perf_counter()
    feedparser.parse(io.BytesIO(data), **options)
    return time.perf_counter() - started


async def time_ingest(data: bytes, matcher: object | None, topics: tuple) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        try:
            if topics:
                await stored_topics.sync(db, topics)
            started = time.perf_counter()
            report = await ingest_bytes(db, data, "bench feed", matcher=matcher)
            elapsed = time.perf_counter() - started
            extracts = (await db.fetchone("SELECT count(*) FROM summaries"))[0]
        finally:
            await db.close()
    if report.errors:
        raise SystemExit(f"the benchmark feed failed to ingest: {report.errors}")
    return elapsed, report.new, extracts


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1_500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    data = generate_feed(args.papers)
    matcher, topics, matcher_name = _matcher()
    print(f"feed: {args.papers} items, {len(data) / 1e6:.1f} MB; topic matcher: {matcher_name}")

    parse_s = median_of(args.runs, lambda: time_parse(data))
    default_parse_s = median_of(args.runs, lambda: time_parse(data, {}))
    results = [asyncio.run(time_ingest(data, matcher, topics)) for _ in range(args.runs)]
    ingest_s = statistics.median(elapsed for elapsed, _, _ in results)
    stored, extracts = results[0][1], results[0][2]
    overhead = ingest_s / parse_s
    print(f"feedparser.parse alone : {parse_s:8.3f} s  (median of {args.runs}, ingester's options)")
    print(f"  with default options : {default_parse_s:8.3f} s  (HTML sanitising on)")
    print(f"full ingest            : {ingest_s:8.3f} s  ({stored} papers, {extracts} extracts)")
    print(f"  runs                 : {', '.join(f'{elapsed:.3f}' for elapsed, _, _ in results)} s")
    print(f"overhead vs parse      : {overhead:8.2f} x")
    print(f"throughput             : {args.papers / ingest_s:8.0f} papers/s")
    figures = {
        "papers": args.papers,
        "parse_s": round(parse_s, 3),
        "ingest_s": round(ingest_s, 3),
        "papers_per_s": round(args.papers / ingest_s, 1),
        "overhead_vs_parse": round(overhead, 3),
        "default_parse_s": round(default_parse_s, 3),
        "overhead_vs_default_parse": round(ingest_s / default_parse_s, 3),
        "extracts": extracts,
        "ingest_runs_s": [round(elapsed, 3) for elapsed, _, _ in results],
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
