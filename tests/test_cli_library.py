"""`digestbot export CHAT_ID bibtex|ris [--output PATH]` and `digestbot follow CHAT_ID NAME
[--remove]` as a script runs them: a subprocess, its output or one JSON object, its exit code."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import rispy

from storage import chats, follows, papers, votes
from storage.db import Database
from tests.test_cli import MIXED, one_json_object, run

GROUP = -1001234567890


async def a_world(tmp_path: Path) -> list[str]:
    """The mixed feed ingested, a group that met the bot and saved two papers: their ids."""
    code, _, _ = await run(tmp_path, "ingest", "--file", str(MIXED))
    assert code == 0
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await chats.ensure(db, GROUP, "supergroup", "Papers", default_timezone="UTC")
        stored = await papers.latest(db, 2)
        for paper in stored:
            await votes.save(db, GROUP, paper.id, None)
        return [paper.arxiv_id for paper in stored]


async def test_export_writes_the_chats_saved_papers_as_bibtex_or_ris(tmp_path):
    ids = await a_world(tmp_path)
    code, out, _ = await run(tmp_path, "export", str(GROUP), "bibtex")
    assert code == 0
    entries = bibtexparser.parse_string(out).entries
    assert sorted(entry["eprint"] for entry in entries) == sorted(ids)
    target = tmp_path / "library.ris"
    code, out, _ = await run(
        tmp_path, "export", str(GROUP), "ris", "--output", str(target), "--json"
    )
    assert code == 0
    assert one_json_object(out) == {
        "chat_id": GROUP,
        "format": "ris",
        "papers": 2,
        "output": str(target),
    }
    records = rispy.loads(target.read_text(encoding="utf-8"))
    assert sorted(r["accession_number"] for r in records) == sorted(f"arXiv:{i}" for i in ids)


async def test_follow_and_remove_for_a_chat_and_refuse_odd_names(tmp_path):
    await a_world(tmp_path)
    code, out, _ = await run(tmp_path, "follow", str(GROUP), "LeCun,", "Yann", "--json")
    assert code == 0
    assert one_json_object(out) == {"chat_id": GROUP, "following": ["Yann LeCun"]}
    code, out, _ = await run(tmp_path, "follow", str(GROUP), "Y.", "LeCun", "--json")
    assert one_json_object(out)["following"] == ["Yann LeCun"]  # the same author
    code, out, _ = await run(tmp_path, "follow", str(GROUP), "y. lecun", "--remove", "--json")
    assert one_json_object(out)["following"] == []
    code, out, err = await run(tmp_path, "follow", str(GROUP), "🤖", "--json")
    assert code == 2
    assert "not an author's name" in one_json_object(out)["error"]
    code, _, err = await run(tmp_path, "follow", "-42", "Yann LeCun")
    assert code == 1
    assert "chat -42 is not known" in err
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        assert await follows.of_chat(db, GROUP) == []
