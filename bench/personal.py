"""Personal ranking: how much of a simulated reader's own issue is what the reader cares about,
beside the shared issue everyone else gets.

Builds a fresh database from the fixture fortnight (3–16 June 2024: arXiv RSS and Hugging
Face Daily Papers, through the real ingest) and the days before it (`earlier_arxiv_rss/`,
27–31 May 2024, in the fortnight of 20 May – 2 June). Each simulated reader is a private
chat with a hidden interest, a keyword rule over a paper's title and abstract (`READERS`),
subscribed to one broad topic. The reader votes on ten papers of the earlier fortnight,
drawn at random from the topic's papers there: five the rule matches 👍 (topped up from the
earlier fortnight's other papers when the topic has fewer), five it does not 👎. The votes go
in as a reader's would (storage.votes); the bot never sees the rule, only the votes and the
papers' text. Then the chat's digest of the June fortnight is composed through the push's
own path (bot.push.plan.chat_digest) with the chat's taste, and without it (the shared
issue), and each is judged by the rule: precision at 10 = the share of the topic's first ten
papers the rule matches.

The draw of votes is repeated with `--draws` seeds; the figures are their means. Then how the
mean moves when the taste's weight is halved or doubled, and with fewer or more terms.

With `--embeddings`, every paper also gets a stored embedding (the fake OpenAI-compatible
endpoint's deterministic vectors of the text the bot embeds, made here: no network) and each
draw's readers are judged a second time with the embedding taste blended in, beside the words
alone; then how that mean moves with the embeddings' share of the taste.
The last line printed is one JSON object.

    DIGESTBOT_FIXTURES=/path/to/fixtures .venv/bin/python bench/personal.py [--draws 5]
        [--embeddings]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._fortnight import build, fixtures_dir  # noqa: E402
from bot.digest import personal, ranking  # noqa: E402
from bot.digest.periods import period_of  # noqa: E402
from bot.digest.ranking import Weights  # noqa: E402
from bot.ingest.service import ingest_file  # noqa: E402
from bot.push.plan import chat_digest  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.search.embedding_run import paper_text  # noqa: E402
from bot.search.vectors import packed  # noqa: E402
from storage import chats, embeddings, subscriptions, votes  # noqa: E402
from tests.fakes.openai_embeddings import hashed_vectors  # noqa: E402

NEXT = date(2024, 6, 3)  # the fortnight whose issue is judged
EARLIER = date(2024, 5, 20)  # the fortnight whose papers are voted on
TOP = 10
FIRST_CHAT = 900_000
MODEL = "bench-hashed-words"  # the fake endpoint's vectors: a hashed bag of the text's words
DIMENSIONS = 384

# Hidden interests: a rule over the title and abstract (case ignored), and the broad topic
# a reader with that interest takes. A few interests appear under two topics.
RULES = {
    "multilingual": r"multilingual|cross-?lingual|low-resource|low resource|non-english",
    "translation": r"machine translation|translat",
    "speech": r"speech|spoken|\baudio|\basr\b|voice",
    "code": r"\bcode\b|programming|software|program synthesis",
    "medicine": r"medical|clinical|health|patient|biomedical|disease",
    "math": r"\bmath|arithmetic|gsm8k|theorem",
    "retrieval": r"retriev|\brag\b|search engine",
    "jailbreak": r"jailbreak|adversarial|attack|red-?team",
    "agents": r"\bagent|tool use|tool-use|function call",
    "benchmarks": r"benchmark|leaderboard",
    "efficiency": r"quantiz|pruning|distillation|efficien|kv cache|compression",
    "vision": r"\bimage|visual|vision|video",
    "hallucination": r"hallucinat|factual",
    "bias": r"\bbias|fairness|stereotyp|gender",
    "dialogue": r"dialogue|conversation",
    "preference": r"preference|rlhf|reward model|\bdpo\b",
    "long-context": r"long-context|long context|context window|context length",
    "privacy": r"privacy|memoriz|unlearn",
    "emotion": r"sentiment|emotion|affective|empath",
}
READERS = (
    ("multilingual", "llm"),
    ("translation", "llm"),
    ("speech", "multimodal"),
    ("code", "llm"),
    ("medicine", "llm"),
    ("math", "reasoning"),
    ("retrieval", "llm"),
    ("jailbreak", "safety"),
    ("agents", "llm"),
    ("benchmarks", "llm"),
    ("efficiency", "multimodal"),
    ("vision", "llm"),
    ("hallucination", "safety"),
    ("bias", "safety"),
    ("dialogue", "llm"),
    ("preference", "safety"),
    ("long-context", "llm"),
    ("privacy", "safety"),
    ("emotion", "multimodal"),
    ("code", "safety"),
    ("math", "llm"),
    ("retrieval", "multimodal"),
    ("agents", "multimodal"),
    ("bias", "llm"),
)


async def papers_of(rt: Runtime) -> tuple[dict[int, str], dict[int, set[str]], set[int]]:
    """Every paper's text, its topics, and the ids announced in the earlier fortnight."""
    rows = await rt.db.fetchall("SELECT id, title, abstract, announced_at FROM papers")
    text = {row[0]: f"{row[1]} {row[2] or ''}" for row in rows}
    earlier = {row[0] for row in rows if row[3] and row[3] < NEXT.isoformat()}
    topics: dict[int, set[str]] = {}
    for paper_id, slug in await rt.db.fetchall("SELECT paper_id, topic_slug FROM paper_topics"):
        topics.setdefault(paper_id, set()).add(slug)
    return text, topics, earlier


def draw_votes(rule, slug, text, topics, earlier, rnd: random.Random) -> dict[int, str]:
    """Ten earlier papers: five the rule matches liked, five of the topic it does not, not."""
    in_topic = sorted(p for p in earlier if slug in topics.get(p, ()))
    liked = [p for p in in_topic if rule.search(text[p])]
    if len(liked) >= 5:
        liked = rnd.sample(liked, 5)
    else:
        others = sorted(p for p in earlier if rule.search(text[p]) and p not in liked)
        liked += rnd.sample(others, 5 - len(liked))
    disliked = rnd.sample([p for p in in_topic if not rule.search(text[p])], 5)
    return {**dict.fromkeys(liked, "up"), **dict.fromkeys(disliked, "down")}


async def seat_readers(rt: Runtime, text, topics, earlier, seed: int) -> list[int]:
    """One private chat a reader, subscribed to its topic, with its ten votes; their ids."""
    rnd = random.Random(seed)
    await rt.db.write("DELETE FROM votes WHERE chat_id >= ?", (FIRST_CHAT,))
    ids = []
    for n, (interest, slug) in enumerate(READERS):
        chat_id = FIRST_CHAT + n
        await chats.ensure(rt.db, chat_id, "private", None, default_timezone="UTC")
        await chats.set_language(rt.db, chat_id, "en")
        await subscriptions.add_topic(rt.db, chat_id, slug)
        rule = re.compile(RULES[interest], re.IGNORECASE)
        for paper_id, vote in draw_votes(rule, slug, text, topics, earlier, rnd).items():
            await votes.set_vote(rt.db, chat_id, chat_id, paper_id, vote)
        ids.append(chat_id)
    return ids


async def embed_all(rt: Runtime) -> int:
    """Every paper's embedding, stored as `digestbot embed` would store the fake endpoint's."""
    found = await embeddings.pending(rt.db, MODEL, limit=1_000_000)
    vectors = hashed_vectors([paper_text(p.title, p.abstract) for p in found], DIMENSIONS)
    rows = [
        embeddings.StoredEmbedding(p.id, p.changed_at, DIMENSIONS, packed(vector))
        for p, vector in zip(found, vectors, strict=True)
    ]
    await embeddings.store(rt.db, MODEL, rows)
    return len(rows)


async def first_ten(
    rt: Runtime, chat_id: int, weights: Weights | None, model: str | None = None
) -> list[int]:
    """The first papers of the chat's (only) section in its June digest; shared when no
    `weights` are given, else ranked by the chat's taste with them (and `model`'s vectors)."""
    chat = await chats.get(rt.db, chat_id)
    subs = await subscriptions.for_chat(rt.db, chat_id)
    taste = None
    if weights is not None:
        taste = await personal.taste_of(rt.db, chat_id, weights, model=model)
    period = period_of(NEXT, rt.settings.epoch)
    digest = await chat_digest(rt, chat, subs, period, taste=taste)
    [section] = digest.sections
    return [paper.id for paper in section.papers[:TOP]]


def precision(ids: list[int], rule, text) -> float:
    return sum(1 for p in ids if rule.search(text[p])) / TOP


async def measure(rt, ids, text, weights, model=None) -> tuple[list[float], list[float], float]:
    """Each reader's precision at 10, shared and personal, and seconds per personal digest."""
    shared, own, spent = [], [], 0.0
    for chat_id, (interest, _slug) in zip(ids, READERS, strict=True):
        rule = re.compile(RULES[interest], re.IGNORECASE)
        shared.append(precision(await first_ten(rt, chat_id, None), rule, text))
        began = time.perf_counter()
        mine = await first_ten(rt, chat_id, weights, model)
        spent += time.perf_counter() - began
        own.append(precision(mine, rule, text))
    return shared, own, spent / len(ids)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", help="the fixtures directory (holding curation/)")
    parser.add_argument("--draws", type=int, default=5, help="seeds of the readers' votes")
    parser.add_argument(
        "--embeddings", action="store_true", help="also with the embedding taste blended in"
    )
    args = parser.parse_args()
    curation = fixtures_dir(args.fixtures) / "curation"
    if not (curation / "earlier_arxiv_rss").is_dir():
        reason = f"no curation fixtures at {curation} (set DIGESTBOT_FIXTURES or --fixtures)"
        print(f"skipped: {reason}")
        print(json.dumps({"skipped": reason}))
        return 0
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        rt = await build(Path(tmp) / "personal.sqlite3", curation)
        try:
            for path in sorted((curation / "earlier_arxiv_rss").glob("*.xml")):
                await ingest_file(rt.db, path, matcher=rt.matcher)
            model = MODEL if args.embeddings else None
            if model is not None:
                print(f"{await embed_all(rt):,} papers embedded ({DIMENSIONS} dimensions)")
            return await run(rt, args.draws, model)
        finally:
            await rt.close()


async def run(rt: Runtime, draws: int, model: str | None) -> int:
    text, topics, earlier = await papers_of(rt)
    default = ranking.load()
    # Each draw: the readers' precision with the shared issue, their own, and their own with
    # the embedding taste blended in (when `model`)
    per_draw: list[tuple[list[float], list[float], list[float]]] = []
    spent: list[float] = []
    spent_blended: list[float] = []
    for seed in range(draws):
        ids = await seat_readers(rt, text, topics, earlier, seed)
        shared, own, seconds = await measure(rt, ids, text, default)
        spent.append(seconds)
        blended: list[float] = []
        if model is not None:
            _, blended, seconds = await measure(rt, ids, text, default, model)
            spent_blended.append(seconds)
        per_draw.append((shared, own, blended))
    found = summary(per_draw, model is not None)
    found["ms_per_own_digest"] = round(statistics.mean(spent) * 1000, 1)
    if model is not None:
        found["ms_per_own_digest_with_embeddings"] = round(statistics.mean(spent_blended) * 1000, 1)
    print(f"{statistics.mean(spent) * 1000:.0f} ms per own digest", end="")
    print(f", {statistics.mean(spent_blended) * 1000:.0f} with embeddings" if model else "")
    ids = await seat_readers(rt, text, topics, earlier, 0)
    found["sensitivity"] = await sensitivity(rt, ids, text, default, None)
    if model is not None:
        found["sensitivity_with_embeddings"] = await sensitivity(rt, ids, text, default, model)
    print(json.dumps({"readers": len(READERS), "draws": draws, **found}))
    return 0


def summary(per_draw, blends: bool) -> dict:
    """The table of readers, the means, and their figures for the JSON line."""
    column = {"shared": 0, "own": 1, "own + vectors": 2}
    shown = [name for name in column if blends or name != "own + vectors"]
    print(f"{len(READERS)} readers, {len(per_draw)} draws of ten votes each; precision at {TOP}:")
    print(f"{'interest':<14} {'topic':<11} " + " ".join(f"{name:>13}" for name in shown))
    for n, (interest, slug) in enumerate(READERS):
        means = [statistics.mean(draw[column[name]][n] for draw in per_draw) for name in shown]
        print(f"{interest:<14} {slug:<11} " + " ".join(f"{m:>13.2f}" for m in means))
    by_draw = {name: [statistics.mean(draw[column[name]]) for draw in per_draw] for name in shown}
    mean = {name: statistics.mean(values) for name, values in by_draw.items()}
    ratio = mean["own"] / mean["shared"] if mean["shared"] else float("inf")
    line = f"mean: shared {mean['shared']:.3f}, own {mean['own']:.3f} ({ratio:.1f}×)"
    if blends:
        line += f", own with embeddings {mean['own + vectors']:.3f}"
    print(line + "; own per draw " + ", ".join(f"{m:.2f}" for m in by_draw["own"]))
    found = {
        "precision_at_10_shared": round(mean["shared"], 3),
        "precision_at_10_own": round(mean["own"], 3),
        "ratio": round(ratio, 2),
        "own_per_draw": [round(m, 3) for m in by_draw["own"]],
    }
    if blends:
        found["precision_at_10_own_with_embeddings"] = round(mean["own + vectors"], 3)
        found["own_with_embeddings_per_draw"] = [round(m, 3) for m in by_draw["own + vectors"]]
    return found


async def sensitivity(rt, ids, text, default: Weights, model: str | None) -> dict[str, float]:
    """How draw 0's mean precision of the own issues moves with the taste's settings."""
    variants = [
        ("weight ×0.5", default.scaled("taste", 0.5)),
        ("weight ×2", default.scaled("taste", 2.0)),
        ("terms ×0.5", replace(default, taste_terms=default.taste_terms // 2)),
        ("terms ×2", replace(default, taste_terms=default.taste_terms * 2)),
        ("no dislike", replace(default, taste_dislike=0.0)),
    ]
    if model is not None:
        variants = [
            (f"embeddings {share}", replace(default, taste_embeddings=share))
            for share in (0.0, 0.25, 0.5, 0.75, 1.0)
        ]
    found = {}
    for label, weights in variants:
        _, own, _ = await measure(rt, ids, text, weights, model)
        found[label] = round(statistics.mean(own), 3)
    kind = "with embeddings" if model else "words alone"
    print(f"sensitivity ({kind}, draw 0): " + ", ".join(f"{k} {v:.3f}" for k, v in found.items()))
    return found


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
