"""`digestbot feedback CHAT_ID ARXIV_ID up|down|save|clear [--user USER_ID] [--json]` as a script
runs it: a subprocess, its one JSON object or line, its exit code, and the vote stored."""

from __future__ import annotations

from pathlib import Path

from storage import chats, papers, votes
from storage.db import Database
from tests.test_cli import MIXED, one_json_object, run

GROUP = -1001234567890


async def a_world(tmp_path: Path) -> str:
    """The mixed feed ingested and a group that has met the bot: one stored paper's id."""
    code, _, _ = await run(tmp_path, "ingest", "--file", str(MIXED))
    assert code == 0
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await chats.ensure(db, GROUP, "supergroup", "Papers", default_timezone="UTC")
        return (await papers.latest(db, 1))[0].arxiv_id


async def stored(tmp_path: Path, arxiv_id: str) -> tuple[dict, list[int], int]:
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        paper = await papers.get(db, arxiv_id)
        counted = await votes.community(db, [paper.id])
        return counted, await votes.saved(db, GROUP), paper.id


async def test_feedback_records_votes_as_members_would_and_clear_takes_them_back(tmp_path):
    arxiv_id = await a_world(tmp_path)
    feedback = ("feedback", str(GROUP), f"https://arxiv.org/abs/{arxiv_id}v1")
    code, out, _ = await run(tmp_path, *feedback, "up", "--user", "11", "--json")
    assert code == 0
    assert one_json_object(out) == {"chat_id": GROUP, "arxiv_id": arxiv_id, "vote": "up"}
    await run(tmp_path, *feedback, "up", "--user", "11", "--json")  # again: still one vote
    await run(tmp_path, *feedback, "down", "--user", "12", "--json")
    code, out, _ = await run(tmp_path, *feedback, "save", "--json")
    assert one_json_object(out)["vote"] == "save"
    counted, saved, paper_id = await stored(tmp_path, arxiv_id)
    assert (counted[paper_id].up, counted[paper_id].down, saved) == (1, 1, [paper_id])

    code, out, _ = await run(tmp_path, *feedback, "clear", "--user", "12")
    assert code == 0
    assert out.strip() == f"vote and 🔖 on {arxiv_id} cleared in chat {GROUP}"
    counted, saved, paper_id = await stored(tmp_path, arxiv_id)
    assert (counted[paper_id].up, counted[paper_id].down, saved) == (1, 0, [])


async def test_feedback_speaks_chinese_to_a_chinese_operator(tmp_path):
    arxiv_id = await a_world(tmp_path)
    code, out, _ = await run(tmp_path, "feedback", str(GROUP), arxiv_id, "down", LANG="zh_CN.UTF-8")
    assert code == 0
    assert out.strip() == f"聊天 {GROUP} 给 {arxiv_id} 投了 👎"


async def test_an_unknown_paper_or_chat_is_one_line_and_exit_1(tmp_path):
    arxiv_id = await a_world(tmp_path)
    code, out, err = await run(tmp_path, "feedback", str(GROUP), "2101.99999", "up", "--json")
    assert code == 1
    assert one_json_object(out) == {"error": "paper 2101.99999 is not known"}
    assert err.strip() == "digestbot: paper 2101.99999 is not known"
    code, out, err = await run(tmp_path, "feedback", "-42", arxiv_id, "up")
    assert code == 1
    assert out == ""
    assert err.strip() == "digestbot: chat -42 is not known: it has never written to the bot"


async def test_bad_arguments_are_usage_errors(tmp_path):
    arxiv_id = await a_world(tmp_path)
    for args in (
        (str(GROUP), arxiv_id, "like"),
        (str(GROUP), "not-an-id", "up"),
        ("group", arxiv_id, "up"),
        (str(GROUP), arxiv_id, "up", "--user", "ada"),
    ):
        code, out, err = await run(tmp_path, "feedback", *args, "--json")
        assert code == 2, args
        assert "error" in one_json_object(out)
        assert len(err.strip().splitlines()) == 1
