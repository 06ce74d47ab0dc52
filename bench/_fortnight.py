"""The fixture fortnight (3–16 June 2024) as a fresh database, for the benches that measure
what the digest picks and how it reads: the arXiv RSS files, then the Hugging Face Daily
Papers answers, through the real ingest."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot import config  # noqa: E402
from bot.ingest.service import ingest_file  # noqa: E402
from bot.runtime import Runtime, open_runtime  # noqa: E402
from bot.topics import learned  # noqa: E402
from bot.topics.config import TopicMatcher  # noqa: E402

# LLM进展与基准 · RAG · LLM微调 · LLM推理 · LLM安全与对齐: the sections of the Chinese digest the
# product is modelled on; agents, multimodal, efficiency and code are the bot's additions.
EDITOR_TOPICS = ("llm", "rag", "finetuning", "reasoning", "safety")


def fixtures_dir(argument: str | None) -> Path:
    """`--fixtures`, else DIGESTBOT_FIXTURES, else the shared fixtures beside the checkout."""
    chosen = argument or os.environ.get("DIGESTBOT_FIXTURES")
    return Path(chosen) if chosen else REPO.parent / "shared" / "fixtures"


async def build(db_path: Path, curation: Path, topic_model: str | None = None) -> Runtime:
    """A runtime on a new database holding the fortnight's papers and their signals.

    `topic_model`: a learned topic model's file to file papers with instead of the packaged
    one, or "rules" for the topic rules alone."""
    settings = config.load(
        {"DIGESTBOT_DB": str(db_path), "DIGESTBOT_TIMEZONE": "UTC"}, env_file=None
    )
    rt = await open_runtime(settings)
    if topic_model == "rules":
        rt = replace(rt, matcher=TopicMatcher(rt.topics))
    elif topic_model:
        rt = replace(rt, matcher=TopicMatcher(rt.topics, learned.read(Path(topic_model))))
    for folder, pattern in (("arxiv_rss", "*.xml"), ("hf_daily", "*.json")):
        for path in sorted((curation / folder).glob(pattern)):
            await ingest_file(rt.db, path, matcher=rt.matcher)
    return rt
