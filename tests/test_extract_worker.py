"""A big feed's English extracts are made in a worker process, the same as made here, and
none is lost when the worker fails."""

from __future__ import annotations

import logging
import multiprocessing
import os

from bot.ingest.service import ingest_file
from bot.summarize import extract_worker, extractive
from bot.summarize.extract_worker import WORKER_MIN_BYTES, extractor_for
from storage import summaries
from tests.conftest import FIXTURES

ABSTRACTS = [
    "Retrieval-augmented generation has become popular. We propose PropRAG, which retrieves "
    "propositions instead of passages. PropRAG improves exact match by 12% on NQ.",
    "",
    "word " * 200,  # one run without a sentence: no extract
    "Large language models hallucinate. We introduce ClaimCheck, a verifier of claims, "
    "e.g. of numbers. ClaimCheck reduces hallucinations by 30% on TruthfulQA.",
]
EXPECTED = [extractive.summarize(a) if a else None for a in ABSTRACTS]


async def test_a_big_feed_gets_its_extracts_from_a_worker_process():
    async with extractor_for(WORKER_MIN_BYTES) as extractor:
        assert extractor.in_worker
        workers = multiprocessing.active_children()
        assert workers
        assert all(worker.pid != os.getpid() for worker in workers)
        assert await extractor(ABSTRACTS) == EXPECTED
    assert EXPECTED[0] is not None
    assert EXPECTED[2] is None


async def test_a_small_feed_gets_its_extracts_without_starting_a_process():
    async with extractor_for(WORKER_MIN_BYTES - 1) as extractor:
        assert not extractor.in_worker
        assert await extractor(ABSTRACTS) == EXPECTED


async def test_extracts_stored_from_the_worker_are_those_of_the_extractive_summary(db, monkeypatch):
    monkeypatch.setattr(extract_worker, "WORKER_MIN_BYTES", 0)  # this small feed counts as big
    report = await ingest_file(db, FIXTURES / "arxiv_rss_mixed.xml")
    rows = await db.fetchall("SELECT id, abstract FROM papers WHERE abstract <> ''")
    stored = await summaries.for_papers(db, [row[0] for row in rows])
    assert report.new == len(rows) > 0
    assert {row[0]: stored[row[0]]["en"].text for row in rows} == {
        row[0]: extractive.summarize(row[1]) for row in rows
    }


async def test_a_worker_that_dies_leaves_no_paper_without_its_extract(caplog):
    async with extractor_for(WORKER_MIN_BYTES) as extractor:
        for worker in multiprocessing.active_children():
            worker.kill()
            worker.join()
        with caplog.at_level(logging.WARNING, logger="bot.summarize.extract_worker"):
            assert await extractor(ABSTRACTS) == EXPECTED
        assert not extractor.in_worker
    assert "the extract worker stopped" in caplog.text
