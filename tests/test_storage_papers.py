"""Papers move forward through versions only; summaries keep their best source."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from storage import papers, summaries
from storage.cjk import cjk_bigrams
from storage.db import Database
from storage.models import Paper, Summary

MONDAY = datetime(2024, 6, 17, 4, 0, tzinfo=UTC)


def paper(version: int = 1, **changes) -> Paper:
    fields = {
        "arxiv_id": "2406.15877",
        "version": version,
        "title": "Title",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "abstract": "Abstract.",
        "categories": ("cs.CL", "cs.LG"),
        "announced": MONDAY,
        "announce_type": "new",
    }
    return Paper(**{**fields, **changes})


async def test_storing_the_same_paper_twice_changes_nothing(db: Database):
    first = await papers.upsert(db, [paper()])
    second = await papers.upsert(db, [paper()])
    assert (first.counts.new, second.counts.unchanged, second.changed) == (1, 1, ())


async def test_a_newer_version_replaces_title_and_abstract_but_keeps_first_announcement(
    db: Database,
):
    await papers.upsert(db, [paper(doi="10.1/x")])
    later = datetime(2024, 7, 1, tzinfo=UTC)
    result = await papers.upsert(
        db, [paper(2, title="New title", abstract="New.", announced=later, doi=None)]
    )
    stored = await papers.get(db, "2406.15877")
    assert result.counts.updated == 1
    assert (stored.version, stored.title, stored.abstract) == (2, "New title", "New.")
    assert (stored.announced, stored.doi) == (MONDAY, "10.1/x")


async def test_an_older_version_never_moves_a_paper_back(db: Database):
    await papers.upsert(db, [paper(3, title="Third")])
    result = await papers.upsert(db, [paper(1, title="First")])
    assert result.counts.unchanged == 1
    assert (await papers.get(db, "2406.15877")).title == "Third"


async def test_the_same_version_fills_in_what_was_missing(db: Database):
    await papers.upsert(db, [paper(journal_ref=None)])
    result = await papers.upsert(db, [paper(journal_ref="ACL 2024")])
    assert result.counts.updated == 1
    assert (await papers.get(db, "2406.15877")).journal_ref == "ACL 2024"


async def test_authors_and_categories_keep_their_order_and_unicode(db: Database):
    await papers.upsert(
        db, [paper(authors=("Zoë Ramírez", "张三", "Ada"), categories=("cs.AI", "cs.CL"))]
    )
    stored = await papers.get(db, "2406.15877")
    assert stored.authors == ("Zoë Ramírez", "张三", "Ada")
    assert stored.primary_category == "cs.AI"
    assert stored.abs_url == "https://arxiv.org/abs/2406.15877v1"


async def test_a_feed_listing_a_paper_twice_stores_it_once(db: Database):
    result = await papers.upsert(db, [paper(1), paper(2, title="Second")])
    assert result.counts.new == 1
    assert (await papers.get(db, "2406.15877")).version == 2


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        ("abstract", "llm", "llm"),
        ("llm", "editor", "editor"),
        ("editor", "llm", "editor"),
        ("llm", "abstract", "llm"),
        ("editor", "abstract", "editor"),
        ("llm", "llm", "llm"),
    ],
)
async def test_a_worse_summary_source_never_replaces_a_better_one(
    db: Database, first: str, second: str, kept: str
):
    paper_id = (await papers.upsert(db, [paper()])).changed[0].id
    await summaries.put(db, paper_id, Summary("en", f"from {first}", first))
    await summaries.put(db, paper_id, Summary("en", f"from {second} too", second))
    stored = (await summaries.for_paper(db, paper_id))["en"]
    assert stored.source == kept
    assert stored.text.startswith(f"from {kept}")


async def test_the_database_itself_refuses_a_worse_summary_written_directly(db: Database):
    paper_id = (await papers.upsert(db, [paper()])).changed[0].id
    await summaries.put(db, paper_id, Summary("zh", "编辑", "editor"))
    with pytest.raises(sqlite3.IntegrityError, match="worse source"):
        await db.conn.execute(
            "UPDATE summaries SET source = 'abstract', text = 'x' WHERE paper_id = ?", (paper_id,)
        )
    assert (await summaries.for_paper(db, paper_id))["zh"].text == "编辑"


async def test_a_feed_bigger_than_one_transaction_counts_and_repeats_as_one(db: Database):
    many = [paper(arxiv_id=f"2406.{n:05d}", title=f"Paper {n}") for n in range(1, 1_201)]
    # The same paper new in one category and cross-listed in another, in different turns.
    listed = [*many, paper(arxiv_id="2406.00001", version=2, title="Paper 1, revised")]
    assert len(listed) > 2 * papers.STORE_CHUNK
    first = await papers.upsert(db, listed, topics_for=lambda p: [])
    assert (first.counts.new, first.counts.updated, first.counts.unchanged) == (1_200, 0, 0)
    assert len({p.id for p in first.changed}) == 1_200
    assert (await papers.get(db, "2406.00001")).title == "Paper 1, revised"
    again = await papers.upsert(db, listed, topics_for=lambda p: [])
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 1_200)


async def test_a_newer_version_another_process_stored_meanwhile_is_not_moved_back(db: Database):
    await papers.upsert(db, [paper(version=1)])

    def topics_while_another_process_stores_v3(incoming: Paper) -> list:
        # Topics are matched before the transaction opens: cron's ingest writes just then.
        other = sqlite3.connect(db.path)
        other.create_function("cjk_bigrams", 1, cjk_bigrams)
        with other:
            other.execute(
                "UPDATE papers SET version = 3, title = 'Third' WHERE arxiv_id = ?",
                (incoming.arxiv_id,),
            )
        other.close()
        return []

    result = await papers.upsert(
        db, [paper(version=2, title="Second")], topics_for=topics_while_another_process_stores_v3
    )
    assert (result.counts.new, result.counts.updated, result.counts.unchanged) == (0, 0, 1)
    stored = await papers.get(db, "2406.15877")
    assert (stored.version, stored.title) == (3, "Third")
