"""A small world for the summarizer's tests: topics, papers across three fortnights, chats."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import config
from storage import chats, papers, subscriptions, topics
from storage.db import Database
from storage.models import Paper, Topic, TopicMatch

TZ = "Asia/Shanghai"
# The epoch 2024-01-01 puts 20 June 2024 in the fortnight 17–30 June; the previous one is 3–16.
NOW = datetime(2024, 6, 20, 8, 0, tzinfo=UTC)
TOPICS = [
    Topic("rag", "检索增强生成", "RAG"),
    Topic("safety", "LLM安全与对齐", "Safety & alignment"),
    Topic("agents", "智能体", "Agents"),
]
ABSTRACT = (
    "We study {subject} for large language models. Our method improves accuracy on three"
    " benchmarks while reducing cost, and we analyse where it still fails."
)


def paper(n: int, title: str, day: datetime, subject: str = "retrieval-augmented generation"):
    """A paper announced on `day`."""
    return Paper(
        arxiv_id=f"2406.{n:05d}",
        version=1,
        title=title,
        abstract=ABSTRACT.format(subject=subject),
        categories=("cs.CL",),
        announced=day,
    )


async def add(db: Database, items: list[tuple[Paper, str]]) -> dict[str, int]:
    """Store papers with one topic each; their row ids by title."""
    await topics.sync(db, TOPICS)
    result = await papers.upsert(db, [p for p, _ in items])
    ids = {p.arxiv_id: p.id for p in result.changed}
    await topics.assign(db, [(ids[p.arxiv_id], [TopicMatch(slug, 2.0)]) for p, slug in items])
    return {p.title: ids[p.arxiv_id] for p, _ in items}


async def subscribe(db: Database, chat_id: int, *, topic: str | None = None, query=None) -> None:
    """A private chat taking a topic or a saved query."""
    await chats.ensure(db, chat_id, "private", None, default_timezone=TZ)
    if topic:
        await subscriptions.add_topic(db, chat_id, topic)
    if query:
        await subscriptions.add_query(db, chat_id, query)


def settings(base_url: str | None, **limits: str) -> config.Settings:
    """Settings pointing at the fake endpoint, with budget variables as given."""
    environ = {"DIGESTBOT_SUMMARY_MODEL": "fake-summarizer-1", **limits}
    if base_url:
        environ["OPENAI_BASE_URL"] = base_url
    return config.load(environ, env_file=None)
