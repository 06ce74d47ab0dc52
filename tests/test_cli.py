"""The `digestbot` command as operators and cron run it: a subprocess, its output, its exit code."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.fakes.arxiv_server import ATOM_TYPE, Answer, FakeArxiv

REPO = Path(__file__).resolve().parent.parent
MIXED = FIXTURES / "arxiv_rss_mixed.xml"
LOOKUP = FIXTURES / "arxiv_api_lookup.xml"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGESTBOT_", "TELEGRAM_"))}
    env.pop("LC_ALL", None)
    env.update({"LANG": "en_US.UTF-8", "DIGESTBOT_DB": str(tmp_path / "db.sqlite3"), **extra})
    return env


async def run(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    """`python -m bot ARGS` in tmp_path (so no .env of the checkout is read)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env={**_env(tmp_path, **env), "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, out.decode(), err.decode()


def one_json_object(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 1, stdout
    return json.loads(lines[0])


async def test_ingest_reports_counts_as_json_and_a_second_run_changes_nothing(tmp_path: Path):
    code, out, _ = await run(tmp_path, "ingest", "--json", "--file", str(MIXED))
    first = one_json_object(out)
    assert code == 0
    assert first["new"] > 0
    assert first["errors"] == []
    code, out, _ = await run(tmp_path, "ingest", "--json", "--file", str(MIXED))
    second = one_json_object(out)
    assert (second["new"], second["updated"], second["errors"]) == (0, 0, [])
    assert second["unchanged"] == first["new"]


async def test_a_bad_feed_exits_non_zero_names_the_feed_and_the_next_feed_still_lands(
    tmp_path: Path,
):
    bad = tmp_path / "page.html"
    bad.write_text("<!DOCTYPE html><html><head><title>Oops</title></head></html>")
    code, out, err = await run(
        tmp_path, "ingest", "--json", "--file", str(bad), "--file", str(MIXED)
    )
    report = one_json_object(out)
    assert code == 1
    assert report["new"] > 0
    assert len(report["errors"]) == 1
    assert str(bad) in report["errors"][0]
    assert "Traceback" not in err


async def test_search_prints_the_contract_object_and_hostile_text_is_not_an_error(
    tmp_path: Path,
):
    await run(tmp_path, "ingest", "--file", str(MIXED))
    code, out, _ = await run(tmp_path, "search", "--json", "retrieval", "--limit", "3")
    page = one_json_object(out)
    assert code == 0
    assert set(page) == {"query", "total", "results"}
    assert page["results"]
    assert set(page["results"][0]) == {"arxiv_id", "title", "score"}
    for hostile in ['"unbalanced AND NEAR(', "*", "-x OR", "🙂" * 50, "a" * 5000]:
        code, out, err = await run(tmp_path, "search", "--json", hostile)
        assert code == 0, err
        assert one_json_object(out)["query"] == hostile


async def test_paper_prints_the_contract_object_and_unknown_ids_fail_clearly(tmp_path: Path):
    await run(tmp_path, "ingest", "--file", str(MIXED))
    _, out, _ = await run(tmp_path, "search", "--json", "retrieval", "--limit", "1")
    arxiv_id = one_json_object(out)["results"][0]["arxiv_id"]
    code, out, _ = await run(tmp_path, "paper", "--json", "--offline", f"arXiv:{arxiv_id}v9")
    card = one_json_object(out)
    assert code == 0
    assert set(card) == {
        "arxiv_id", "version", "title", "authors", "categories", "topics", "summaries",
    }  # fmt: skip
    assert card["arxiv_id"] == arxiv_id
    assert set(card["summaries"]) == {"zh", "en"}
    code, out, err = await run(tmp_path, "paper", "--json", "--offline", "2101.99999")
    assert (code, one_json_object(out)) == (1, {"error": "paper 2101.99999 is not known"})
    code, out, err = await run(tmp_path, "paper", "--json", "<b>nonsense</b>")
    assert code == 2
    assert "is not an arXiv id or link" in err


async def test_an_unknown_paper_is_looked_up_on_arxiv(tmp_path: Path):
    async with FakeArxiv() as arxiv:
        api = arxiv.script("/api/query", Answer(body=LOOKUP.read_bytes(), content_type=ATOM_TYPE))
        code, out, err = await run(
            tmp_path, "paper", "--json", "2406.20001", DIGESTBOT_ARXIV_API=api
        )
    assert code == 0, err
    assert one_json_object(out)["version"] == 2
    assert arxiv.seen("/api/query")[0].query["id_list"] == "2406.20001"


async def test_an_unreachable_arxiv_is_named_when_a_paper_is_looked_up(tmp_path: Path):
    code, out, _ = await run(
        tmp_path, "paper", "--json", "2406.20001", DIGESTBOT_ARXIV_API="http://127.0.0.1:9/api"
    )
    assert code == 1
    assert "arXiv could not be asked" in one_json_object(out)["error"]


async def test_topics_lists_each_topic_with_both_names_and_a_count(tmp_path: Path):
    await run(tmp_path, "ingest", "--file", str(MIXED))
    code, out, _ = await run(tmp_path, "topics", "--json")
    topics = one_json_object(out)["topics"]
    assert code == 0
    assert {"llm", "rag", "safety"} <= {t["slug"] for t in topics}
    assert all(set(t) == {"slug", "name_zh", "name_en", "papers"} for t in topics)
    assert sum(t["papers"] for t in topics) > 0


async def test_a_topics_file_replaces_the_defaults(tmp_path: Path):
    custom = tmp_path / "topics.toml"
    custom.write_text(
        '[[topic]]\nslug = "robots"\nname_zh = "机器人"\nname_en = "Robotics"\n'
        'keywords = ["robot"]\n'
    )
    code, out, _ = await run(tmp_path, "topics", "--json", DIGESTBOT_TOPICS=str(custom))
    assert code == 0
    assert [t["slug"] for t in one_json_object(out)["topics"]] == ["robots"]


async def test_a_backup_is_a_consistent_copy_and_never_overwrites(tmp_path: Path):
    await run(tmp_path, "ingest", "--file", str(MIXED))
    target = tmp_path / "backup.sqlite3"
    code, out, _ = await run(tmp_path, "backup", "--json", str(target))
    assert code == 0
    assert one_json_object(out)["backup"] == str(target)
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM papers").fetchone()[0] > 0
    finally:
        copy.close()
    code, _, err = await run(tmp_path, "backup", str(target))
    assert code == 1
    assert "exists already" in err


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DIGESTBOT_EPOCH", "2024-01-03"),
        ("DIGESTBOT_TIMEZONE", "Nowhere/City"),
        ("DIGESTBOT_ADMINS", "root"),
        ("DIGESTBOT_TOPICS", "/missing/topics.toml"),
    ],
)
async def test_a_bad_setting_is_one_line_naming_the_variable_and_exit_2(
    tmp_path: Path, name: str, value: str
):
    code, _, err = await run(tmp_path, "topics", **{name: value})
    assert code == 2
    assert err.strip().count("\n") == 0
    assert name in err
    assert "Traceback" not in err


async def test_messages_follow_the_operators_language(tmp_path: Path):
    await run(tmp_path, "ingest", "--file", str(MIXED))
    _, out, _ = await run(tmp_path, "topics", LANG="zh_CN.UTF-8")
    assert "LLM安全与对齐" in out
    assert "篇论文" in out
    _, out, _ = await run(tmp_path, "search", "zzzzqqq", LANG="zh_CN.UTF-8")
    assert "没有与“zzzzqqq”匹配的论文" in out


async def test_reassigning_topics_gives_stored_papers_a_topic_added_later(tmp_path: Path):
    custom = tmp_path / "topics.toml"
    custom.write_text(
        '[[topic]]\nslug = "robots"\nname_zh = "机器人"\nname_en = "Robotics"\n'
        'keywords = ["robot"]\n'
    )
    await run(tmp_path, "ingest", "--file", str(MIXED), DIGESTBOT_TOPICS=str(custom))
    custom.write_text(
        custom.read_text()
        + '\n[[topic]]\nslug = "moe"\nname_zh = "混合专家"\nname_en = "Mixture of experts"\n'
        'keywords = ["mixture of experts"]\n'
    )
    _, out, _ = await run(tmp_path, "topics", "--json", DIGESTBOT_TOPICS=str(custom))
    assert {t["slug"]: t["papers"] for t in one_json_object(out)["topics"]}["moe"] == 0
    code, out, _ = await run(
        tmp_path, "topics", "--json", "--reassign", DIGESTBOT_TOPICS=str(custom)
    )
    assert code == 0
    assert {t["slug"]: t["papers"] for t in one_json_object(out)["topics"]}["moe"] >= 1


@pytest.mark.parametrize(
    ("token", "message"),
    [(None, "TELEGRAM_BOT_TOKEN is not set"), ("12:short", "TELEGRAM_BOT_TOKEN is malformed")],
)
async def test_run_without_a_valid_token_stops_with_one_line(tmp_path: Path, token, message):
    extra = {"TELEGRAM_BOT_TOKEN": token} if token else {}
    code, _, err = await run(tmp_path, "run", **extra)
    assert code == 2
    assert message in err
    assert err.strip().count("\n") == 0
