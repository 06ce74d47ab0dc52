"""Subscriptions: one row per topic or saved query, validated, per thread, paused chats left out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage import chats, subscriptions, topics
from storage.chat_models import InvalidQuery, UnknownChat, UnknownTopic
from storage.db import Database
from storage.models import Topic

TZ = "Asia/Shanghai"
ADA, BOB, GROUP, FORUM = 42, 43, -4001, -1001234567890
TOPICS = [
    Topic("llm", "大语言模型", "LLMs"),
    Topic("rag", "检索增强生成", "RAG"),
    Topic("safety", "安全与对齐", "Safety & Alignment"),
]


@pytest.fixture(autouse=True)
async def chats_and_topics(db: Database) -> AsyncIterator[None]:
    """Three topics and four chats; every scenario ends with the foreign keys intact."""
    await topics.sync(db, TOPICS)
    await chats.ensure(db, ADA, "private", "Ada", default_timezone=TZ)
    await chats.ensure(db, BOB, "private", "Bob", default_timezone=TZ)
    await chats.ensure(db, GROUP, "group", "Club", default_timezone=TZ)
    await chats.ensure(db, FORUM, "supergroup", "Forum", default_timezone=TZ)
    yield
    assert await db.fetchall("PRAGMA foreign_key_check") == []


async def _count(db: Database) -> int:
    return (await db.fetchone("SELECT count(*) FROM subscriptions"))[0]


async def test_subscribing_twice_to_a_topic_keeps_one_subscription(db: Database):
    assert await subscriptions.add_topic(db, ADA, "rag", created_by=ADA) is True
    assert await subscriptions.add_topic(db, ADA, "rag", created_by=ADA) is False
    subs = await subscriptions.for_chat(db, ADA)
    assert [(s.chat_id, s.topic_slug, s.query, s.created_by) for s in subs] == [
        (ADA, "rag", None, ADA)
    ]


async def test_an_unknown_topic_is_refused_by_name_and_nothing_is_stored(db: Database):
    with pytest.raises(UnknownTopic, match="unknown topic 'foo'"):
        await subscriptions.add_topic(db, ADA, "foo")
    assert await _count(db) == 0


async def test_a_topic_no_longer_offered_is_refused(db: Database):
    await topics.sync(db, TOPICS[:2])
    with pytest.raises(UnknownTopic, match="topic 'safety' is no longer offered"):
        await subscriptions.add_topic(db, ADA, "safety")
    assert await _count(db) == 0


async def test_a_chat_never_seen_cannot_subscribe(db: Database):
    with pytest.raises(UnknownChat, match="unknown chat 99"):
        await subscriptions.add_topic(db, 99, "rag")
    with pytest.raises(UnknownChat, match="unknown chat 99"):
        await subscriptions.add_query(db, 99, "rag")
    assert await _count(db) == 0


async def test_a_saved_query_is_trimmed_and_its_spaces_collapsed(db: Database):
    assert await subscriptions.add_query(db, ADA, "  LLM \t agents\n\n planning ") is True
    [sub] = await subscriptions.for_chat(db, ADA)
    assert (sub.topic_slug, sub.query) == (None, "LLM agents planning")


async def test_the_same_query_in_other_spacing_or_case_is_not_saved_twice(db: Database):
    assert await subscriptions.add_query(db, ADA, "Mixture of Experts") is True
    assert await subscriptions.add_query(db, ADA, "mixture  of experts") is False
    assert await subscriptions.add_query(db, ADA, "MIXTURE OF EXPERTS ") is False
    assert await subscriptions.add_query(db, BOB, "mixture of experts") is True
    assert await _count(db) == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "needs at least one word"),
        (" \n\t ", "needs at least one word"),
        ("x" * 201, "has 201 characters, at most 200"),
        ("word " * 60, "has 299 characters, at most 200"),
    ],
)
async def test_an_empty_or_overlong_query_is_refused(db: Database, query, message):
    with pytest.raises(InvalidQuery, match=message):
        await subscriptions.add_query(db, ADA, query)
    assert await _count(db) == 0


async def test_a_query_of_exactly_200_characters_is_saved(db: Database):
    assert await subscriptions.add_query(db, ADA, "  " + "y" * 200 + "  ") is True
    [sub] = await subscriptions.for_chat(db, ADA)
    assert len(sub.query) == 200


async def test_unsubscribing_says_whether_there_was_anything_to_remove(db: Database):
    await subscriptions.add_topic(db, ADA, "rag")
    await subscriptions.add_query(db, ADA, "speculative decoding")
    assert await subscriptions.remove_topic(db, ADA, "rag") is True
    assert await subscriptions.remove_topic(db, ADA, "rag") is False
    assert await subscriptions.remove_topic(db, ADA, "foo") is False
    assert await subscriptions.remove_query(db, ADA, " Speculative   DECODING") is True
    assert await subscriptions.remove_query(db, ADA, "speculative decoding") is False
    assert await subscriptions.remove_query(db, ADA, "   ") is False
    assert await _count(db) == 0


async def test_removing_from_one_chat_leaves_the_others_alone(db: Database):
    for chat_id in (ADA, BOB):
        await subscriptions.add_topic(db, chat_id, "rag")
        await subscriptions.add_query(db, chat_id, "kv cache")
    assert await subscriptions.remove_topic(db, ADA, "rag") is True
    assert await subscriptions.remove_query(db, ADA, "kv cache") is True
    assert [s.topic_slug or s.query for s in await subscriptions.for_chat(db, BOB)] == [
        "rag",
        "kv cache",
    ]


async def test_a_chat_lists_its_topics_in_topic_order_then_its_queries(db: Database):
    await subscriptions.add_query(db, ADA, "kv cache")
    await subscriptions.add_topic(db, ADA, "safety")
    await subscriptions.add_query(db, ADA, "distillation")
    await subscriptions.add_topic(db, ADA, "llm")
    listed = [s.topic_slug or s.query for s in await subscriptions.for_chat(db, ADA)]
    assert listed == ["llm", "safety", "kv cache", "distillation"]
    assert await subscriptions.for_chat(db, BOB) == []


async def test_a_subscription_made_in_a_forum_thread_remembers_the_thread(db: Database):
    await subscriptions.add_topic(db, FORUM, "rag", thread_id=11, created_by=7)
    await subscriptions.add_topic(db, FORUM, "llm", thread_id=12, created_by=7)
    await subscriptions.add_query(db, FORUM, "long context", thread_id=12, created_by=8)
    await subscriptions.add_topic(db, FORUM, "safety", created_by=7)
    by_name = {s.topic_slug or s.query: s for s in await subscriptions.for_chat(db, FORUM)}
    assert {name: s.thread_id for name, s in by_name.items()} == {
        "llm": 12,
        "rag": 11,
        "safety": None,
        "long context": 12,
    }
    assert by_name["long context"].created_by == 8


async def test_subscribing_again_from_another_thread_keeps_the_first_thread(db: Database):
    assert await subscriptions.add_topic(db, FORUM, "rag", thread_id=11) is True
    assert await subscriptions.add_topic(db, FORUM, "rag", thread_id=12) is False
    [sub] = await subscriptions.for_chat(db, FORUM)
    assert sub.thread_id == 11


async def test_a_paused_chat_is_left_out_of_a_topics_chats(db: Database):
    for chat_id in (GROUP, ADA, BOB):
        await subscriptions.add_topic(db, chat_id, "rag")
    await subscriptions.add_topic(db, FORUM, "llm")
    await chats.pause(db, BOB, "blocked")
    assert await subscriptions.chats_for_topic(db, "rag") == [GROUP, ADA]
    assert await subscriptions.chats_for_topic(db, "rag", active_only=False) == [GROUP, ADA, BOB]
    assert await subscriptions.chats_for_topic(db, "safety") == []
    await chats.resume(db, BOB)
    assert await subscriptions.chats_for_topic(db, "rag") == [GROUP, ADA, BOB]


async def test_saved_queries_are_listed_by_chat_without_paused_chats(db: Database):
    await subscriptions.add_query(db, ADA, "kv cache")
    await subscriptions.add_query(db, ADA, "distillation")
    await subscriptions.add_query(db, BOB, "reward models")
    await subscriptions.add_topic(db, GROUP, "rag")
    await chats.pause(db, BOB, "blocked")
    assert await subscriptions.chats_with_queries(db) == {ADA: ["kv cache", "distillation"]}
    everyone = await subscriptions.chats_with_queries(db, active_only=False)
    assert everyone == {ADA: ["kv cache", "distillation"], BOB: ["reward models"]}


async def test_a_retired_topic_keeps_its_subscribers_listed_until_they_leave(db: Database):
    await subscriptions.add_topic(db, ADA, "safety")
    await topics.sync(db, TOPICS[:2])
    assert [s.topic_slug for s in await subscriptions.for_chat(db, ADA)] == ["safety"]
    assert await subscriptions.remove_topic(db, ADA, "safety") is True


async def test_operators_see_subscriptions_by_topic_and_queries(db: Database):
    assert await subscriptions.counts(db) == {
        "topics": {"llm": 0, "rag": 0, "safety": 0},
        "queries": 0,
        "chats": 0,
    }
    await subscriptions.add_topic(db, ADA, "rag")
    await subscriptions.add_topic(db, BOB, "rag")
    await subscriptions.add_topic(db, BOB, "llm")
    await subscriptions.add_query(db, GROUP, "kv cache")
    await subscriptions.add_query(db, ADA, "distillation")
    assert await subscriptions.counts(db) == {
        "topics": {"llm": 1, "rag": 2, "safety": 0},
        "queries": 2,
        "chats": 3,
    }


async def test_a_chat_gone_after_an_upgrade_leaves_no_subscription_behind(db: Database):
    await subscriptions.add_topic(db, GROUP, "rag")
    await subscriptions.add_query(db, GROUP, "kv cache")
    assert await chats.migrate(db, GROUP, FORUM) is True
    assert await subscriptions.for_chat(db, GROUP) == []
    assert await subscriptions.chats_for_topic(db, "rag") == [FORUM]
    assert await subscriptions.chats_with_queries(db) == {FORUM: ["kv cache"]}
