"""An article imported without --period goes under the fortnight its papers were announced in:
by their stored dates, else by what the article says (its title's range or half month, when
its arXiv numbers agree), else by the numbers themselves; the report says which and why."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import config
from bot.i18n import use
from bot.ingest import article_period, editor_import, import_report
from bot.ingest.service import ingest_file
from bot.runtime import Runtime, open_runtime
from storage import papers
from tests.conftest import FIXTURES
from tests.fakes.arxiv_lookup import lookup
from tests.fakes.arxiv_server import FakeArxiv

ARTICLES = FIXTURES / "articles"
JUNE_3, JUNE_17 = date(2024, 6, 3), date(2024, 6, 17)


def report_text(report: editor_import.ImportReport, lang: str) -> str:
    with use(lang):
        return import_report.text(report, lang)


def article(name: str) -> str:
    return (ARTICLES / name).read_text(encoding="utf-8")


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[Runtime]:
    runtime = await open_runtime(
        config.load({"DIGESTBOT_DB": str(tmp_path / "db.sqlite3")}, env_file=None)
    )
    try:
        yield runtime
    finally:
        await runtime.close()


@pytest.mark.parametrize(
    ("text", "words", "fortnight"),
    [
        ("2024年6月后2周重要的大语言模型论文总结", "2024年6月后2周", JUNE_17),
        ("本文总结了2024年6月17日至6月30日发表的论文", "2024年6月17日至6月30日", JUNE_17),
        ("2024年6月上半月论文精选", "2024年6月上半月", JUNE_3),
        ("# Top LLM Papers (June 17 - June 30, 2024)", "June 17 - June 30, 2024", JUNE_17),
        ("Papers of June 17–30, 2024", "June 17–30, 2024", JUNE_17),
        ("Jun 3 – 16, 2024 in review", "Jun 3 – 16, 2024", JUNE_3),
        ("From 2024-06-03 to 2024-06-16", "2024-06-03 to 2024-06-16", JUNE_3),
    ],
)
def test_the_range_or_half_month_an_article_names_is_read(text, words, fortnight):
    stated = article_period.stated_in(f"Home > Blog\n{text}\nPosted on July 1, 2024")
    assert stated.words == words
    assert fortnight <= stated.day <= fortnight.replace(day=fortnight.day + 13)


def test_a_single_date_is_taken_for_when_the_article_was_posted_not_its_fortnight():
    assert article_period.stated_in("发布时间：2024-07-02 09:30\nPosted on July 1, 2024") is None
    assert article_period.stated_in("June 31 – July 2, 2024") is None  # no such day


def test_the_arxiv_numbers_tell_the_month_and_roughly_where_in_it():
    early = article_period.from_ids(["2406.01234", "2406.02001", "2406.00400"])
    late = article_period.from_ids(["2406.15877", "2406.16008", "2406.18495", "2405.00001"])
    assert (early.day, late.day) == (date(2024, 6, 2), date(2024, 6, 20))
    assert article_period.from_ids(["hep-th/9901001"]) is None


async def test_the_chinese_blog_goes_under_the_fortnight_its_title_names(rt: Runtime):
    report = await editor_import.import_article(rt, article("zh_blog_2024_06_h2.txt"), offline=True)
    assert report.period.start == JUNE_17
    assert (report.placement.reason, report.placement.words) == ("article", "2024年6月后2周")
    text = report_text(report, "zh")
    assert "为何归入这一期：文中写明“2024年6月后2周”。" in text


async def test_the_english_article_goes_under_the_range_in_its_title(rt: Runtime):
    report = await editor_import.import_article(
        rt, article("en_markdown_2024_06_h2.md"), offline=True
    )
    assert report.period.start == JUNE_17
    text = report_text(report, "en")
    assert "Why this fortnight: the article says “June 17 - June 30, 2024”." in text


async def test_without_dates_in_the_article_its_arxiv_numbers_place_it(rt: Runtime):
    report = await editor_import.import_article(rt, article("en_broken_items.md"), offline=True)
    assert report.period.start == JUNE_17
    assert report.placement.reason == "ids"
    assert "arXiv numbers (such as 2406." in report_text(report, "en")
    assert "依据论文的 arXiv 编号（如 2406." in report_text(report, "zh")


async def test_a_title_the_arxiv_numbers_contradict_is_not_believed(rt: Runtime):
    text = "2023年1月前2周论文\n\nRAG\n\n1. A paper\n摘要。\nhttps://arxiv.org/abs/2406.16008\n"
    report = await editor_import.import_article(rt, text, offline=True)
    assert report.period.start == JUNE_17
    assert report.placement.reason == "ids"


async def test_papers_already_dated_place_the_article_whatever_it_says(rt: Runtime):
    await ingest_file(rt.db, FIXTURES / "arxiv_rss_mixed.xml")  # announced 25 June 2024
    known = await papers.latest(rt.db, 2)
    text = "2024年6月前2周\n\nRAG\n\n" + "\n\n".join(
        f"{i}. {p.title}\n摘要。\nhttps://arxiv.org/abs/{p.arxiv_id}"
        for i, p in enumerate(known, start=1)
    )
    report = await editor_import.import_article(rt, text, offline=True)
    assert report.period.start == JUNE_17
    assert report.placement.reason == "papers"
    assert "多数论文在这两周内发布" in report_text(report, "zh")


async def test_nothing_to_go_by_files_it_under_the_current_fortnight_and_says_so(rt: Runtime):
    text = "RAG\n\n1. An old paper\nA summary.\nhttps://arxiv.org/abs/hep-th/9901001\n"
    article_ = editor_import.article_parser.parse(text)
    now = datetime(2024, 9, 4, tzinfo=UTC)
    report = await editor_import.store_article(rt, article_, now=now)
    assert report.period.start == date(2024, 8, 26)
    assert "import again with --period" in report_text(report, "en")


async def test_the_arxiv_look_up_moves_an_article_placed_by_its_numbers(tmp_path: Path):
    async with FakeArxiv() as arxiv:
        url = arxiv.respond("/api/query", lookup(date(2024, 6, 5), frozenset({"2406.18495"})))
        rt = await open_runtime(
            config.load(
                {"DIGESTBOT_DB": str(tmp_path / "db.sqlite3"), "DIGESTBOT_ARXIV_API": url},
                env_file=None,
            )
        )
        try:
            report = await editor_import.import_article(rt, article("en_broken_items.md"))
        finally:
            await rt.close()
    assert report.period.start == JUNE_3  # arXiv dates them 5 June, not late June
    assert report.placement.reason == "arxiv"
    assert "the dates arXiv gives for its papers" in report_text(report, "en")
