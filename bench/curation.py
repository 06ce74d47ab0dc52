"""Curation: how many of the papers human curators picked the automatic digest holds.

Builds a fresh database from the fixture fortnight (3–16 June 2024: the arXiv RSS files,
then the Hugging Face Daily Papers answers, all through the real ingest with the default
topics; no editor's article), composes the digest of the topics an editor of an LLM digest
covers (`EDITOR_TOPICS`, the five sections of the Chinese fortnightly digest the product is
modelled on) at the default issue size, and prints the recall of each curated list in
`curated_lists.json` (over the curated papers present in the data), per topic and overall,
for the default ranking beside two baselines: the newest first, and the topic rules alone
(the ranking before Daily Papers counted). Then how the default's recall moves when each
weight is halved or doubled. The last line is one JSON object.

    .venv/bin/python bench/curation.py [--fixtures DIR] [--topic-model PATH|rules]

DIR (or DIGESTBOT_FIXTURES) holds `curation/`; by default the shared fixtures beside the
repository. Without them the bench says so and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._fortnight import EDITOR_TOPICS, build, fixtures_dir  # noqa: E402
from bot.digest import ranking  # noqa: E402
from bot.digest.compose import compose  # noqa: E402
from bot.digest.periods import period_of  # noqa: E402
from bot.digest.ranking import Weights  # noqa: E402
from bot.runtime import Runtime  # noqa: E402

LISTS = {"mlpotw": "ml_papers_of_the_week", "raschka": "raschka_llm_papers_2024"}
SENSITIVE = ("topic_fit", "hf_presence", "hf_upvotes", "hf_comments", "importance")
GATE_SHIFT = 0.1  # the gate's bounds lie on the fit scale (0.5 to 1): moved, not multiplied


async def curated_ids(rt: Runtime, lists: dict) -> dict[str, dict[str, int]]:
    """Each list's curated arXiv ids that are in the database, with their paper ids."""
    found = {}
    for name, key in LISTS.items():
        ids = sorted({item["arxiv_id"] for item in lists[key] if item.get("arxiv_id")})
        marks = ",".join("?" * len(ids))
        rows = await rt.db.fetchall(
            f"SELECT arxiv_id, id FROM papers WHERE arxiv_id IN ({marks})", ids
        )
        found[name] = {row[0]: row[1] for row in rows}
    return found


async def digest_of(rt: Runtime, start: date, weights: Weights) -> dict[str, list[int]]:
    period = period_of(start, rt.settings.epoch)
    digest = await compose(
        rt.db,
        period,
        rt.topics,
        topic_slugs=EDITOR_TOPICS,
        cap=rt.settings.issue_size,
        weights=weights,
    )
    return {s.topic.slug: [p.id for p in s.papers] for s in digest.sections}


def recall(held: dict[str, list[int]], curated: dict[str, int]) -> dict:
    """Overall and per-topic recall of one curated list."""
    wanted = set(curated.values())
    shown = {p for papers in held.values() for p in papers}
    per_topic = {slug: len(wanted & set(papers)) for slug, papers in held.items()}
    return {
        "held": len(wanted & shown),
        "present": len(wanted),
        "recall": round(len(wanted & shown) / len(wanted), 3) if wanted else 0.0,
        "per_topic": per_topic,
    }


async def measure(rt: Runtime, start: date, curated, weights: Weights) -> dict:
    held = await digest_of(rt, start, weights)
    lists = {name: recall(held, ids) for name, ids in curated.items()}
    both = {pid for ids in curated.values() for pid in ids.values()}
    overall = recall(held, {str(p): p for p in both})
    distinct = len({p for papers in held.values() for p in papers})
    return {"lists": lists, "overall": overall, "papers": distinct, "held": held}


async def topic_support(rt: Runtime, curated, slug: str) -> int:
    """Curated papers (either list) the topic rules put in a topic: the most its issue can hold."""
    ids = sorted({p for named in curated.values() for p in named.values()})
    marks = ",".join("?" * len(ids))
    row = await rt.db.fetchone(
        f"SELECT count(*) FROM paper_topics WHERE topic_slug = ? AND paper_id IN ({marks})",
        [slug, *ids],
    )
    return row[0]


def report(name: str, result: dict) -> None:
    lists = result["lists"]
    figures = "  ".join(
        f"{n} {r['held']}/{r['present']} ({r['recall']:.2f})" for n, r in lists.items()
    )
    overall = result["overall"]
    print(
        f"{name:<12} {figures}  overall {overall['held']}/{overall['present']}"
        f" ({overall['recall']:.2f})  papers {result['papers']}"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", help="the fixtures directory (holding curation/)")
    parser.add_argument(
        "--topic-model",
        metavar="PATH|rules",
        help="file papers with this learned topic model (e.g. one trained without the"
        " fortnight's papers: bench/topics_train.py --leave-out) or the rules alone",
    )
    args = parser.parse_args()
    curation = fixtures_dir(args.fixtures) / "curation"
    if not (curation / "curated_lists.json").is_file():
        reason = f"no curation fixtures at {curation} (set DIGESTBOT_FIXTURES or --fixtures)"
        print(f"skipped: {reason}")
        print(json.dumps({"skipped": reason}))
        return 0
    logging.disable(logging.INFO)
    lists = json.loads((curation / "curated_lists.json").read_text(encoding="utf-8"))
    start = date.fromisoformat(lists["period"][0])
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        rt = await build(Path(tmp) / "curation.sqlite3", curation, args.topic_model)
        built = time.perf_counter() - began
        try:
            return await run(rt, start, lists, built)
        finally:
            await rt.close()


async def run(rt: Runtime, start: date, lists: dict, built: float) -> int:
    curated = await curated_ids(rt, lists)
    default = ranking.load()
    results = {
        "default": await measure(rt, start, curated, default),
        "rules only": await measure(rt, start, curated, ranking.RULES_ONLY),
        "recency": await measure(rt, start, curated, ranking.RECENCY_ONLY),
    }
    papers = await rt.db.fetchone("SELECT count(*) FROM papers")
    print(f"database: {papers[0]} papers in {built:.1f} s; topics {', '.join(EDITOR_TOPICS)}")
    print(f"issue size {rt.settings.issue_size}; recall = curated papers held / present")
    for name, result in results.items():
        report(name, result)
    print("per topic (curated papers held; the rules put n of them in the topic):")
    for slug in EDITOR_TOPICS:
        support = await topic_support(rt, curated, slug)
        held = "  ".join(
            f"{name} {result['overall']['per_topic'].get(slug, 0)}"
            for name, result in results.items()
        )
        print(f"  {slug:<11} n={support:<3} {held}")
    print("sensitivity (overall curated papers held when one weight is halved / doubled):")
    sensitivity = {}
    for name in SENSITIVE:
        moved = [
            (await measure(rt, start, curated, default.scaled(name, f)))["overall"]["held"]
            for f in (0.5, 2.0)
        ]
        sensitivity[name] = moved
        print(f"  {name:<12} ×0.5 {moved[0]}  ×2 {moved[1]}")
    for name in ("fit_floor", "fit_full"):
        moved = [
            (await measure(rt, start, curated, replace(default, **{name: value})))["overall"][
                "held"
            ]
            for value in (getattr(default, name) - GATE_SHIFT, getattr(default, name) + GATE_SHIFT)
        ]
        sensitivity[name] = moved
        print(f"  {name:<12} -{GATE_SHIFT} {moved[0]}  +{GATE_SHIFT} {moved[1]}")
    base, rules = results["default"], results["rules only"]
    summary = {
        "recall_mlpotw": base["lists"]["mlpotw"]["recall"],
        "recall_raschka": base["lists"]["raschka"]["recall"],
        "recall_overall": base["overall"]["recall"],
        "held": base["overall"]["held"],
        "present": base["overall"]["present"],
        "recall_rules_only": rules["overall"]["recall"],
        "held_rules_only": rules["overall"]["held"],
        "recall_recency": results["recency"]["overall"]["recall"],
        "held_recency": results["recency"]["overall"]["held"],
        "papers_in_digest": base["papers"],
        "papers_rules_only": rules["papers"],
        "sensitivity_held": sensitivity,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
