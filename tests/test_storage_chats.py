"""Chats: settings validated and kept, pausing, group upgrades, admin cache, search sessions."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import chat_admins, chats, search_sessions, subscriptions, topics
from storage.chat_models import InvalidSetting, InvalidTimezone, UnknownChat
from storage.db import Database
from storage.models import Topic

TZ = "Asia/Shanghai"
GROUP, SUPERGROUP = -4001, -1001234567890


@pytest.fixture(autouse=True)
async def foreign_keys_hold(db: Database) -> AsyncIterator[None]:
    """Every scenario ends with the foreign keys intact."""
    yield
    assert await db.fetchall("PRAGMA foreign_key_check") == []


async def _topics(db: Database) -> None:
    await topics.sync(
        db,
        [
            Topic("llm", "大语言模型", "LLMs"),
            Topic("rag", "检索增强生成", "RAG"),
            Topic("safety", "安全与对齐", "Safety & Alignment"),
        ],
    )


async def _rows(db: Database, table: str, chat_id: int) -> int:
    row = await db.fetchone(f"SELECT count(*) FROM {table} WHERE chat_id = ?", (chat_id,))
    return row[0]


async def test_a_new_chat_starts_with_the_default_timezone_and_settings(db: Database):
    chat = await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    assert (chat.id, chat.type, chat.title, chat.timezone) == (42, "private", "Ada", TZ)
    assert (chat.language, chat.delivery_weekday, chat.delivery_hour) == (None, 0, 9)
    assert (chat.empty_topics, chat.thread_id, chat.active, chat.paused_reason) == (
        "skip",
        None,
        True,
        None,
    )
    assert await chats.get(db, 42) == chat


async def test_ensuring_a_chat_again_changes_nothing(db: Database):
    first = await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    await chats.set_timezone(db, 42, "Europe/Berlin")
    again = await chats.ensure(db, 42, "private", "Ada", default_timezone="UTC")
    assert again.timezone == "Europe/Berlin"
    assert again.created_at == first.created_at
    assert (await db.fetchone("SELECT count(*) FROM chats"))[0] == 1


async def test_a_renamed_group_gets_its_new_title_and_type(db: Database):
    await chats.ensure(db, GROUP, "group", "Reading club", default_timezone=TZ)
    chat = await chats.ensure(db, GROUP, "supergroup", "Paper club", default_timezone=TZ)
    assert (chat.type, chat.title) == ("supergroup", "Paper club")


async def test_an_unknown_chat_type_or_default_timezone_is_refused(db: Database):
    with pytest.raises(InvalidSetting, match="chat type 'forum'"):
        await chats.ensure(db, 1, "forum", None, default_timezone=TZ)
    with pytest.raises(InvalidTimezone, match="'Mars/Base' is not an IANA timezone"):
        await chats.ensure(db, 1, "private", None, default_timezone="Mars/Base")
    assert await chats.get(db, 1) is None


async def test_a_chat_takes_any_iana_timezone(db: Database):
    await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    for name in ("Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC"):
        assert (await chats.set_timezone(db, 42, name)).timezone == name


@pytest.mark.parametrize(
    "name", ["Mars/Base", "", "asia/shanghai", "localtime", "../etc/passwd", "/etc/localtime"]
)
async def test_a_timezone_that_is_not_iana_is_refused_and_nothing_changes(db: Database, name):
    before = await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    with pytest.raises(ValueError, match="is not an IANA timezone") as raised:
        await chats.set_timezone(db, 42, name)
    assert isinstance(raised.value, InvalidTimezone)
    assert repr(name) in str(raised.value)
    assert await chats.get(db, 42) == before


async def test_delivery_day_and_hour_change_separately(db: Database):
    await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    chat = await chats.set_delivery(db, 42, weekday=4)
    assert (chat.delivery_weekday, chat.delivery_hour) == (4, 9)
    chat = await chats.set_delivery(db, 42, hour=0)
    assert (chat.delivery_weekday, chat.delivery_hour) == (4, 0)
    chat = await chats.set_delivery(db, 42, weekday=6, hour=23)
    assert (chat.delivery_weekday, chat.delivery_hour) == (6, 23)


@pytest.mark.parametrize(
    ("weekday", "hour", "message"),
    [
        (7, None, "delivery weekday 7"),
        (-1, None, "delivery weekday -1"),
        (None, 24, "delivery hour 24"),
        (None, "9", "delivery hour '9'"),
        (True, None, "delivery weekday True"),
        (3, 25, "delivery hour 25"),
    ],
)
async def test_a_delivery_time_out_of_range_is_refused_and_nothing_changes(
    db: Database, weekday, hour, message
):
    before = await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    with pytest.raises(InvalidSetting, match=re.escape(message)):
        await chats.set_delivery(db, 42, weekday=weekday, hour=hour)
    assert await chats.get(db, 42) == before


async def test_language_and_empty_topic_behaviour_take_only_known_values(db: Database):
    before = await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    with pytest.raises(InvalidSetting, match="language 'fr'"):
        await chats.set_language(db, 42, "fr")
    with pytest.raises(InvalidSetting, match="empty-topics behaviour 'hide'"):
        await chats.set_empty_topics(db, 42, "hide")
    assert await chats.get(db, 42) == before
    assert (await chats.set_language(db, 42, "zh")).language == "zh"
    assert (await chats.set_language(db, 42, None)).language is None
    assert (await chats.set_empty_topics(db, 42, "line")).empty_topics == "line"
    assert (await chats.set_thread(db, 42, 7)).thread_id == 7


async def test_changing_a_chat_that_was_never_seen_names_it(db: Database):
    with pytest.raises(UnknownChat, match="unknown chat 99"):
        await chats.set_language(db, 99, "en")
    with pytest.raises(UnknownChat, match="unknown chat 99"):
        await chats.pause(db, 99, "kicked")
    assert await chats.get(db, 99) is None


async def test_a_chat_that_removed_the_bot_is_paused_until_it_adds_it_back(db: Database):
    await chats.ensure(db, GROUP, "group", "Club", default_timezone=TZ)
    paused = await chats.pause(db, GROUP, "kicked")
    assert (paused.active, paused.paused_reason) == (False, "kicked")
    # Later updates from the chat refresh its title but do not undo the pause.
    still = await chats.ensure(db, GROUP, "group", "Club 2", default_timezone=TZ)
    assert (still.active, still.paused_reason) == (False, "kicked")
    with pytest.raises(InvalidSetting, match="reason"):
        await chats.pause(db, GROUP, "  ")
    resumed = await chats.resume(db, GROUP)
    assert (resumed.active, resumed.paused_reason) == (True, None)


async def test_a_group_upgraded_to_a_supergroup_keeps_its_settings_and_subscriptions(
    db: Database,
):
    await _topics(db)
    await chats.ensure(db, GROUP, "group", "Club", default_timezone=TZ)
    await chats.set_language(db, GROUP, "en")
    await chats.set_delivery(db, GROUP, weekday=2, hour=20)
    await subscriptions.add_topic(db, GROUP, "rag", created_by=7)
    await subscriptions.add_query(db, GROUP, "speculative decoding")
    token = await search_sessions.save(db, GROUP, "long context", "en")
    await chat_admins.remember(db, GROUP, 7, True)

    assert await chats.migrate(db, GROUP, SUPERGROUP) is True

    assert await chats.get(db, GROUP) is None
    chat = await chats.get(db, SUPERGROUP)
    assert (chat.type, chat.title, chat.language) == ("supergroup", "Club", "en")
    assert (chat.delivery_weekday, chat.delivery_hour) == (2, 20)
    subs = await subscriptions.for_chat(db, SUPERGROUP)
    assert [(s.topic_slug, s.query, s.created_by) for s in subs] == [
        ("rag", None, 7),
        (None, "speculative decoding", None),
    ]
    assert await search_sessions.load(db, token, SUPERGROUP) == ("long context", "en")
    assert await chat_admins.cached(db, SUPERGROUP, 7, timedelta(hours=1)) is None
    for table in ("subscriptions", "search_sessions", "chat_admins"):
        assert await _rows(db, table, GROUP) == 0


async def test_an_upgrade_merges_into_a_supergroup_row_written_first_without_duplicates(
    db: Database,
):
    await _topics(db)
    old = await chats.ensure(db, GROUP, "group", "Club", default_timezone=TZ)
    await chats.set_timezone(db, GROUP, "Europe/Paris")
    await chats.set_delivery(db, GROUP, weekday=5, hour=7)
    await chats.set_empty_topics(db, GROUP, "line")
    for slug in ("llm", "rag"):
        await subscriptions.add_topic(db, GROUP, slug, created_by=1)
    await subscriptions.add_query(db, GROUP, "LLM agents")
    await subscriptions.add_query(db, GROUP, "mixture of experts")
    # The supergroup's first update arrived before the migration message.
    await chats.ensure(db, SUPERGROUP, "supergroup", "Club (new)", default_timezone=TZ)
    await subscriptions.add_topic(db, SUPERGROUP, "rag", thread_id=5, created_by=2)
    await subscriptions.add_topic(db, SUPERGROUP, "safety", created_by=2)
    await subscriptions.add_query(db, SUPERGROUP, "llm AGENTS")

    assert await chats.migrate(db, GROUP, SUPERGROUP) is True

    assert await chats.get(db, GROUP) is None
    chat = await chats.get(db, SUPERGROUP)
    assert (chat.type, chat.title, chat.timezone) == ("supergroup", "Club (new)", "Europe/Paris")
    assert (chat.delivery_weekday, chat.delivery_hour, chat.empty_topics) == (5, 7, "line")
    assert chat.created_at == old.created_at
    subs = await subscriptions.for_chat(db, SUPERGROUP)
    assert [s.topic_slug for s in subs if s.topic_slug] == ["llm", "rag", "safety"]
    # "LLM agents" was saved already as "llm AGENTS": the supergroup's own spelling stays.
    assert sorted(s.query for s in subs if s.query) == ["llm AGENTS", "mixture of experts"]
    rag = next(s for s in subs if s.topic_slug == "rag")
    assert (rag.thread_id, rag.created_by) == (5, 2)  # the supergroup's own subscription stays
    assert await _rows(db, "subscriptions", GROUP) == 0


async def test_migrating_a_chat_that_is_not_stored_changes_nothing(db: Database):
    await chats.ensure(db, SUPERGROUP, "supergroup", "Club", default_timezone=TZ)
    assert await chats.migrate(db, GROUP, SUPERGROUP) is False
    assert await chats.migrate(db, SUPERGROUP, SUPERGROUP) is False
    assert (await chats.get(db, SUPERGROUP)).title == "Club"


async def test_operators_see_chats_by_type_and_state(db: Database):
    assert await chats.counts(db) == {
        "total": 0,
        "active": 0,
        "paused": 0,
        "by_type": {"private": 0, "group": 0, "supergroup": 0, "channel": 0},
    }
    await chats.ensure(db, 1, "private", None, default_timezone=TZ)
    await chats.ensure(db, 2, "private", None, default_timezone=TZ)
    await chats.ensure(db, GROUP, "group", "Club", default_timezone=TZ)
    await chats.ensure(db, SUPERGROUP, "supergroup", "Forum", default_timezone=TZ)
    await chats.pause(db, 2, "blocked")
    assert await chats.counts(db) == {
        "total": 4,
        "active": 3,
        "paused": 1,
        "by_type": {"private": 2, "group": 1, "supergroup": 1, "channel": 0},
    }


async def test_an_admin_check_is_remembered_only_for_its_age(db: Database):
    await chats.ensure(db, GROUP, "group", "Club", default_timezone=TZ)
    asked = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    await chat_admins.remember(db, GROUP, 7, True, now=asked)
    await chat_admins.remember(db, GROUP, 8, False, now=asked)
    later = asked + timedelta(minutes=5)
    ten = timedelta(minutes=10)
    assert await chat_admins.cached(db, GROUP, 7, ten, now=later) is True
    assert await chat_admins.cached(db, GROUP, 8, ten, now=later) is False
    assert await chat_admins.cached(db, GROUP, 9, ten, now=later) is None
    assert await chat_admins.cached(db, GROUP, 7, ten, now=asked + timedelta(minutes=11)) is None
    await chat_admins.remember(db, GROUP, 7, False, now=later)
    assert await chat_admins.cached(db, GROUP, 7, ten, now=later) is False


async def test_old_admin_checks_are_pruned(db: Database):
    asked = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    await chat_admins.remember(db, GROUP, 7, True, now=asked)
    await chat_admins.remember(db, GROUP, 8, True, now=asked + timedelta(hours=2))
    pruned = await chat_admins.prune(db, timedelta(hours=1), now=asked + timedelta(hours=2))
    assert pruned == 1
    later = asked + timedelta(hours=2)
    assert await chat_admins.cached(db, GROUP, 7, timedelta(days=1), now=later) is None
    assert await chat_admins.cached(db, GROUP, 8, timedelta(days=1), now=later) is True


async def test_a_search_token_is_short_url_safe_and_fits_in_callback_data(db: Database):
    await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    queries = [f"{n} " + "retrieval " * 29 for n in range(20)]  # near the 300-character cap
    tokens = {await search_sessions.save(db, 42, query, None): query for query in queries}
    assert len(tokens) == 20
    for token, query in tokens.items():
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,16}", token)
        assert len(f"search:{token}:999".encode()) <= 64
        assert await search_sessions.load(db, token, 42) == (query, None)


async def test_a_search_token_from_another_chat_reads_nothing(db: Database):
    await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    await chats.ensure(db, 43, "private", "Bob", default_timezone=TZ)
    token = await search_sessions.save(db, 42, "private question", "zh")
    assert await search_sessions.load(db, token, 43) is None
    assert await search_sessions.load(db, "not-a-token", 42) is None
    assert await search_sessions.load(db, token, 42) == ("private question", "zh")


async def test_a_search_session_needs_a_query_and_a_known_language(db: Database):
    with pytest.raises(ValueError, match="needs a query"):
        await search_sessions.save(db, 42, "  ", "en")
    with pytest.raises(ValueError, match="search language 'fr'"):
        await search_sessions.save(db, 42, "rag", "fr")
    assert (await db.fetchone("SELECT count(*) FROM search_sessions"))[0] == 0


async def test_old_search_sessions_are_pruned(db: Database):
    await chats.ensure(db, 42, "private", "Ada", default_timezone=TZ)
    old = await search_sessions.save(db, 42, "old", "en")
    assert await search_sessions.prune(db, timedelta(days=2)) == 0
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    fresh = await search_sessions.save(db, 42, "fresh", "en")
    assert await search_sessions.prune(db, timedelta(hours=12), now=tomorrow) == 2
    assert await search_sessions.load(db, old, 42) is None
    assert await search_sessions.load(db, fresh, 42) is None
    kept = await search_sessions.save(db, 42, "kept", "en")
    assert await search_sessions.prune(db, timedelta(hours=1)) == 0
    assert await search_sessions.load(db, kept, 42) == ("kept", "en")
