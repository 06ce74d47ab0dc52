"""Importing an editor's article: papers, editor summaries, topics and picks for a fortnight,
reported line by line; arXiv's details completed afterwards; a second import changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot import config
from bot.ingest import editor_import, limits
from bot.ingest.service import ingest_file
from bot.runtime import Runtime, open_runtime
from storage import editor_picks, papers, summaries
from storage.models import EditorPick
from tests.conftest import FIXTURES
from tests.fakes.arxiv_lookup import lookup
from tests.fakes.arxiv_server import FakeArxiv

ARTICLES = FIXTURES / "articles"
ZH_BLOG = (ARTICLES / "zh_blog_2024_06_h2.txt").read_text(encoding="utf-8")
EN_BROKEN = (ARTICLES / "en_broken_items.md").read_text(encoding="utf-8")
JUNE_17 = date(2024, 6, 17)
TABLES = ("papers", "summaries", "paper_topics", "editor_picks", "paper_fts")


async def runtime_at(tmp_path: Path, **env: str) -> Runtime:
    return await open_runtime(
        config.load({"DIGESTBOT_DB": str(tmp_path / "db.sqlite3"), **env}, env_file=None)
    )


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[Runtime]:
    runtime = await runtime_at(tmp_path)
    try:
        yield runtime
    finally:
        await runtime.close()


async def snapshot(rt: Runtime) -> dict[str, list[tuple]]:
    found = {}
    for table in TABLES:
        column = "rowid, *" if table == "paper_fts" else "*"
        rows = await rt.db.fetchall(f"SELECT {column} FROM {table} ORDER BY 1, 2")
        found[table] = [tuple(row) for row in rows]
    return found


async def test_a_chinese_article_stores_papers_editor_summaries_topics_and_picks(rt: Runtime):
    report = await editor_import.import_article(
        rt, ZH_BLOG, period_day=date(2024, 6, 25), offline=True
    )
    assert report.as_json()["sections"][:2] == [
        {"heading": "LLM进展与基准", "topic": "llm", "items": 3},
        {"heading": "RAG", "topic": "rag", "items": 2},
    ]
    assert (report.papers_new, report.papers_updated) == (report.items, 0)
    assert report.period.start == JUNE_17
    paper = await papers.get(rt.db, "2406.15877")
    assert paper.version == 0
    assert paper.title.startswith("BigCodeBench: Benchmarking Code Generation with Diverse")
    summary = (await summaries.for_paper(rt.db, paper.id))["zh"]
    assert (summary.source, summary.text[:12]) == ("editor", "BigCodeBench")
    picks = await editor_picks.for_period(rt.db, JUNE_17)
    assert picks[0] == EditorPick(paper.id, "llm", 1)
    assert [pick.position for pick in picks] == list(range(1, report.items + 1))
    topics = await rt.db.fetchall(
        "SELECT topic_slug, source FROM paper_topics WHERE paper_id = ? AND source = 'editor'",
        (paper.id,),
    )
    assert [tuple(row) for row in topics] == [("llm", "editor")]


async def test_importing_the_same_article_again_changes_nothing(rt: Runtime):
    first = await editor_import.import_article(rt, ZH_BLOG, period_day=JUNE_17, offline=True)
    before = await snapshot(rt)
    again = await editor_import.import_article(rt, ZH_BLOG, period_day=JUNE_17, offline=True)
    assert await snapshot(rt) == before
    assert (again.papers_new, again.papers_updated) == (0, 0)
    assert again.as_json()["sections"] == first.as_json()["sections"]


async def test_broken_items_are_reported_with_their_lines_and_the_rest_imported(rt: Runtime):
    report = await editor_import.import_article(rt, EN_BROKEN, offline=True)
    skipped = {s.line: s.reason for s in report.skipped}
    assert skipped[17] == "item has no arXiv link"
    assert skipped[21] == "item has 2 different arXiv links"
    assert skipped[25] == "item has no arXiv link"  # a blog link is not a paper
    assert skipped[31] == "item's arXiv link is malformed"
    assert skipped[1] == "furniture: breadcrumb"
    assert await papers.get(rt.db, "2406.15319") is None  # the two-link item stored neither
    assert report.papers_new == 3


async def test_an_unknown_heading_is_reported_and_its_items_get_rule_topics(rt: Runtime):
    report = await editor_import.import_article(rt, EN_BROKEN, period_day=JUNE_17, offline=True)
    assert {"heading": "Robotics Corner", "topic": None, "items": 1} in report.as_json()["sections"]
    paper = await papers.get(rt.db, "2407.01476")  # "Tree Search for Language Model Agents"
    pick = next(p for p in await editor_picks.for_period(rt.db, JUNE_17) if p.paper_id == paper.id)
    assert pick.topic_slug is None
    rows = await rt.db.fetchall("SELECT source FROM paper_topics WHERE paper_id = ?", (paper.id,))
    assert rows
    assert {row[0] for row in rows} == {"rules"}


async def test_without_a_period_the_picks_go_where_the_papers_were_announced(rt: Runtime):
    await ingest_file(rt.db, FIXTURES / "arxiv_rss_mixed.xml")  # announced 25 June 2024
    known = await papers.latest(rt.db, 2)
    article = "RAG\n\n" + "\n\n".join(
        f"{i}. {p.title}\nA summary.\nhttps://arxiv.org/abs/{p.arxiv_id}"
        for i, p in enumerate(known, start=1)
    )
    report = await editor_import.import_article(rt, article, offline=True)
    assert report.period.start == JUNE_17
    assert (report.papers_new, report.papers_updated) == (0, 2)
    # A known paper keeps its arXiv metadata; it gains the editor's summary.
    assert (await papers.get(rt.db, known[0].arxiv_id)).version >= 1


TWO_OF_MIXED = "RAG\n\n" + "\n\n".join(
    f"{n}. {title}\nA summary.\nhttps://arxiv.org/abs/{arxiv_id}"
    for n, (title, arxiv_id) in enumerate(
        [("A survey of RAG", "2406.17001"), ("MoE scaling", "2406.17002"), ("Later", "2406.99001")],
        start=1,
    )
)


async def test_an_article_imported_again_after_a_feed_dated_its_papers_changes_nothing(
    rt: Runtime,
):
    first = await editor_import.import_article(rt, TWO_OF_MIXED, offline=True)
    await ingest_file(rt.db, FIXTURES / "arxiv_rss_mixed.xml")  # dates two of them: 25 June
    before = await snapshot(rt)
    again = await editor_import.import_article(rt, TWO_OF_MIXED, offline=True)
    assert again.period == first.period
    assert await snapshot(rt) == before
    assert (again.papers_new, again.papers_updated) == (0, 0)


async def test_an_explicit_period_moves_an_imported_articles_picks_to_it(rt: Runtime):
    first = await editor_import.import_article(rt, TWO_OF_MIXED, offline=True)
    assert first.period.start == JUNE_17  # by the papers' arXiv numbers
    again = await editor_import.import_article(
        rt, TWO_OF_MIXED, period_day=date(2024, 7, 3), offline=True
    )
    assert again.period.start == date(2024, 7, 1)
    assert await editor_picks.for_period(rt.db, JUNE_17) == []
    assert [p.position for p in await editor_picks.for_period(rt.db, again.period.start)] == [
        1,
        2,
        3,
    ]


async def test_huge_titles_and_summaries_of_an_article_are_cut_to_their_caps(rt: Runtime):
    article = (
        "RAG\n\n1. "
        + "Title " * 2_000
        + "\n"
        + "一段很长的总结。" * 2_000
        + "\nhttps://arxiv.org/abs/2406.17001"
    )
    await editor_import.import_article(rt, article, period_day=JUNE_17, offline=True)
    paper = await papers.get(rt.db, "2406.17001")
    assert len(paper.title) <= limits.TITLE_CHARS
    summary = (await summaries.for_paper(rt.db, paper.id))["zh"]
    assert len(summary.text) <= limits.SUMMARY_CHARS
    assert summary.text.endswith("…")


async def test_arxiv_completes_the_papers_and_the_picks_move_to_their_fortnight(tmp_path: Path):
    async with FakeArxiv() as arxiv:
        url = arxiv.respond("/api/query", lookup(date(2024, 6, 20), frozenset({"2406.18495"})))
        rt = await runtime_at(tmp_path, DIGESTBOT_ARXIV_API=url)
        try:
            report = await editor_import.import_article(rt, EN_BROKEN)
            assert report.period.start == JUNE_17  # not the current fortnight any more
            assert report.waiting == ["2406.18495"]  # arXiv does not know it: it waits
            assert [p.position for p in await editor_picks.for_period(rt.db, JUNE_17)] == [1, 2, 3]
            paper = await papers.get(rt.db, "2406.15877")
            assert (paper.version, paper.authors) == (1, ("Ada Lovelace",))
            by_lang = await summaries.for_paper(rt.db, paper.id)
            assert by_lang["en"].source == "editor"  # the extract never replaces it
            before = await snapshot(rt)
            again = await editor_import.import_article(rt, EN_BROKEN)
            assert (again.papers_new, again.papers_updated) == (0, 0)
            assert await snapshot(rt) == before
        finally:
            await rt.close()
    [first, *_] = arxiv.seen("/api/query")
    assert set(first.query["id_list"].split(",")) == {"2406.15877", "2407.01476", "2406.18495"}


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00", "not text"), (b"x" * 1_000_001, "at most")],
)
def test_a_file_that_is_not_an_article_is_refused(data: bytes, message: str):
    with pytest.raises(editor_import.ArticleError, match=message):
        editor_import.decode(data)


def test_an_article_saved_as_gb18030_is_read():
    assert editor_import.decode("1、标题 论文链接".encode("gb18030")) == "1、标题 论文链接"
