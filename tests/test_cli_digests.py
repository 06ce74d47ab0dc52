"""`digestbot digest` and `digestbot push` as operators and cron run them."""

from __future__ import annotations

from datetime import UTC, datetime

from tests import digest_world as world
from tests.test_cli import one_json_object, run


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
