"""The database: migrations applied atomically, newer schemas refused, backups consistent."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage import papers, summaries
from storage.db import Database, Migration, StorageError, available_migrations, split_statements
from storage.models import Paper, Summary


async def test_a_new_database_gets_every_migration_with_its_bookkeeping_row(db: Database):
    rows = await db.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [(r[0], r[1]) for r in rows] == [(m.version, m.name) for m in available_migrations()]
    mode = await db.fetchone("PRAGMA journal_mode")
    keys = await db.fetchone("PRAGMA foreign_keys")
    assert (mode[0], keys[0]) == ("wal", 1)


async def test_opening_twice_applies_nothing_again(tmp_path: Path):
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path) as first:
        version = await first.schema_version()
    async with await Database.open(path) as second:
        assert await second.schema_version() == version
        rows = await second.fetchall("SELECT count(*) FROM schema_migrations")
        assert rows[0][0] == version


async def test_a_failing_migration_leaves_the_database_exactly_as_it_was(tmp_path: Path):
    path = tmp_path / "db.sqlite3"
    shipped = available_migrations()
    broken = Migration(
        len(shipped) + 1,
        "broken",
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
    )
    async with await Database.open(path) as db:
        await papers.upsert(db, [Paper("2406.00001", 1, "Kept")])
        with pytest.raises(StorageError, match="broken"):
            await db.migrate([*shipped, broken])
        assert await db.schema_version() == len(shipped)
        tables = await db.fetchall("SELECT name FROM sqlite_master WHERE name = 'half_done'")
        assert tables == []
        assert (await papers.get(db, "2406.00001")).title == "Kept"


async def test_a_database_from_a_newer_version_is_refused_with_a_clear_message(tmp_path: Path):
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path) as db:
        await db.conn.execute(
            "INSERT INTO schema_migrations VALUES (999, 'from_the_future', '2030-01-01')"
        )
    with pytest.raises(StorageError, match=r"schema version 999, newer than this digestbot"):
        await Database.open(path)


async def test_a_file_that_is_not_a_database_is_refused_with_a_clear_message(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not SQLite " * 100)
    with pytest.raises(StorageError, match="not a digestbot database"):
        await Database.open(path)


def test_trigger_bodies_stay_whole_when_sql_is_split_into_statements():
    sql = (
        "-- a comment\nCREATE TABLE a (x);\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n"
    )
    assert [s.split()[1] for s in split_statements(sql)] == ["a", "TRIGGER"]


async def test_a_backup_is_a_consistent_copy_that_opens_on_its_own(db: Database, tmp_path: Path):
    await papers.upsert(db, [Paper(f"2406.{i:05d}", 1, f"Paper {i}") for i in range(50)])
    target = tmp_path / "backups" / "copy.sqlite3"
    await db.backup(target)
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM papers").fetchone()[0] == 50
    finally:
        copy.close()
    async with await Database.open(target) as restored:
        assert (await papers.get(restored, "2406.00049")).title == "Paper 49"


async def test_a_backup_never_overwrites_an_existing_file(db: Database, tmp_path: Path):
    target = tmp_path / "copy.sqlite3"
    target.write_text("precious")
    with pytest.raises(StorageError, match="exists already"):
        await db.backup(target)
    assert target.read_text() == "precious"


async def test_the_search_index_stays_consistent_through_inserts_updates_and_deletes(
    db: Database,
):
    result = await papers.upsert(db, [Paper("2406.00002", 1, "Aligning models", ("A B",))])
    paper_id = result.changed[0].id
    await summaries.put(db, paper_id, Summary("zh", "关于对齐的研究", "abstract"))
    await summaries.put(db, paper_id, Summary("zh", "编辑的总结", "editor"))
    await summaries.put(db, paper_id, Summary("zh", "更差的来源", "llm"))
    await papers.upsert(db, [Paper("2406.00002", 2, "Aligning models, revised", ("A B",))])
    await db.conn.execute("DELETE FROM summaries WHERE paper_id = ?", (paper_id,))
    await db.conn.execute("INSERT INTO paper_fts (paper_fts, rank) VALUES ('integrity-check', 1)")
    await db.conn.execute("DELETE FROM papers WHERE id = ?", (paper_id,))
    await db.conn.execute("INSERT INTO paper_fts (paper_fts, rank) VALUES ('integrity-check', 1)")


async def test_a_write_never_joins_another_coroutines_open_transaction(db):
    """A rollback in one handler must not take a write another coroutine made meanwhile."""
    started = asyncio.Event()

    async def failing_transaction() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO feeds (url) VALUES ('https://a.example/')")
            started.set()
            await asyncio.sleep(0.05)
            raise RuntimeError("the handler failed")

    async def other_write() -> None:
        await started.wait()
        await db.write("INSERT INTO feeds (url) VALUES ('https://b.example/')")

    failed, _ = await asyncio.gather(failing_transaction(), other_write(), return_exceptions=True)
    assert isinstance(failed, RuntimeError)
    rows = await db.fetchall("SELECT url FROM feeds ORDER BY url")
    assert [row[0] for row in rows] == ["https://b.example/"]


async def test_a_transaction_opened_inside_another_by_the_same_task_joins_it(db):
    async with db.transaction(), db.transaction() as inner:
        await inner.execute("INSERT INTO feeds (url) VALUES ('https://c.example/')")
    assert (await db.fetchone("SELECT count(*) FROM feeds"))[0] == 1
