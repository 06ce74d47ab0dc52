"""`digestbot import` as operators run it: the contract's JSON object, exit codes, and a
report in the operator's language."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.conftest import FIXTURES
from tests.fakes.arxiv_lookup import lookup
from tests.fakes.arxiv_server import FakeArxiv
from tests.test_cli import one_json_object, run

ZH_BROKEN = FIXTURES / "articles" / "zh_broken_items.txt"
EN_BROKEN = FIXTURES / "articles" / "en_broken_items.md"


async def test_import_prints_the_contract_object_and_a_second_run_changes_nothing(tmp_path: Path):
    code, out, err = await run(
        tmp_path, "import", "--json", "--offline", "--period", "2024-07-10", str(ZH_BROKEN)
    )
    report = one_json_object(out)
    assert code == 0, err
    assert set(report) == {"sections", "papers_new", "papers_updated", "skipped"}
    assert report["sections"][0] == {"heading": "LLM进展与基准", "topic": "llm", "items": 1}
    assert {"line": 12, "reason": "item has no arXiv link"} in report["skipped"]
    assert report["papers_new"] == 4
    code, out, _ = await run(
        tmp_path, "import", "--json", "--offline", "--period", "2024-07-10", str(ZH_BROKEN)
    )
    again = one_json_object(out)
    assert (again["papers_new"], again["papers_updated"]) == (0, 0)
    assert again["sections"] == report["sections"]


async def test_the_report_follows_the_operators_language(tmp_path: Path):
    _, out, _ = await run(tmp_path, "import", "--offline", str(EN_BROKEN), LANG="zh_CN.UTF-8")
    assert "第 17 行：条目没有 arXiv 链接" in out
    assert "Robotics Corner" in out
    _, out, _ = await run(tmp_path, "import", "--offline", str(EN_BROKEN))
    assert "line 17: item has no arXiv link" in out


async def test_bad_arguments_exit_2_with_one_line(tmp_path: Path):
    picture = tmp_path / "picture.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    for args in (("import", str(tmp_path / "missing.md")), ("import", str(picture))):
        code, _, err = await run(tmp_path, *args)
        assert code == 2, args
        assert err.strip().count("\n") == 0, err
    code, _, err = await run(tmp_path, "import", "--period", "2024-13-01", str(EN_BROKEN))
    assert code == 2
    assert err.strip().splitlines()[-1].endswith("argument --period: not a date such as 2024-06-17")


async def test_importing_an_endless_file_stops_at_the_articles_cap_with_one_line(tmp_path: Path):
    code, out, err = await run(tmp_path, "import", "--json", "--offline", "/dev/zero")
    assert code == 2
    assert err.strip().count("\n") == 0, err
    assert "more than 1000000 bytes" in one_json_object(out)["error"]


async def test_an_article_without_items_fails_and_still_reports_its_lines(tmp_path: Path):
    empty = tmp_path / "empty.md"
    empty.write_text("# Nothing here\n\nJust an introduction.\n")
    code, out, _ = await run(tmp_path, "import", "--json", "--offline", str(empty))
    assert code == 1
    assert one_json_object(out)["skipped"]


async def test_import_completes_the_papers_from_arxiv(tmp_path: Path):
    async with FakeArxiv() as arxiv:
        url = arxiv.respond("/api/query", lookup(date(2024, 6, 20)))
        code, out, err = await run(
            tmp_path, "import", "--json", str(EN_BROKEN), DIGESTBOT_ARXIV_API=url
        )
        assert code == 0, err
        assert one_json_object(out)["papers_new"] == 3
        code, out, _ = await run(tmp_path, "paper", "--json", "--offline", "2406.15877")
    card = one_json_object(out)
    assert card["version"] == 1
    assert card["summaries"]["en"]["source"] == "editor"
    assert len(arxiv.seen("/api/query")) == 1


async def test_an_unreachable_arxiv_exits_1_and_the_article_is_still_imported(tmp_path: Path):
    code, out, err = await run(
        tmp_path, "import", "--json", str(EN_BROKEN), DIGESTBOT_ARXIV_API="http://127.0.0.1:9/api"
    )
    assert code == 1
    assert one_json_object(out)["papers_new"] == 3
    assert "metadata not completed" in err
