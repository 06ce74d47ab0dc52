"""A chat's digest ends with its own library: "From authors you follow" (the period's papers by
followed authors that its topics do not list already) and its saved papers that arXiv has a
new version of ("updated: v1 → v2"), announced once, by the push; in both languages, in the
push and in `/digest`, for a private chat and a group.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_application
from storage import chats, follows, papers, saved, votes
from storage import topics as stored_topics
from storage.db import Database, available_migrations
from storage.models import Paper, TopicMatch
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser
from tests.fakes.conversation import reply_to
from tests.running import running

JUNE_18 = datetime(2024, 6, 18, 8, tzinfo=UTC)  # in the fortnight of 17–30 June 2024
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)  # its push, 09:00 in Shanghai
NEXT_DUE = DUE + timedelta(days=14)


@pytest.fixture
def rt(push_rt):
    return push_rt


async def add(rt, arxiv_id: str, authors: tuple[str, ...], topics=(), version=1, when=JUNE_18):
    """A paper by `authors` announced `when`, in `topics`; its row id."""
    paper = Paper(
        arxiv_id,
        version,
        f"Findings of {arxiv_id}",
        authors,
        "An abstract.",
        ("cs.CL",),
        submitted=when,
        announced=when,
        announce_type="new",
    )
    stored = (await papers.upsert(rt.db, [paper])).changed[0]
    await stored_topics.assign(rt.db, [(stored.id, [TopicMatch(slug, 1.0) for slug in topics])])
    return stored.id


async def follow(rt, chat_id: int, key: str, name: str) -> None:
    await follows.follow(rt.db, chat_id, key, name, None)


def texts(api, chat_id: int) -> str:
    return "\n".join(m["text"] for m in api.messages_in(chat_id))


async def test_a_push_lists_followed_authors_papers_once_below_the_topics(rt, api):
    await add(rt, "2406.20001", ("Ada Lovelace",), ["rag"])
    await add(rt, "2406.20002", ("Wei Zhang", "Aurora Ramírez"))  # no topic of the chat
    await add(rt, "2406.20003", ("Aurora Ramirez",), ["rag"])  # listed under RAG already
    await add(rt, "2406.20004", ("Alonso Ramírez",))  # another Ramírez
    await add(rt, "2406.20005", ("A. Ramirez",))  # initials: the same, as far as names tell
    await add(rt, "2406.20006", ("Aurora Ramírez",), when=JUNE_18 - timedelta(days=20))
    await world.subscribe(rt, 101, ["rag"])
    await world.subscribe(rt, 102, ["rag"])  # follows nobody
    await world.subscribe(rt, 103, ["rag"], language="zh")
    for chat_id in (101, 103):
        await follow(rt, chat_id, "ramirez|aurora", "Aurora Ramírez")

    report = await world.run_pass(rt, DUE)

    assert report.failed == 0
    mine = texts(api, 101)
    heading = mine.index("▍👤 From authors you follow")
    assert mine.index("2406.20001") < heading < mine.index("2406.20002")
    assert "👤 Aurora Ramírez" in mine[heading:]
    assert "👤 A. Ramirez" in mine[heading:]
    assert mine.count("arXiv:2406.20003") == 1  # under RAG, not repeated, and marked there
    assert mine.index("· 👤 Aurora Ramirez") < mine.index("arXiv:2406.20003") < heading
    assert "2406.20004" not in mine
    assert "2406.20006" not in mine  # an earlier fortnight's
    others = texts(api, 102)
    assert "From authors you follow" not in others
    assert "👤" not in others
    assert "2406.20002" not in others
    chinese = texts(api, 103)
    assert "▍👤 关注的作者" in chinese
    assert "2406.20002" in chinese
    # The followed papers have their numbered buttons under the message, as every paper does.
    [last] = [m for m in api.messages_in(101) if "2406.20002" in m["text"]]
    rows = last["reply_markup"]["inline_keyboard"]
    buttons = {b["callback_data"]: b["text"] for row in rows for b in row}
    assert buttons["card:open:2406.20002"].endswith(" · 👤")  # its sign, not a cut-off name
    assert buttons["card:open:2406.20001"].endswith(" · Retriev…")


async def test_a_saved_paper_with_a_new_version_is_announced_once(rt, api):
    paper_id = await add(rt, "2406.20010", ("Ada Lovelace",), ["rag"])
    await add(rt, "2406.20011", ("Alan Turing",), ["rag"])
    await world.subscribe(rt, 101, ["rag"])
    await world.subscribe(rt, 103, ["rag"], language="zh", chat_type="group")
    for chat_id in (101, 103):
        await votes.save(rt.db, chat_id, paper_id, None)
    await add(rt, "2406.20010", ("Ada Lovelace",), ["rag"], version=3)  # arXiv moves it on

    await world.run_pass(rt, DUE)

    mine = texts(api, 101)
    heading = mine.index("▍🔄 Saved papers with a new version")
    assert "🔄 updated: v1 → v3" in mine[heading:]
    assert mine.split("\n")[1] == "3 papers"  # as many as it lists: the update counts
    assert "arXiv:2406.20010" in mine[heading:]
    chinese = texts(api, 103)
    assert "▍🔄 收藏论文有新版本" in chinese
    assert "🔄 已更新：v1 → v3" in chinese
    # Told once: the next fortnight's digest does not repeat it.
    await add(rt, "2407.20012", ("Alan Turing",), ["rag"], when=JUNE_18 + timedelta(days=14))
    mark = api.mark()
    await world.run_pass(rt, NEXT_DUE)
    later = "\n".join(c.params["text"] for c in api.calls("sendMessage", chat_id=101, since=mark))
    assert "2407.20012" in later
    assert "new version" not in later


async def test_a_paper_saved_before_arxivs_details_came_counts_its_first_version_as_seen(rt, api):
    paper_id = await add(rt, "2406.20020", ("Ada Lovelace",), ["rag"], version=0)
    await world.subscribe(rt, 101, ["rag"])
    await votes.save(rt.db, 101, paper_id, None)
    await add(rt, "2406.20020", ("Ada Lovelace",), ["rag"], version=1)  # arXiv's details in
    await world.run_pass(rt, DUE)
    assert "new version" not in texts(api, 101)


ADA = FakeUser(501, "Ada", language_code="en")


async def test_digest_in_chat_shows_the_library_sections_without_using_them_up(tmp_path, api):
    path = tmp_path / "chat.sqlite3"
    rt = await world.runtime(path)
    saved_id = await add(rt, "2406.20030", ("Ada Lovelace",), ["rag"])
    await add(rt, "2406.20031", ("José Pérez-Ñúñez",))
    # Subscribed after the last push was due: no push runs while the test reads /digest.
    await world.subscribe(rt, ADA.id, ["rag"], since=datetime(2024, 6, 20, tzinfo=UTC))
    await votes.save(rt.db, ADA.id, saved_id, ADA.id)
    await add(rt, "2406.20030", ("Ada Lovelace",), ["rag"], version=2)
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    clock = lambda: datetime(2024, 6, 26, 12, tzinfo=UTC)  # noqa: E731
    async with running(build_application(settings, clock=clock)):
        followed = await reply_to(api, ADA, "/follow Perez Nunez, Jose")
        assert "no digest comes" not in followed["text"]
        for _ in range(2):  # /digest in chat does not use the news up
            mark = api.mark()
            api.user_says(ADA, "/digest")
            calls = await api.wait_for("sendMessage", since=mark)
            text = calls[-1].result["text"]
            assert "▍👤 From authors you follow" in text
            assert "👤 José Pérez-Ñúñez" in text
            assert "🔄 updated: v1 → v2" in text


async def test_a_group_upgraded_to_a_supergroup_keeps_its_follows_and_saved_versions(rt, api):
    paper_id = await add(rt, "2406.20040", ("Ada Lovelace",), ["rag"])
    await world.subscribe(rt, -5, ["rag"], chat_type="group")
    await follow(rt, -5, "lovelace|ada", "Ada Lovelace")
    await votes.save(rt.db, -5, paper_id, None)
    await add(rt, "2406.20040", ("Ada Lovelace",), ["rag"], version=2)
    assert await chats.migrate(rt.db, -5, -1005)
    assert [f.name for f in await follows.of_chat(rt.db, -1005)] == ["Ada Lovelace"]
    assert await follows.of_chat(rt.db, -5) == []
    [news] = await saved.updated(rt.db, -1005)
    assert (news.paper.version, news.known_version) == (2, 1)


async def test_papers_saved_before_the_upgrade_count_their_version_then_as_seen(tmp_path):
    shipped = available_migrations()
    # the schema as it was before the library came
    before = list(itertools.takewhile(lambda m: "follows" not in m.sql, shipped))
    async with await Database.open(tmp_path / "old.sqlite3", migrate=False) as db:
        await db.migrate(before)
        [stored] = (await papers.upsert(db, [Paper("2406.20050", 2, "Old save")])).changed
        await votes.save(db, 7, stored.id, 7)
        await db.migrate(shipped)
        assert await saved.updated(db, 7) == []
        await papers.upsert(db, [Paper("2406.20050", 3, "Old save")])
        [news] = await saved.updated(db, 7)
    assert (news.known_version, news.paper.version) == (2, 3)
