"""What a fused search costs the reader: the query is embedded once however many pages are
read, a slow or unreachable endpoint leaves the words answer within the query's deadline, and
the vector scan leaves the event loop free for everyone else. The fake OpenAI-compatible
server, the real client, a real SQLite file."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from bot.runtime import open_runtime
from bot.search import semantic
from bot.search.embedding_run import embed_pending
from bot.search.service import search
from bot.search.vectors import VectorIndex, packed, unit
from storage import papers
from storage.models import Paper
from tests.fakes.openai_server import FakeOpenAI
from tests.test_semantic import LIBRARY, settings_for

QUERY = "protein retrieval generation"  # words of four papers, each missing some


@pytest.fixture
async def endpoint():
    async with FakeOpenAI(embedding_dimensions=1024) as server:
        yield server


@pytest.fixture
async def rt(tmp_path: Path, endpoint: FakeOpenAI):
    runtime = await open_runtime(settings_for(tmp_path / "db.sqlite3", endpoint))
    await papers.upsert(runtime.db, LIBRARY)
    await embed_pending(runtime.db, runtime.settings)
    try:
        yield runtime
    finally:
        await semantic.close(runtime)
        await runtime.close()


def ids(page) -> list[str]:
    return [hit.paper.arxiv_id for hit in page.hits]


async def test_paging_a_semantic_search_asks_the_endpoint_once_and_keeps_one_ranking(rt, endpoint):
    vectors = semantic.for_runtime(rt)
    asked = len(endpoint.embedding_requests)
    pages = [
        await search(rt.db, QUERY, limit=2, offset=offset, semantic=vectors) for offset in (0, 2, 4)
    ]
    assert len(endpoint.embedding_requests) == asked + 1
    whole = await search(rt.db, QUERY, limit=6, semantic=vectors)
    assert [i for page in pages for i in ids(page)] == ids(whole)
    assert len(ids(whole)) >= 4  # the pages did hold a fused ranking worth paging
    assert {page.total for page in pages} == {whole.total}


async def test_a_paper_embedded_after_a_search_is_found_when_it_is_searched_again(rt, endpoint):
    vectors = semantic.for_runtime(rt)
    before = await search(rt.db, "protein backbones diffusion", limit=10, semantic=vectors)
    assert "2406.00006" not in ids(before)
    folding = Paper(
        "2406.00006", 1, "Folding Kinetics of a Protein", abstract="How fast a protein folds"
    )
    await papers.upsert(rt.db, [folding])
    assert (await embed_pending(rt.db, rt.settings)).embedded == 1
    asked = len(endpoint.embedding_requests)
    after = await search(rt.db, "protein backbones diffusion", limit=10, semantic=vectors)
    assert "2406.00006" in ids(after)  # near in meaning: one word in common
    assert ids(after)[0] == "2406.00001"  # the title match still first
    assert len(endpoint.embedding_requests) == asked  # the query's vector was kept


async def test_a_slow_endpoint_leaves_the_words_answer_within_the_query_deadline(
    rt, endpoint, monkeypatch
):
    monkeypatch.setattr(semantic, "QUERY_DEADLINE", 0.5)
    endpoint.latency = 2.5
    vectors = semantic.for_runtime(rt)
    words_only = await search(rt.db, "dense retrieval", limit=5)
    started = time.monotonic()
    page = await search(rt.db, "dense retrieval", limit=5, semantic=vectors)
    assert time.monotonic() - started < 1.5
    assert ids(page) == ids(words_only)
    asked = len(endpoint.embedding_requests)
    started = time.monotonic()
    again = await search(rt.db, "protein structure", limit=5, semantic=vectors)
    assert time.monotonic() - started < 0.4  # resting: the endpoint is not waited for
    assert ids(again) == ids(await search(rt.db, "protein structure", limit=5))
    assert len(endpoint.embedding_requests) == asked


async def test_an_unreachable_endpoint_leaves_the_words_answer_at_once(tmp_path: Path):
    async with FakeOpenAI(embedding_dimensions=1024) as gone:
        settings = settings_for(tmp_path / "db.sqlite3", gone)
        rt = await open_runtime(settings)
        await papers.upsert(rt.db, LIBRARY)
        await embed_pending(rt.db, settings)
    try:  # the server has stopped: its port refuses connections
        started = time.monotonic()
        page = await search(rt.db, "dense retrieval", limit=5, semantic=semantic.for_runtime(rt))
        assert time.monotonic() - started < 1.0
        assert ids(page) == ids(await search(rt.db, "dense retrieval", limit=5))
    finally:
        await semantic.close(rt)
        await rt.close()


async def test_the_vector_scan_leaves_the_event_loop_free_for_other_chats(rt):
    rng = np.random.default_rng(11)
    index = VectorIndex("rows added by hand")  # the database holds none of this model
    for start in range(0, 40_000, 10_000):
        matrix = rng.standard_normal((10_000, 256)).astype(np.float32)
        index.add(
            [(start + i + 1, start + i + 1, 256, packed(unit(v))) for i, v in enumerate(matrix)]
        )
    ticks = 0

    async def another_chat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    beating = asyncio.create_task(another_chat())
    await asyncio.sleep(0.01)
    ticks = 0
    started = time.monotonic()
    found = await index.nearest(rt.db, unit(rng.standard_normal(256).astype(np.float32)), 20_000)
    took = time.monotonic() - started
    beating.cancel()
    assert len(found) == 20_000
    assert ticks >= 3, f"the loop ticked {ticks} times in a {took * 1000:.0f} ms scan"
