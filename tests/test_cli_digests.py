"""`digestbot digest` and `digestbot push` as operators and cron run them."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import hf_signals
from storage.hf_signals import DaySignal
from tests import digest_world as world
from tests.test_cli import REPO, one_json_object, run


async def seed(tmp_path) -> None:
    rt = await world.runtime(tmp_path / "db.sqlite3")
    await world.add_paper(
        rt, "2406.90001", datetime(2024, 6, 18, tzinfo=UTC), {"rag": 1}, title="RAG & <tags>",
        summaries_by_lang={"zh": "一篇关于检索的论文。", "en": "A retrieval paper."},
    )  # fmt: skip
    await rt.close()


async def test_digest_json_gives_the_period_and_the_telegram_messages(tmp_path):
    await seed(tmp_path)
    code, out, _ = await run(
        tmp_path, "digest", "--topic", "RAG", "--period", "2024-06-30", "--lang", "zh", "--json"
    )
    found = one_json_object(out)
    assert code == 0
    assert found["period"] == ["2024-06-17", "2024-06-30"]
    [part] = found["parts"]
    assert "2024年6月17日至30日" in part
    assert "RAG &amp; &lt;tags&gt;" in part
    assert "一篇关于检索的论文。" in part


async def test_digest_of_a_quiet_fortnight_has_no_parts(tmp_path):
    await seed(tmp_path)
    code, out, _ = await run(tmp_path, "digest", "--period", "2024-05-01", "--json")
    assert (code, one_json_object(out)["parts"]) == (0, [])
    code, out, _ = await run(tmp_path, "digest", "--period", "2024-05-01")
    assert "Nothing for these topics in 2024-04-22 – 2024-05-05." in out


async def test_bad_arguments_are_usage_errors_that_change_nothing(tmp_path):
    await seed(tmp_path)
    code, out, err = await run(tmp_path, "digest", "--topic", "astrology", "--json")
    assert code == 2
    assert "unknown topic “astrology”" in one_json_object(out)["error"]
    code, _, err = await run(tmp_path, "digest", "--period", "30/06/2024")
    assert (code, "not a date such as 2024-06-17" in err) == (2, True)
    code, _, err = await run(tmp_path, "push", "--now", "yesterday")
    assert (code, "not an ISO 8601 date or time" in err) == (2, True)


async def test_push_without_a_token_names_the_variable(tmp_path):
    await seed(tmp_path)
    code, out, err = await run(tmp_path, "push", "--json")
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN" in one_json_object(out)["error"]
    assert err.count("\n") == 1


async def test_an_imported_editors_pick_leads_its_topic_in_the_fortnights_digest(tmp_path):
    """The editor's article for 17–30 June puts its papers first, with its summaries."""
    await seed(tmp_path)
    article = "tests/fixtures/articles/en_markdown_2024_06_h2.md"
    code, _, _ = await run(
        tmp_path, "import", str(REPO / article), "--period", "2024-06-20", "--offline"
    )
    assert code == 0
    code, out, _ = await run(
        tmp_path, "digest", "--topic", "llm", "--period", "2024-06-20", "--json"
    )
    [part] = one_json_object(out)["parts"]
    assert "1. <b>BigCodeBench: Benchmarking Code Generation" in part
    assert "A benchmark of 1,140 fine-grained programming tasks" in part


async def seed_ranked(tmp_path) -> None:
    rt = await world.runtime(tmp_path / "db.sqlite3")
    day = datetime(2024, 6, 18, tzinfo=UTC)
    upvoted = await world.add_paper(rt, "2406.90011", day, {"rag": 0.9}, title="Upvoted")
    await world.add_paper(rt, "2406.90012", day, {"rag": 0.95}, title="Rules only")
    await hf_signals.record(rt.db, datetime(2024, 6, 19).date(), [DaySignal(upvoted, 26, 3)])
    await rt.close()


async def test_digest_explain_prints_each_picks_score_and_its_parts(tmp_path):
    await seed_ranked(tmp_path)
    args = ("digest", "--topic", "rag", "--period", "2024-06-30", "--lang", "en", "--explain")
    code, out, _ = await run(tmp_path, *args)
    assert code == 0
    first, second = out.split("  2. ")
    assert "1. 2406.90011  Upvoted" in first
    assert "why: 🔥 HF 26 upvotes · on topic" in first
    assert "on Daily Papers 1.50" in first
    assert "HF 26 upvotes, 3 comments, 100% of its day's top" in first
    assert "2406.90012  Rules only" in second
    assert "why: on topic" in second


async def test_digest_explain_json_adds_the_parts_per_paper(tmp_path):
    await seed_ranked(tmp_path)
    args = ("digest", "--topic", "rag", "--period", "2024-06-30", "--lang", "zh", "--explain")
    code, out, _ = await run(tmp_path, *args, "--json")
    found = one_json_object(out)
    assert code == 0
    assert found["parts"]  # the messages are still there
    [section] = found["explain"]
    assert section["topic"] == "rag"
    upvoted, rules_only = section["papers"]
    assert upvoted["arxiv_id"] == "2406.90011"
    assert upvoted["why"] == "🔥 HF 26 赞 · 主题吻合"
    assert upvoted["hf"]["upvotes"] == 26
    assert upvoted["parts"]["hf_presence"] == 1.5
    assert upvoted["score"] > rules_only["score"]
    assert rules_only["hf"] is None
