"""`digestbot digest` and `digestbot push` as operators and cron run them."""

from __future__ import annotations

from datetime import UTC, datetime

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
