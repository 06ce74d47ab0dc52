"""Search latency at scale: the real search service, per kind of query, against FTS5's floor
and a naive LIKE scan measured in the same run.

Run as `python bench/search.py [--papers N] [--runs R]`. The corpus is built once per size and
generator version and cached under bench/.cache. Every query is timed R times, each time beside
the floor (FTS5's unranked newest five for the same words), and each figure is the median of
its runs, so that a loaded machine weighs on both alike. Prints readable figures, and as its
last line one JSON object.
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
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._corpus import arxiv_id, cached_database
from bot.search.service import search
from storage.db import Database
from storage.search_terms import to_match

QUERIES = 200
LIKE_SAMPLE = 20
RUNS = 5

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

# FTS5's cheapest answer to the same words: no ranking, no count, the newest five.
FLOOR_SQL = "SELECT rowid FROM paper_fts WHERE paper_fts MATCH ? ORDER BY rowid DESC LIMIT 5"
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


def query_mix(papers: int, seed: int = 11) -> list[tuple[str, str]]:
    """200 (kind, query) pairs of the kinds users type, the same for every run of a size."""
    rng = random.Random(seed)
    kinds: list[tuple[str, int, Callable[[], str]]] = [
        ("common", 35, lambda: rng.choice(COMMON.split())),
        ("rare", 40, lambda: rng.choice(RARE.split())),
        ("phrase", 40, lambda: rng.choice(PHRASES)),
        ("chinese", 35, lambda: rng.choice(CHINESE.split())),
        ("expanded", 40, lambda: rng.choice(EXPANDING)),
        ("id", 25, lambda: _id_forms(rng, papers)),
        ("author", 25, lambda: rng.choice(SURNAMES.split())),
    ]
    queries = [(kind, make()) for kind, count, make in kinds for _ in range(count)]
    rng.shuffle(queries)
    return queries[:QUERIES]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _floor_match(query: str) -> str | None:
    found = to_match(query)
    return found.all_terms if found is not None else None


async def _timed(call) -> float:
    start = time.perf_counter()
    await call
    return (time.perf_counter() - start) * 1000


async def time_queries(db: Database, queries: list[str], runs: int) -> tuple[list, list]:
    """Per query, the median of `runs` timings of the search and of the floor beside it."""
    floors = [_floor_match(query) for query in queries]
    for query in queries:  # one pass to warm the page cache, as a running bot's would be
        await search(db, query, limit=5)
    searched: list[list[float]] = [[] for _ in queries]
    floored: list[list[float]] = [[] for _ in queries]
    for _ in range(runs):
        for i, (query, floor) in enumerate(zip(queries, floors, strict=True)):
            searched[i].append(await _timed(search(db, query, limit=5)))
            if floor is not None:
                floored[i].append(await _timed(db.fetchall(FLOOR_SQL, (floor,))))
    medians = [statistics.median(times) for times in searched]
    return medians, [statistics.median(times) if times else None for times in floored]


def _hwm_mb() -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_hwm() -> bool:
    """Start a new peak (Linux: writing 5 to clear_refs); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def peak_rss_by_kind(db: Database, mix: list[tuple[str, str]]) -> dict[str, float]:
    """Each kind's queries searched together, and the peak resident memory while they ran."""
    peaks = {}
    for kind in dict.fromkeys(kind for kind, _ in mix):
        reset = _reset_hwm()
        for _, query in (pair for pair in mix if pair[0] == kind):
            await search(db, query, limit=5)
        peaks[kind] = round(_hwm_mb(), 1) if reset else None
    return peaks


async def time_like(db: Database, queries: list[str]) -> list[float]:
    return [await _timed(db.fetchall(LIKE_SQL, {"q": f"%{query}%"})) for query in queries]


def _slowest(queries: list[str], latencies: list[float], count: int = 5) -> str:
    pairs = sorted(zip(latencies, queries, strict=True), reverse=True)[:count]
    return ", ".join(f"{query!r} {ms:.1f} ms" for ms, query in pairs)


def _figures(latencies: list[float], floors: list[float | None]) -> dict[str, float]:
    measured = [floor for floor in floors if floor is not None]
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    floor_p50, floor_p99 = statistics.median(measured), percentile(measured, 0.99)
    return {
        "queries": len(latencies),
        "p50_ms": round(p50, 3),
        "p90_ms": round(percentile(latencies, 0.9), 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(max(latencies), 3),
        "floor_p50_ms": round(floor_p50, 3),
        "floor_p99_ms": round(floor_p99, 3),
        "p50_vs_floor": round(p50 / floor_p50, 1),
        "p99_vs_floor": round(p99 / floor_p99, 1),
    }


def _line(name: str, f: dict[str, float], rss: float | None) -> str:
    memory = f", peak RSS {rss:.0f} MB" if rss is not None else ""
    return (
        f"{name:9s} {f['queries']:3d} queries  p50 {f['p50_ms']:6.2f}  p90 {f['p90_ms']:6.2f}"
        f"  p99 {f['p99_ms']:6.2f} ms  floor p50 {f['floor_p50_ms']:5.2f} ms"
        f"  ({f['p50_vs_floor']:.1f}x / p99 {f['p99_vs_floor']:.1f}x){memory}"
    )


async def run(papers: int, path: str, db_mb: float, runs: int) -> dict[str, object]:
    mix = query_mix(papers)
    queries = [query for _, query in mix]
    db = await Database.open(path)
    try:
        latencies, floors = await time_queries(db, queries, runs)
        rss_by_kind = await peak_rss_by_kind(db, mix)
        like = await time_like(db, random.Random(5).sample(queries, LIKE_SAMPLE))
    finally:
        await db.close()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    overall = _figures(latencies, floors)
    kinds = {}
    for kind in rss_by_kind:
        picked = [i for i, (k, _) in enumerate(mix) if k == kind]
        kinds[kind] = _figures([latencies[i] for i in picked], [floors[i] for i in picked])
        kinds[kind]["peak_rss_mb"] = rss_by_kind[kind]
    like_p50 = statistics.median(like)
    print(f"corpus:  {papers:,} papers, {db_mb:.0f} MB ({path}); medians of {runs} runs")
    for kind, figures in kinds.items():
        print(_line(kind, figures, figures["peak_rss_mb"]))
    print(_line("all", overall, peak_rss))
    print(f"slowest: {_slowest(queries, latencies)}")
    slower = like_p50 / overall["p50_ms"]
    print(f"LIKE:    {len(like)} queries, p50 {like_p50:.1f} ms, {slower:.0f}x slower")
    return {
        **overall,
        "expanded_p99_ms": kinds["expanded"]["p99_ms"],
        "like_p50_ms": round(like_p50, 1),
        "speedup_vs_like": round(like_p50 / overall["p50_ms"], 1),
        "peak_rss_mb": round(peak_rss, 1),
        "papers": papers,
        "db_mb": round(db_mb, 1),
        "runs": runs,
        "kinds": kinds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=RUNS, help="timings per query (median)")
    args = parser.parse_args()
    path = cached_database(args.papers)  # built outside the event loop: it migrates with its own
    figures = asyncio.run(run(args.papers, str(path), path.stat().st_size / 2**20, args.runs))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
