"""Every way a `digestbot` command can fail keeps the CLI's promise: one line on standard error,
exactly one JSON object with --json, exit 1 (the work failed) or 2 (usage or configuration),
and never a traceback."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import HANDLERS
from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parent.parent
ARTICLE = FIXTURES / "articles"
TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijkl"
NOBODY = 65534


def digestbot(
    workdir: Path, *args: str, limit_file_size: int | None = None, user: int | None = None, **env
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a cron job runs it, optionally on a disk that fills up."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DIGESTBOT_", "TELEGRAM_"))}
    base.pop("LC_ALL", None)
    base.update({"LANG": "en_US.UTF-8", "PYTHONPATH": str(REPO), **env})

    def small_disk() -> None:
        # A write past the limit fails with EFBIG, as on a full disk, instead of killing us
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    as_user = (
        [] if user is None else ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
    )
    return subprocess.run(
        [*as_user, sys.executable, "-m", "bot", *args],
        cwd=workdir,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=small_disk if limit_file_size is not None else None,
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *, json_out: bool) -> dict:
    """The promise itself; the JSON object (or {}) for the caller to look into."""
    assert result.returncode in (1, 2), result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("digestbot: "), result.stderr
    if not json_out:
        assert result.stdout == ""
        return {}
    [line] = result.stdout.strip().splitlines()
    obj = json.loads(line)
    assert obj["error"]
    return obj


def damage(db: Path, *, keep_pages: int) -> Path:
    """Overwrite every page after the first `keep_pages` with noise."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    size = db.stat().st_size
    with db.open("r+b") as file:
        file.seek(page * keep_pages)
        file.write(bytes((i * 7) % 251 for i in range(size - page * keep_pages)))
    return db


@pytest.fixture
def corrupted(seeded: Path) -> Path:
    """'database disk image is malformed' wherever a command looks."""
    return damage(seeded, keep_pages=1)


def every_subcommand(tmp_path: Path) -> dict[str, list[str]]:
    article = next(ARTICLE.iterdir())
    return {
        "ingest": ["ingest", "--file", str(FIXTURES / "arxiv_rss_mixed.xml")],
        "import": ["import", str(article), "--offline"],
        "search": ["search", "agents"],
        "paper": ["paper", "2406.00001", "--offline"],
        "topics": ["topics"],
        "summarize": ["summarize"],
        "backup": ["backup", str(tmp_path / "copy.sqlite3")],
        "digest": ["digest"],
        "push": ["push"],
        "feedback": ["feedback", "-100", "2406.00001", "up"],
        "export": ["export", "-100", "bibtex"],
        "follow": ["follow", "-100", "Ada Lovelace"],
        "similar": ["similar", "2406.00001"],
        "embed": ["embed"],
    }


def test_every_subcommand_on_a_damaged_database_fails_in_one_line_and_one_object(
    corrupted: Path, tmp_path: Path
):
    commands = every_subcommand(tmp_path)
    assert set(commands) == set(HANDLERS)  # a new subcommand joins this walk
    for name, argv in commands.items():
        result = digestbot(
            tmp_path,
            *argv,
            "--json",
            DIGESTBOT_DB=str(corrupted),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",
            OPENAI_BASE_URL="http://127.0.0.1:9/v1",
            DIGESTBOT_EMBEDDINGS_MODEL="bge-m3",
        )
        obj = assert_one_line_failure(result, json_out=True)
        assert "damaged" in obj["error"] or "malformed" in obj["error"], (name, obj)
    assert not list(tmp_path.glob("copy.sqlite3*"))


def test_a_database_with_one_damaged_page_is_not_backed_up_and_the_line_says_why(
    seeded: Path, tmp_path: Path
):
    pages = seeded.stat().st_size // 4096
    damage(seeded, keep_pages=pages - 2)
    result = digestbot(tmp_path, "backup", str(tmp_path / "copy.sqlite3"), DIGESTBOT_DB=str(seeded))
    assert_one_line_failure(result, json_out=False)
    assert result.returncode == 1
    assert "damaged" in result.stderr
    assert not list(tmp_path.glob("copy.sqlite3*"))


@pytest.mark.parametrize("json_out", [True, False])
def test_a_backup_that_fills_the_disk_fails_in_one_line_and_leaves_no_partial_file(
    seeded: Path, tmp_path: Path, json_out: bool
):
    target = tmp_path / "out" / "copy.sqlite3"
    args = ["backup", str(target), *(["--json"] if json_out else [])]
    result = digestbot(tmp_path, *args, limit_file_size=65_536, DIGESTBOT_DB=str(seeded))
    assert_one_line_failure(result, json_out=json_out)
    assert result.returncode == 1
    # Past RLIMIT_FSIZE SQLite meets EFBIG and says "disk I/O error"; ENOSPC reads "disk is full"
    assert "cannot write the backup" in result.stderr
    assert "disk" in result.stderr
    assert list(target.parent.iterdir()) == []


def test_an_ingest_that_fills_the_disk_fails_in_one_line_and_one_object(tmp_path: Path):
    db = tmp_path / "db.sqlite3"
    assert digestbot(tmp_path, "topics", DIGESTBOT_DB=str(db)).returncode == 0
    result = digestbot(
        tmp_path,
        "ingest",
        "--json",
        "--file",
        str(FIXTURES / "arxiv_rss_mixed.xml"),
        limit_file_size=40_000,  # room for the shared-memory index (32 KiB), not for the log
        DIGESTBOT_DB=str(db),
    )
    obj = assert_one_line_failure(result, json_out=True)
    assert result.returncode == 1
    assert "disk" in obj["error"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder outside pytest's private one, so that another user can reach into it."""
    path = Path(tempfile.mkdtemp(prefix="digestbot-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        subprocess.run(["rm", "-rf", str(path)], check=True)


def _as_someone_else() -> int | None:
    """Root writes anywhere, so the bot runs as nobody to meet a folder it may not write."""
    if os.geteuid() != 0:
        return None
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: no folder is read-only to us")
    return NOBODY


@pytest.mark.parametrize("json_out", [True, False])
def test_a_backup_into_a_folder_it_may_not_write_says_so(
    seeded: Path, shared_dir: Path, json_out: bool
):
    ours = shared_dir / "data"
    ours.mkdir()
    db = ours / "bot.sqlite3"
    db.write_bytes(seeded.read_bytes())
    closed = shared_dir / "closed"
    closed.mkdir(mode=0o555)
    if (user := _as_someone_else()) is not None:
        os.chown(ours, user, user)
        os.chown(db, user, user)
    args = ["backup", str(closed / "copy.sqlite3"), *(["--json"] if json_out else [])]
    result = digestbot(shared_dir, *args, user=user, DIGESTBOT_DB=str(db))
    assert_one_line_failure(result, json_out=json_out)
    assert result.returncode == 1
    assert "read-only" in result.stderr
    assert "not a digestbot database" not in result.stderr
    assert list(closed.iterdir()) == []


def test_a_database_in_a_read_only_folder_is_reported_as_read_only(seeded: Path, shared_dir: Path):
    folder = shared_dir / "ro"
    folder.mkdir()
    db = folder / "bot.sqlite3"
    db.write_bytes(seeded.read_bytes())
    db.chmod(0o444)
    folder.chmod(0o555)
    result = digestbot(
        shared_dir, "search", "agents", "--json", user=_as_someone_else(), DIGESTBOT_DB=str(db)
    )
    obj = assert_one_line_failure(result, json_out=True)
    assert "read-only" in obj["error"]
    assert "not a digestbot database" not in obj["error"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "9999-12-25"])
@pytest.mark.parametrize("command", ["digest", "import"])
def test_a_period_at_the_ends_of_the_calendar_is_a_usage_error(
    tmp_path: Path, day: str, command: str
):
    argv = ["digest"] if command == "digest" else ["import", str(next(ARTICLE.iterdir()))]
    result = digestbot(tmp_path, *argv, "--period", day, "--json")
    obj = assert_one_line_failure(result, json_out=True)
    assert result.returncode == 2
    assert day in obj["error"]


def test_a_push_as_of_the_last_day_of_the_calendar_fails_in_one_line(tmp_path: Path):
    result = digestbot(
        tmp_path,
        "push",
        "--now",
        "9999-12-31T23:00",
        "--json",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",
    )
    assert_one_line_failure(result, json_out=True)


@pytest.mark.parametrize("value", ["²", "٨٠٨٠", "８０８０", "80 80"])
def test_a_port_written_in_other_digits_is_a_configuration_error(tmp_path: Path, value: str):
    result = digestbot(tmp_path, "topics", "--json", DIGESTBOT_WEBHOOK_PORT=value)
    obj = assert_one_line_failure(result, json_out=True)
    assert result.returncode == 2
    assert "DIGESTBOT_WEBHOOK_PORT" in obj["error"]


@pytest.mark.parametrize("argv", [["search"], ["search", "x", "--limit", "²"], ["nosuch"]])
def test_bad_arguments_are_one_line_and_with_json_one_object(tmp_path: Path, argv: list[str]):
    result = digestbot(tmp_path, *argv, "--json")
    assert_one_line_failure(result, json_out=True)
    assert result.returncode == 2


async def test_a_digest_piped_into_a_reader_that_left_ends_quietly(seeded: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    env.update(DIGESTBOT_DB=str(seeded), LANG="en_US.UTF-8", PYTHONPATH=str(REPO))
    # `true` leaves at once, like a `head` that has read enough before the digest is printed
    command = f"{sys.executable} -m bot digest --period 2024-06-20 | true"
    shell = await asyncio.create_subprocess_shell(
        command,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(shell.communicate(), 60)
    assert (out, err.decode()) == (b"", "")


def test_a_paper_looked_up_under_a_name_that_does_not_resolve_fails_at_once(tmp_path: Path):
    started = time.monotonic()
    result = digestbot(
        tmp_path,
        "paper",
        "2406.00001",
        "--json",
        DIGESTBOT_ARXIV_API="http://export.arxiv.invalid/api/query",
    )
    assert time.monotonic() - started < 8  # four attempts with their back-off took 15 s
    assert result.returncode == 1
    assert "export.arxiv.invalid does not resolve" in json.loads(result.stdout)["error"]


def test_the_readme_placeholder_token_is_called_the_placeholder(tmp_path: Path):
    result = digestbot(tmp_path, "push", "--json", TELEGRAM_BOT_TOKEN="123456:ABC…")
    obj = assert_one_line_failure(result, json_out=True)
    assert result.returncode == 2
    assert "example from the README" in obj["error"]
    assert "123456:ABC" in obj["error"]


def test_a_configuration_error_speaks_the_operators_language(tmp_path: Path):
    result = digestbot(tmp_path, "topics", DIGESTBOT_WEBHOOK_PORT="²", LANG="zh_CN.UTF-8")
    assert_one_line_failure(result, json_out=False)
    assert result.stderr.startswith("digestbot: DIGESTBOT_WEBHOOK_PORT：'²' 不是端口号")


def test_a_push_that_cannot_reach_telegram_fails_in_one_line(seeded: Path, tmp_path: Path):
    result = digestbot(
        tmp_path,
        "push",
        "--json",
        DIGESTBOT_DB=str(seeded),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",
    )
    obj = assert_one_line_failure(result, json_out=True)
    assert result.returncode == 1
    assert obj["error"].startswith("cannot reach Telegram")


def test_a_damaged_database_is_reported_in_the_operators_language(seeded: Path, tmp_path: Path):
    pages = seeded.stat().st_size // 4096
    damage(seeded, keep_pages=pages - 2)
    result = digestbot(
        tmp_path,
        "backup",
        str(tmp_path / "copy.sqlite3"),
        DIGESTBOT_DB=str(seeded),
        LANG="zh_CN.UTF-8",
    )
    assert_one_line_failure(result, json_out=False)
    assert "已损坏" in result.stderr
    assert "请从备份恢复" in result.stderr


async def test_run_on_a_damaged_database_fails_in_one_line_once_telegram_answered(
    api, corrupted: Path, tmp_path: Path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGESTBOT_", "TELEGRAM_"))}
    env.update(
        LANG="en_US.UTF-8",
        PYTHONPATH=str(REPO),
        DIGESTBOT_DB=str(corrupted),
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert out == b""
    assert err.decode().splitlines() == [
        f"digestbot: the database {corrupted} is damaged (database disk image is malformed):"
        " restore a backup"
    ]
