"""A big RSS document read in two halves on two cores gives what one read gives."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.ingest.detect import parse_document
from bot.ingest.document import FeedProblem
from bot.ingest.halves import parse_in_halves, split_items
from tests.conftest import FIXTURES

MIXED = (FIXTURES / "arxiv_rss_mixed.xml").read_bytes()
TRUNCATED = (FIXTURES / "arxiv_rss_truncated.xml").read_bytes()


@pytest.fixture
def worker():
    with ThreadPoolExecutor(1) as pool:
        yield pool


def test_each_half_is_a_whole_rss_document_with_half_the_items():
    first, second = split_items(MIXED)
    assert first.count(b"<item") + second.count(b"<item") == MIXED.count(b"<item")
    assert first.count(b"<item") == 2
    for half in (first, second):
        assert half.lstrip().startswith(b"<?xml")
        assert half.rstrip().endswith(b"</rss>")


@pytest.mark.parametrize(
    "document",
    [b'{"url": "x", "status_code": 200, "body": "<rss></rss>"}', b"<feed></feed>", b""],
)
def test_what_is_not_rss_with_two_items_is_not_split(document):
    assert split_items(document) is None


async def test_the_halves_give_the_papers_of_the_whole_in_order(worker):
    whole = parse_document(MIXED, "mixed")
    halves = await parse_in_halves(MIXED, "mixed", 200, worker)
    assert halves == whole


async def test_a_broken_document_fails_as_it_would_whole(worker):
    with pytest.raises(FeedProblem) as whole:
        parse_document(TRUNCATED, "truncated")
    with pytest.raises(FeedProblem) as halves:
        await parse_in_halves(TRUNCATED, "truncated", 200, worker)
    assert (halves.value.kind, str(halves.value)) == (whole.value.kind, str(whole.value))


async def test_without_a_worker_the_document_is_read_whole():
    assert await parse_in_halves(MIXED, "mixed", 200, None) == parse_document(MIXED, "mixed")
