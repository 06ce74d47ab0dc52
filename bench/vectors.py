"""Vector search at 200,000 papers with a fake embeddings endpoint, against an exact scan.

The synthetic corpus of bench/search.py gets an embedding per paper from the fake
OpenAI-compatible endpoint's vectors (hashed bags of words, 1,024 dimensions, as bge-m3's),
stored as digestbot stores them (cached under bench/.cache). Then, in one run:

- start-up: the index's first load, as the bot starts it, with readers searching meanwhile
  (their searches answer from the words alone, as the index is not waited for);
- index: `VectorIndex.nearest`, the ten nearest papers of a query vector (sign-bit scan of
  every paper, the 2,000 nearest rescored by cosine with their int8 copies);
- semantic: the same behind the query's embedding, asked of the fake endpoint on 127.0.0.1
  through the real client (every query new, so none is cached);
- words, search: the whole `/search` path without embeddings, and with them (full-text and
  semantic results fused);
- paging: the second page of each fused search, as a reader's ▶ asks it (the query's vector
  and its nearest papers kept from the first);
- baseline: the exact scan the index replaces, a float32 matrix of every embedding in memory
  times the query vector; its top ten are the truth the index's recall at 10 is measured by.

    .venv/bin/python bench/vectors.py [--papers N] [--dimensions D] [--queries Q]

Prints p50 / p99 of each, the index's memory and the process's peak RSS (before the
baseline's matrix is built, and after), the baseline's p99 over the index's, and one JSON
object on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from bench._corpus import CACHE, WORDS, cached_database  # noqa: E402
from bot import config  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from bot.search import semantic  # noqa: E402
from bot.search.embedding_run import paper_text  # noqa: E402
from bot.search.service import search  # noqa: E402
from bot.search.vectors import index_for, packed  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.fakes.openai_embeddings import hashed_vectors  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

MODEL = "fake-embedder"
CHUNK = 5_000
K = 10


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def embedded_database(papers: int, dimensions: int) -> Path:
    """The corpus with every paper embedded, built once and cached."""
    path = CACHE / f"vectors-{papers}-d{dimensions}-v2.sqlite3"
    if path.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    shutil.copyfile(cached_database(papers), partial)
    asyncio.run(_migrate(partial))  # the embeddings table
    print(f"embedding {papers:,} papers at {dimensions} dimensions …", flush=True)
    conn = sqlite3.connect(partial, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    last = 0
    while rows := conn.execute(
        "SELECT id, title, abstract, changed_at FROM papers WHERE id > ? ORDER BY id LIMIT ?",
        (last, CHUNK),
    ).fetchall():
        vectors = hashed_vectors([paper_text(r[1], r[2]) for r in rows], dimensions)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO paper_embeddings (paper_id, model, dimensions, vector,"
            " paper_changed_at, embedded_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (r[0], MODEL, dimensions, packed(v), r[3], r[3])
                for r, v in zip(rows, vectors, strict=True)
            ],
        )
        conn.execute("COMMIT")
        last = rows[-1][0]
        print(f"  {last:,} papers", flush=True)
    conn.close()
    partial.rename(path)
    return path


async def _migrate(path: Path) -> None:
    await (await Database.open(path)).close()


def queries(count: int, seed: int = 13) -> list[str]:
    """Two to five words of the corpus's vocabulary, as readers type them."""
    rng = random.Random(seed)
    vocabulary = WORDS[30:600]  # past the words every paper has
    return [" ".join(rng.sample(vocabulary, rng.randint(2, 5))) for _ in range(count)]


Timed = tuple[list[float], list[float], list[float]]


async def _timed(calls) -> Timed:
    """Wall-clock milliseconds of each call; the CPU milliseconds the process spent on it, in
    all its threads (SQLite's, the vector scan's, the fake endpoint's included); and those of
    the event loop's thread alone, which no other chat's update is served during."""
    latencies, cpu, loop = [], [], []
    for call in calls:
        start, start_cpu, start_loop = time.perf_counter(), time.process_time(), time.thread_time()
        await call()
        latencies.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        loop.append((time.thread_time() - start_loop) * 1000)
    return latencies, cpu, loop


def _split(timed: Timed) -> tuple[Timed, Timed]:
    """Calls made in pairs (a first page, then the next) timed as two series."""
    return (
        (timed[0][::2], timed[1][::2], timed[2][::2]),
        (timed[0][1::2], timed[1][1::2], timed[2][1::2]),
    )


def _line(name: str, timed: Timed) -> dict[str, float]:
    figures = {}
    for kind, values in zip(("", "_cpu", "_loop"), timed, strict=True):
        figures[f"{name}{kind}_p50_ms"] = round(statistics.median(values), 2)
        figures[f"{name}{kind}_p99_ms"] = round(percentile(values, 0.99), 2)
    print(
        f"{name:<9} {len(timed[0])} queries, p50 {figures[f'{name}_p50_ms']:.2f} ms,"
        f" p99 {figures[f'{name}_p99_ms']:.2f} ms  (CPU of the process: p50"
        f" {figures[f'{name}_cpu_p50_ms']:.2f} ms, p99 {figures[f'{name}_cpu_p99_ms']:.2f} ms;"
        f" of the event loop: p50 {figures[f'{name}_loop_p50_ms']:.2f} ms,"
        f" p99 {figures[f'{name}_loop_p99_ms']:.2f} ms)"
    )
    return figures


async def run(path: Path, dimensions: int, count: int) -> dict[str, object]:
    texts = queries(count)
    async with FakeOpenAI(embedding_dimensions=dimensions) as endpoint:
        settings = config.load(
            {
                "DIGESTBOT_DB": str(path),
                "DIGESTBOT_EMBEDDINGS_MODEL": MODEL,
                "DIGESTBOT_EMBEDDINGS_BASE_URL": endpoint.base_url,
                # every neighbour fused, so that the search pass times the whole fusion
                "DIGESTBOT_EMBEDDINGS_MIN_SCORE": "0",
            },
            env_file=None,
        )
        rt = await open_runtime(settings)
        try:
            return await _measure(rt, texts, dimensions)
        finally:
            await semantic.close(rt)
            await rt.close()


async def _measure(rt, texts: list[str], dimensions: int) -> dict[str, object]:
    index = index_for(rt.db, MODEL)
    started = time.perf_counter()
    during_load = await _searched_while_loading(rt, index, texts)
    load_s = time.perf_counter() - started
    print(
        f"index:    {len(index):,} papers, {index.nbytes / 2**20:.1f} MB, loaded in {load_s:.1f} s;"
        f" {len(during_load)} searches meanwhile took p50 {statistics.median(during_load):.0f} ms,"
        f" at most {max(during_load):.0f} ms"
    )
    vectors = hashed_vectors(texts, dimensions)
    for vector in vectors[:20]:  # warm the page cache, as a running bot's would be
        await index.nearest(rt.db, vector, K)
    found: list[list[int]] = []

    async def nearest(vector):
        found.append([paper for paper, _ in await index.nearest(rt.db, vector, K)])

    figures = _line("index", await _timed([lambda v=v: nearest(v) for v in vectors]))
    figures |= _line("words", await _timed([lambda t=t: search(rt.db, t, limit=5) for t in texts]))
    # A fresh Semantic for each pass, so that no query's vector is cached from the one before.
    sem = semantic.Semantic(rt)
    figures |= _line(
        "semantic", await _timed([lambda t=t: sem.nearest(rt.db, t, 50) for t in texts])
    )
    await sem.close()
    sem = semantic.Semantic(rt)
    pages = [
        lambda t=t, offset=offset: search(rt.db, t, limit=5, offset=offset, semantic=sem)
        for t in texts
        for offset in (0, 5)  # the reader's ▶ right after the first page
    ]
    first, second = _split(await _timed(pages))
    figures |= _line("search", first) | _line("paging", second)
    await sem.close()
    figures["load_s"] = round(load_s, 2)
    figures["search_during_load_p50_ms"] = round(statistics.median(during_load), 1)
    figures["search_during_load_max_ms"] = round(max(during_load), 1)
    figures["rss_mb_before_baseline"] = round(_rss_mb(), 1)
    figures |= await _baseline(rt.db, vectors, found, figures)
    return figures


async def _searched_while_loading(rt, index, texts: list[str]) -> list[float]:
    """Milliseconds of each search made, one after another, while the index's first load runs."""
    loading = asyncio.create_task(index.refresh(rt.db))
    sem = semantic.Semantic(rt)
    took = []
    for text in texts:
        await asyncio.sleep(0.5)  # readers come and go, the first a moment after the start
        if loading.done():
            break
        started = time.perf_counter()
        await search(rt.db, text, limit=5, semantic=sem)
        took.append((time.perf_counter() - started) * 1000)
    await loading
    await sem.close()
    return took


async def _baseline(db: Database, vectors: np.ndarray, found, figures) -> dict[str, object]:
    rows = await db.fetchall(
        "SELECT paper_id, vector FROM paper_embeddings WHERE model = ? ORDER BY id", (MODEL,)
    )
    ids = np.array([row[0] for row in rows])
    matrix = np.empty((len(rows), vectors.shape[1]), np.float32)
    for i, row in enumerate(rows):
        matrix[i] = np.frombuffer(row[1], dtype="<f2")
    del rows
    exact: list[set[int]] = []

    async def scan(vector):
        scores = matrix @ vector
        top = np.argpartition(-scores, K)[:K]
        exact.append({int(i) for i in ids[top]})

    line = _line("baseline", await _timed([lambda v=v: scan(v) for v in vectors]))
    recall = statistics.fmean(len(set(f) & e) / K for f, e in zip(found, exact, strict=True))
    ratio = line["baseline_p99_ms"] / figures["index_p99_ms"]
    cpu_ratio = line["baseline_cpu_p99_ms"] / figures["index_cpu_p99_ms"]
    print(f"baseline: exact float32 scan, {matrix.nbytes / 2**20:.0f} MB in memory")
    print(
        f"index p99 is {ratio:.1f}x faster than the exact scan ({cpu_ratio:.1f}x in CPU time);"
        f" recall at {K}: {recall:.3f}"
    )
    return line | {
        "baseline_matrix_mb": round(matrix.nbytes / 2**20),
        "p99_ratio_baseline_over_index": round(ratio, 1),
        "cpu_p99_ratio_baseline_over_index": round(cpu_ratio, 1),
        "recall_at_10": round(recall, 4),
        "peak_rss_mb": round(_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--dimensions", type=int, default=1024)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    path = embedded_database(args.papers, args.dimensions)
    figures = asyncio.run(run(path, args.dimensions, args.queries))
    figures |= {"papers": args.papers, "dimensions": args.dimensions, "queries": args.queries}
    figures["load_average"] = round(os.getloadavg()[0], 2)  # other work on the machine
    print(f"load average: {figures['load_average']} on {os.cpu_count()} cores")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
