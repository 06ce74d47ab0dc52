"""Search latency at scale: the real search service against a naive LIKE scan.

Run as `python bench/search.py [--papers N]`. The corpus is built once per size and cached
under bench/.cache. Prints readable figures, and as its last line one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._corpus import arxiv_id, cached_database
from bot.search.service import search
from storage.db import Database

QUERIES = 200
LIKE_SAMPLE = 20

COMMON = "model language learning training data performance results models large method"
RARE = (
    "watermarking unlearning radiology spreadsheet jailbreak crowdsourcing genomics tutoring"
    " rotary speculative backdoor saliency misinformation leaderboard aligning hallucinations"
)
PHRASES = [
    "language model",
    "large language models",
    "retrieval augmented generation",
    "reward model",
    "chain of thought",
    "speculative decoding",
    "red teaming",
    "membership inference attacks",
    "catastrophic forgetting",
    '"mixture of experts"',
    "kv cache compression",
    "time series forecasting",
]
CHINESE = "对齐 幻觉 微调 推理 多模态 智能体 量化 蒸馏 预训练 思维链 强化学习 知识图谱 混合专家"
# Chinese queries the lexicon also searches in English: terms, compounds it segments, titles.
EXPANDING = [
    "红队测试",
    "安全对齐",
    "幻觉检测",
    "检索增强生成",
    "大语言模型的越狱攻击",
    "长上下文 推测解码",
    "基于人类反馈的强化学习",
    "混合专家模型的知识蒸馏",
    "面向大语言模型的高效推理与键值缓存压缩",
    "多模态大模型 幻觉 评估基准",
]
SURNAMES = (
    "Ramirez Ramírez García Garcia Müller Muller Wang Zhang Nguyen Søndergaard Dvořák Kowalski"
)

# A naive search that shows the newest matches: every row is read, then sorted by date.
LIKE_SQL = (
    "SELECT p.id FROM papers p LEFT JOIN summaries s ON s.paper_id = p.id"
    " WHERE p.title LIKE :q OR p.abstract LIKE :q OR p.authors LIKE :q OR s.text LIKE :q"
    " ORDER BY coalesce(p.announced_at, p.submitted_at, p.created_at) DESC LIMIT 5"
)


def _id_forms(rng: random.Random, papers: int) -> str:
    paper = arxiv_id(rng.randrange(papers))
    forms = [paper, f"{paper}v2", f"arXiv:{paper}", f"https://arxiv.org/abs/{paper}"]
    return rng.choice([*forms, f"https://arxiv.org/pdf/{paper}v1"])


def query_mix(papers: int, seed: int = 11) -> list[str]:
    """200 queries of the kinds users type, the same for every run of a size."""
    rng = random.Random(seed)
    kinds = [
        (35, lambda: rng.choice(COMMON.split())),
        (40, lambda: rng.choice(RARE.split())),
        (40, lambda: rng.choice(PHRASES)),
        (35, lambda: rng.choice(CHINESE.split())),
        (40, lambda: rng.choice(EXPANDING)),
        (25, lambda: _id_forms(rng, papers)),
        (25, lambda: rng.choice(SURNAMES.split())),
    ]
    queries = [make() for count, make in kinds for _ in range(count)]
    rng.shuffle(queries)
    return queries[:QUERIES]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def time_search(db: Database, queries: list[str]) -> list[float]:
    for query in queries:  # one pass to warm the page cache, as a running bot's would be
        await search(db, query, limit=5)
    latencies = []
    for query in queries:
        start = time.perf_counter()
        await search(db, query, limit=5)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def time_like(db: Database, queries: list[str]) -> list[float]:
    latencies = []
    for query in queries:
        start = time.perf_counter()
        await db.fetchall(LIKE_SQL, {"q": f"%{query}%"})
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def _slowest(queries: list[str], latencies: list[float], count: int = 5) -> str:
    pairs = sorted(zip(latencies, queries, strict=True), reverse=True)[:count]
    return ", ".join(f"{query!r} {ms:.1f} ms" for ms, query in pairs)


async def run(papers: int, path: str, db_mb: float) -> dict[str, float | int]:
    queries = query_mix(papers)
    db = await Database.open(path)
    try:
        latencies = await time_search(db, queries)
        like = await time_like(db, random.Random(5).sample(queries, LIKE_SAMPLE))
    finally:
        await db.close()
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    like_p50 = statistics.median(like)
    print(f"corpus:  {papers:,} papers, {db_mb:.0f} MB ({path})")
    print(f"search:  {len(latencies)} queries, p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    expanding = [ms for q, ms in zip(queries, latencies, strict=True) if q in EXPANDING]
    print(f"expanded Chinese: {len(expanding)} queries, p99 {percentile(expanding, 0.99):.2f} ms")
    print(f"slowest: {_slowest(queries, latencies)}")
    print(f"LIKE:    {len(like)} queries, p50 {like_p50:.1f} ms, {like_p50 / p50:.0f}x slower")
    return {
        "p50_ms": round(p50, 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(max(latencies), 3),
        "expanded_p99_ms": round(percentile(expanding, 0.99), 3),
        "like_p50_ms": round(like_p50, 1),
        "speedup_vs_like": round(like_p50 / p50, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "papers": papers,
        "db_mb": round(db_mb, 1),
        "queries": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=200_000)
    papers = parser.parse_args().papers
    path = cached_database(papers)  # built outside the event loop: it migrates with its own
    figures = asyncio.run(run(papers, str(path), path.stat().st_size / 2**20))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
