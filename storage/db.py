"""The database connection: open, PRAGMAs, SQL functions, migrations, transactions, backup."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from storage.cjk import cjk_bigrams

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")
# How long a write waits for another process's (ingest from cron, say) before failing:
# ingest writes in turns of ~50 ms, so this covers only something truly stuck.
BUSY_TIMEOUT_MS = 30_000
# SQLite's page cache per connection, in KiB. Searching a large index reads the same pages
# again and again, and the 2 MB default holds few of them (bench/search.py at 1,000,000
# papers: p99 about a third lower with 64 MB); the cache only grows as pages are read.
PAGE_CACHE_KIB = 65_536


# What SQLite raises, named here so that callers need not import the driver
DatabaseError = sqlite3.DatabaseError


class StorageError(Exception):
    """The database cannot be used as asked; the message says why."""


class DatabaseDamaged(StorageError):
    """SQLite found pages it cannot read: only a backup can help."""

    def __init__(self, path: str, cause: object) -> None:
        super().__init__(f"the database {path} is damaged: {cause}")
        self.path, self.cause = path, str(cause)


class DatabaseReadOnly(StorageError):
    """The database file or its folder refuses writes."""

    def __init__(self, path: str, cause: object) -> None:
        super().__init__(
            f"cannot write the database {path} (is the file or its folder read-only?): {cause}"
        )
        self.path, self.cause = path, str(cause)


class BackupFailed(StorageError):
    """A backup could not be written; `errno` is the system's reason when there is one."""

    def __init__(self, target: Path, cause: object, errno_: int | None = None) -> None:
        super().__init__(f"cannot write the backup {target}: {cause}")
        self.target, self.cause, self.errno = str(target), str(cause), errno_


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The numbered migrations shipped with this version, in order."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise StorageError(f"migration file {path.name} is not named NNNN_name.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StorageError(f"migrations must be numbered 1, 2, 3 … without gaps, found {versions}")
    return found


def split_statements(sql: str) -> list[str]:
    """SQL text cut into whole statements (trigger bodies keep their inner semicolons)."""
    statements, pending = [], ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in pending.splitlines()
    ):
        raise StorageError(f"incomplete SQL statement at the end of a migration: {pending[:80]!r}")
    return statements


def utcnow() -> str:
    """Now, as the ISO 8601 UTC text every timestamp column holds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """One aiosqlite connection in autocommit mode; writes go through `transaction()` or
    `write()`.

    Handlers, jobs and a broadcast share the connection, and a transaction spans awaits: a
    lock keeps one coroutine's statements out of another's open transaction (where a
    rollback would take them along). A transaction opened inside one the same task holds
    joins it.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self._holder: asyncio.Task | None = None

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        """Open (creating its folder) and bring the schema up to date."""
        path = str(path)
        if path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {path}: {exc}") from exc
        conn.row_factory = sqlite3.Row
        db = cls(conn, path)
        try:
            await db._configure()
            if migrate:
                await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def _configure(self) -> None:
        await self.conn.create_function("cjk_bigrams", 1, cjk_bigrams, deterministic=True)
        await self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self.conn.execute("PRAGMA foreign_keys = ON")
        try:
            await self.conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            # SQLite says "readonly" or "unable to open" when the file or its folder refuses writes
            raise DatabaseReadOnly(self.path, exc) from exc
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise StorageError(f"{self.path} is not a digestbot database: {exc}") from exc
            raise DatabaseDamaged(self.path, exc) from exc
        await self.conn.execute("PRAGMA synchronous = NORMAL")
        await self.conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")

    async def close(self) -> None:
        await self.conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK when the block raises."""
        task = asyncio.current_task()
        if task is not None and self._holder is task:
            yield self.conn  # nested: part of the transaction this task holds
            return
        async with self._write_lock:
            self._holder = task
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                except BaseException:
                    await self.conn.rollback()
                    raise
                await self.conn.commit()
            finally:
                self._holder = None

    async def write(self, sql: str, params: object = ()) -> int:
        """One statement committed on its own (autocommit); the number of rows it changed."""
        task = asyncio.current_task()
        if task is not None and self._holder is task:
            cursor = await self.conn.execute(sql, params)
            return cursor.rowcount
        async with self._write_lock:
            cursor = await self.conn.execute(sql, params)
            return cursor.rowcount

    async def fetchall(self, sql: str, params: object = ()) -> list[sqlite3.Row]:
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: object = ()) -> sqlite3.Row | None:
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def schema_version(self) -> int:
        row = await self.fetchone(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        )
        if row is None:
            return 0
        row = await self.fetchone("SELECT max(version) FROM schema_migrations")
        return row[0] or 0

    async def migrate(self, migrations: list[Migration] | None = None) -> int:
        """Apply the pending migrations, each with its bookkeeping row in one transaction."""
        migrations = available_migrations() if migrations is None else migrations
        known = migrations[-1].version if migrations else 0
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        current = await self.schema_version()
        if current > known:
            raise StorageError(
                f"database {self.path} has schema version {current}, newer than this "
                f"digestbot knows ({known}): upgrade digestbot, or restore a backup"
            )
        for migration in migrations:
            if migration.version <= current:
                continue
            log.info("applying migration %04d_%s", migration.version, migration.name)
            try:
                async with self.transaction() as conn:
                    for statement in split_statements(migration.sql):
                        await conn.execute(statement)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at)"
                        " VALUES (?, ?, ?)",
                        (migration.version, migration.name, utcnow()),
                    )
            except sqlite3.Error as exc:
                raise StorageError(
                    f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                ) from exc
            current = migration.version
        return current

    async def backup(self, target: str | Path) -> None:
        """A consistent copy through SQLite's online backup API, safe while others write.

        A damaged source is refused (a copy of it would be no backup), and whatever fails
        leaves no partial file behind.
        """
        target = Path(target)
        if target.exists():
            raise BackupFailed(target, "the file exists already; choose a new one", errno.EEXIST)
        await self.check_intact()
        partial = target.with_name(target.name + ".partial")
        try:
            await asyncio.to_thread(_create_empty, partial)
            dest = sqlite3.connect(partial, check_same_thread=False)
            try:
                await self.conn.backup(dest)
            finally:
                dest.close()
            partial.rename(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupFailed(target, exc.strerror or exc, exc.errno) from exc
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise BackupFailed(target, exc) from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    async def check_intact(self) -> None:
        """SQLite's quick check of every page; StorageError naming what is damaged."""
        try:
            rows = await self.fetchall("PRAGMA quick_check")
        except sqlite3.DatabaseError as exc:
            raise DatabaseDamaged(self.path, exc) from exc
        problems = [row[0] for row in rows if row[0] != "ok"]
        if problems:
            raise DatabaseDamaged(self.path, problems[0])


def _create_empty(path: Path) -> None:
    """The file, empty, made here first so that a folder refusing it is named as such."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
