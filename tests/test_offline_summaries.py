"""The offline fallback: every paper with an abstract gets an English extract at ingest, kept
out of the search index, replaced by a better summary and following its abstract."""

from __future__ import annotations

from dataclasses import replace

from bot.ingest.document import ParsedFeed
from bot.ingest.service import ingest_file, store
from bot.search import service as search_service
from bot.summarize import extractive, offline
from storage import papers, search, summaries
from storage.db import Database
from storage.models import Paper, Summary
from tests.conftest import FIXTURES

ABSTRACT = (
    "Retrieval-augmented generation has become popular. We propose PropRAG, which retrieves "
    "propositions instead of passages. PropRAG improves exact match by 12% on NQ. "
    "Code is available at https://github.com/example/proprag."
)
REVISED = (
    "Large language models hallucinate. We introduce ClaimCheck, a verifier of claims. "
    "ClaimCheck reduces hallucinations by 30% on TruthfulQA."
)


def feed(*items: Paper) -> ParsedFeed:
    return ParsedFeed("test", "api", tuple(items))


async def english(db: Database, arxiv_id: str) -> Summary | None:
    paper = await papers.get(db, arxiv_id)
    return (await summaries.for_paper(db, paper.id)).get("en")


async def test_every_ingested_paper_with_an_abstract_gets_an_english_extract(db: Database):
    report = await ingest_file(db, FIXTURES / "arxiv_rss_mixed.xml")
    assert report.new > 0
    counts = await summaries.counts(db)
    with_abstract = await db.fetchone("SELECT count(*) FROM papers WHERE abstract <> ''")
    assert counts[("en", "abstract")] == with_abstract[0]
    first = (await papers.latest(db, 1))[0]
    summary = await english(db, first.arxiv_id)
    assert summary.text == extractive.summarize(first.abstract)
    assert len(summary.text.split()) <= extractive.MAX_WORDS * 1.5


async def test_the_extract_stays_out_of_the_search_index(db: Database):
    await store(db, feed(Paper("2406.00001", 1, "Proposition retrieval", abstract=ABSTRACT)))
    assert (await english(db, "2406.00001")).source == "abstract"
    row = await db.fetchone("SELECT summary_en FROM paper_search_source")
    assert row[0] is None
    await search.check_index(db)


async def test_a_better_summary_replaces_the_extract_and_enters_the_index(db: Database):
    await store(db, feed(Paper("2406.00001", 1, "Proposition retrieval", abstract=ABSTRACT)))
    paper = await papers.get(db, "2406.00001")
    assert await summaries.put(db, paper.id, Summary("en", "Editors love zebrafish.", "editor"))
    await search.check_index(db)
    page = await search_service.search(db, "zebrafish")
    assert [hit.paper.arxiv_id for hit in page.hits] == ["2406.00001"]
    # A later ingest never puts the extract back over the editor's summary.
    await store(db, feed(Paper("2406.00001", 2, "Proposition retrieval", abstract=REVISED)))
    assert (await english(db, "2406.00001")).source == "editor"
    await search.check_index(db)


async def test_the_extract_follows_a_new_version_of_the_abstract(db: Database):
    await store(db, feed(Paper("2406.00001", 1, "Claims", abstract=ABSTRACT)))
    await store(db, feed(Paper("2406.00001", 2, "Claims", abstract=REVISED)))
    assert (await english(db, "2406.00001")).text == extractive.summarize(REVISED)
    # A new abstract with no sentence to extract leaves no stale extract behind.
    await store(db, feed(Paper("2406.00001", 3, "Claims", abstract="word " * 200)))
    assert await english(db, "2406.00001") is None
    await search.check_index(db)


async def test_papers_stored_without_an_extract_get_one_once(db: Database):
    stored = [
        Paper(f"2406.0000{i}", 1, f"Paper {i}", abstract=ABSTRACT.replace("PropRAG", f"P{i}"))
        for i in range(3)
    ]
    await papers.upsert(db, stored)  # as ingest did before the fallback existed
    assert await summaries.counts(db) == {}
    assert await offline.fill_missing(db, batch=2) == 3
    assert await summaries.counts(db) == {("en", "abstract"): 3}
    assert await offline.fill_missing(db) == 0
    await search.check_index(db)


async def test_an_editor_only_paper_has_no_abstract_and_no_extract(db: Database):
    await store(db, feed(replace(Paper("2406.00009", 0, "Known from an article"))))
    assert await english(db, "2406.00009") is None
