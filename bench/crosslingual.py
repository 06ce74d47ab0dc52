"""Cross-language search: Chinese queries against a store of English-only papers.

Loads the 3,199 real papers of `crosslingual/cn_chat_arxiv_2024-03.jsonl` (English title and
abstract only, no summary) into a fresh database, then searches through the real search
service, in one run, with the lexicon on and off:

- each paper's machine-written Chinese title and its Chinese one-line TL;DR: recall at 5
  (the paper among the first five) and MRR over the first ten, per query kind;
- the short everyday Chinese queries of bench/data/crosslingual_queries.tsv (written before
  the lexicon was tuned): precision at 10, a result relevant when its English title or
  abstract contains one of the query's English forms (ignoring case, hyphens read as spaces).

    .venv/bin/python bench/crosslingual.py [--fixtures DIR] [--limit N]

DIR (or DIGESTBOT_FIXTURES) holds `crosslingual/`; by default the shared fixtures beside the
repository. Without them the bench says so and exits 0. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.search.service import search  # noqa: E402
from storage import papers  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Paper  # noqa: E402

FIXTURE = Path("crosslingual") / "cn_chat_arxiv_2024-03.jsonl"
SHORT_QUERIES = REPO / "bench" / "data" / "crosslingual_queries.tsv"
KINDS = {"title_zh": "Chinese title", "tldr_zh": "Chinese TL;DR"}
DEPTH = 10


def fixtures_dir(argument: str | None) -> Path:
    chosen = argument or os.environ.get("DIGESTBOT_FIXTURES")
    return Path(chosen) if chosen else REPO.parent / "shared" / "fixtures"


def read_papers(path: Path, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return rows[:limit] if limit else rows


def read_short_queries() -> list[tuple[str, tuple[str, ...]]]:
    queries = []
    for line in SHORT_QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, forms = line.split("\t")
            queries.append((query, tuple(forms.split("|"))))
    return queries


async def store(db: Database, rows: list[dict]) -> None:
    """The English only: title and abstract, as an arXiv feed gives them."""
    await papers.upsert(
        db, [Paper(r["arxiv_id"], 1, r["title"], abstract=r.get("abstract") or "") for r in rows]
    )


async def ranks(db: Database, queries: list[tuple[str, str]], lexicon: bool) -> list[int | None]:
    """Each expected paper's place among the first DEPTH results (from 1), or None."""
    found = []
    for query, expected in queries:
        page = await search(db, query, limit=DEPTH, cross_language=lexicon)
        ids = [hit.paper.arxiv_id for hit in page.hits]
        found.append(ids.index(expected) + 1 if expected in ids else None)
    return found


def recall_and_mrr(places: list[int | None]) -> dict[str, float]:
    return {
        "recall_at_5": round(sum(1 for p in places if p and p <= 5) / len(places), 3),
        "mrr": round(sum(1 / p for p in places if p) / len(places), 3),
    }


def _normal(text: str) -> str:
    return " " + re.sub(r"[\W_]+", " ", text.lower()) + " "


def relevant(paper: Paper, forms: tuple[str, ...]) -> bool:
    """The stated rule: the title or abstract holds one of the English forms as words."""
    text = _normal(f"{paper.title} {paper.abstract}")
    return any(_normal(form) in text or _normal(form).rstrip() + "s " in text for form in forms)


async def precision(db: Database, queries, lexicon: bool) -> tuple[float, list[tuple[str, float]]]:
    per_query = []
    for query, forms in queries:
        page = await search(db, query, limit=DEPTH, cross_language=lexicon)
        good = sum(1 for hit in page.hits if relevant(hit.paper, forms))
        per_query.append((query, good / DEPTH))
    return round(statistics.mean(p for _, p in per_query), 3), per_query


async def measure(db: Database, rows: list[dict], lexicon: bool) -> dict:
    result: dict = {}
    for field in KINDS:
        queries = [(r[field], r["arxiv_id"]) for r in rows if r.get(field)]
        result[field] = recall_and_mrr(await ranks(db, queries, lexicon)) | {"n": len(queries)}
    result["short_precision_at_10"], result["per_short_query"] = await precision(
        db, read_short_queries(), lexicon
    )
    return result


def report(name: str, result: dict) -> None:
    for field, label in KINDS.items():
        r = result[field]
        print(
            f"{name:<12} {label:<14} recall@5 {r['recall_at_5']:.3f}  MRR {r['mrr']:.3f}"
            f"  ({r['n']} queries)"
        )
    print(f"{name:<12} short queries  precision@10 {result['short_precision_at_10']:.3f}")


async def run(path: Path, limit: int | None) -> dict:
    rows = read_papers(path, limit)
    with tempfile.TemporaryDirectory() as tmp:
        async with await Database.open(Path(tmp) / "crosslingual.sqlite3") as db:
            await store(db, rows)
            began = time.perf_counter()
            results = {"lexicon": await measure(db, rows, True)}
            results["no_lexicon"] = await measure(db, rows, False)
            elapsed = time.perf_counter() - began
    report("lexicon", results["lexicon"])
    report("no lexicon", results["no_lexicon"])
    weakest = sorted(results["lexicon"].pop("per_short_query"), key=lambda pair: pair[1])[:8]
    results["no_lexicon"].pop("per_short_query")
    print("weakest short queries: " + ", ".join(f"{q} {p:.1f}" for q, p in weakest))
    return {"papers": len(rows), "seconds": round(elapsed, 1), **results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", help="the fixtures directory (holding crosslingual/)")
    parser.add_argument("--limit", type=int, help="only the first N papers")
    args = parser.parse_args()
    path = fixtures_dir(args.fixtures) / FIXTURE
    if not path.is_file():
        reason = f"no crosslingual fixtures at {path} (set DIGESTBOT_FIXTURES or --fixtures)"
        print(f"skipped: {reason}")
        print(json.dumps({"skipped": reason}))
        return 0
    print(json.dumps(asyncio.run(run(path, args.limit)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
