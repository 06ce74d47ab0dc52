"""`digestbot summarize` as cron runs it, against a fake OpenAI-compatible server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage import summary_requests as ledger
from storage.db import Database
from tests.fakes.openai_server import FakeOpenAI
from tests.summary_world import add, paper, subscribe
from tests.test_cli import one_json_object, run
from tests.test_summarize_hostile import database_files_holding


async def seed(tmp_path: Path) -> None:
    """Two RAG papers from yesterday that a chat takes, and an agents paper nobody takes."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await add(
            db,
            [
                (paper(1, "RAG one", yesterday), "rag"),
                (paper(2, "RAG two", yesterday), "rag"),
                (paper(3, "Agents one", yesterday, "tool use by agents"), "agents"),
            ],
        )
        await subscribe(db, 1, topic="rag")


async def test_summarize_prints_the_contract_object_and_a_second_run_has_nothing_to_do(
    tmp_path: Path,
):
    await seed(tmp_path)
    async with FakeOpenAI() as llm:
        code, out, _ = await run(tmp_path, "summarize", "--json", OPENAI_BASE_URL=llm.base_url)
        assert code == 0
        assert one_json_object(out) == {
            "requests": 2,
            "stored": 2,
            "rejected": 0,
            "failed": 0,
            "tokens": one_json_object(out)["tokens"],
            "budget_stopped": None,
        }
        assert one_json_object(out)["tokens"] > 0
        code, out, _ = await run(tmp_path, "summarize", "--json", OPENAI_BASE_URL=llm.base_url)
    assert one_json_object(out)["requests"] == 0


async def test_summarize_a_topic_nobody_takes_with_a_budget_in_chinese(tmp_path: Path):
    await seed(tmp_path)
    async with FakeOpenAI() as llm:
        code, out, _ = await run(
            tmp_path,
            "summarize",
            "--topic",
            "agents",
            OPENAI_BASE_URL=llm.base_url,
            LANG="zh_CN.UTF-8",
        )
        assert code == 0
        assert "1 篇论文" in out
        assert [r.title for r in llm.requests] == ["Agents one"]
        code, out, _ = await run(
            tmp_path,
            "summarize",
            OPENAI_BASE_URL=llm.base_url,
            DIGESTBOT_SUMMARY_RUN_PAPERS="1",
        )
    assert code == 0
    assert "1 paper asked: 1 stored, 0 rejected, 0 failed." in out
    assert "DIGESTBOT_SUMMARY_RUN_PAPERS" in out


async def test_rejections_are_counted_and_failures_exit_1(tmp_path: Path):
    await seed(tmp_path)
    async with FakeOpenAI(default="bad_json") as llm:
        code, out, _ = await run(tmp_path, "summarize", "--json", OPENAI_BASE_URL=llm.base_url)
        assert (code, one_json_object(out)["rejected"]) == (0, 2)
    # rejected papers wait six hours; the agents paper was never asked, and nobody listens.
    nowhere = "http://127.0.0.1:9/v1"
    code, out, err = await run(
        tmp_path, "summarize", "--json", "--topic", "agents", OPENAI_BASE_URL=nowhere
    )
    assert code == 1
    assert one_json_object(out)["failed"] == 1
    assert "Traceback" not in err


async def test_without_an_endpoint_or_with_an_unknown_topic_it_exits_2_with_one_line(
    tmp_path: Path,
):
    code, out, err = await run(tmp_path, "summarize", OPENAI_BASE_URL="")
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [
        "digestbot: OPENAI_BASE_URL is not set: there is no summary endpoint to ask"
    ]
    code, out, err = await run(
        tmp_path, "summarize", "--json", "--topic", "nonsense", OPENAI_BASE_URL="http://x/v1"
    )
    assert code == 2
    assert "nonsense" in one_json_object(out)["error"]
    assert len(err.strip().splitlines()) == 1


async def test_answers_that_once_crashed_the_command_are_rejected_and_it_prints_its_json(
    tmp_path: Path,
):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    modes = ("nan", "infinity", "deep_nesting", "good")
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        ids = await add(
            db, [(paper(n, f"RAG [{mode}]", yesterday), "rag") for n, mode in enumerate(modes)]
        )
        await subscribe(db, 1, topic="rag")
    async with FakeOpenAI() as llm:
        for mode in modes:
            llm.rule(f"[{mode}]", mode)
        code, out, err = await run(tmp_path, "summarize", "--json", OPENAI_BASE_URL=llm.base_url)
        assert (code, err) == (0, "")
        assert one_json_object(out) | {"tokens": 0} == {
            "requests": 4,
            "stored": 1,
            "rejected": 3,
            "failed": 0,
            "tokens": 0,
            "budget_stopped": None,
        }
        code, out, err = await run(tmp_path, "summarize", "--json", OPENAI_BASE_URL=llm.base_url)
    assert (code, one_json_object(out)["requests"], err) == (0, 0, "")
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        reasons = {mode: await ledger.history(db, ids[f"RAG [{mode}]"]) for mode in modes}
    assert {mode: [(e.outcome, e.reason) for e in rows] for mode, rows in reasons.items()} == {
        "nan": [("rejected", "NaN is not a finite number")],
        "infinity": [("rejected", "Infinity is not a finite number")],
        "deep_nesting": [("rejected", "answer too long (100000 characters)")],
        "good": [("stored", None)],
    }


async def test_an_endpoint_echoing_the_api_key_leaves_it_out_of_the_output_logs_and_database(
    tmp_path: Path,
):
    secret = "sk-live-4f9Qx7TtW2aZp0LmNc8RvY"
    await seed(tmp_path)
    async with FakeOpenAI(default="echo_key") as llm:
        code, out, err = await run(
            tmp_path,
            "-v",
            "summarize",
            "--json",
            OPENAI_BASE_URL=llm.base_url,
            OPENAI_API_KEY=secret,
        )
    assert (code, one_json_object(out)["failed"]) == (1, 2)
    assert "HTTP 401: Incorrect API key provided: Bearer [redacted]" in err
    assert "Traceback" not in err
    assert secret[3:] not in out + err
    assert database_files_holding(tmp_path, secret[3:]) == []
