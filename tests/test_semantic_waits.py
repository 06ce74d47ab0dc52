"""What a reader's search does not wait for, and what it does not ask twice: readers searching
the same words at once share one embedding request, and while the vector index is still
loading (a large library at start-up) the words answer alone, then vectors join in. The fake
OpenAI-compatible server, the real client, a real SQLite file."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import pytest

from bot.cli import data as data_commands
from bot.runtime import open_runtime
from bot.search import semantic
from bot.search.embedding_run import embed_pending
from bot.search.service import search
from bot.search.similar import lexical, similar
from storage import embeddings, papers
from tests.fakes.openai_server import FakeOpenAI
from tests.test_semantic import LIBRARY, settings_for

QUERY = "protein backbones diffusion"  # every word in one title; near in meaning to another


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


async def test_two_readers_searching_the_same_words_at_once_share_one_embedding_request(
    rt, endpoint
):
    endpoint.latency = 0.3  # the second search starts while the first one's query is embedded
    vectors = semantic.for_runtime(rt)
    words_only = await search(rt.db, QUERY, limit=5)
    asked = len(endpoint.embedding_requests)
    first, second = await asyncio.gather(
        search(rt.db, QUERY, limit=5, semantic=vectors),
        search(rt.db, "Protein  backbones DIFFUSION", limit=5, semantic=vectors),
    )
    assert len(endpoint.embedding_requests) == asked + 1
    assert ids(first) == ids(second)
    assert ids(words_only) == ["2406.00001"]
    assert ids(first)[:2] == ["2406.00001", "2406.00002"]  # both fused: near in meaning too
    await asyncio.gather(
        search(rt.db, "dense retrieval", limit=5, semantic=vectors),
        search(rt.db, "protein structure", limit=5, semantic=vectors),
    )
    assert len(endpoint.embedding_requests) == asked + 3  # other words: each asked for


async def test_readers_sharing_a_failed_embedding_request_all_get_the_words_answer(rt, endpoint):
    endpoint.latency, endpoint.embedding_mode = 0.2, "error"
    vectors = semantic.for_runtime(rt)
    words_only = ids(await search(rt.db, QUERY, limit=5))
    asked = len(endpoint.embedding_requests)
    pages = await asyncio.gather(
        *(search(rt.db, QUERY, limit=5, semantic=vectors) for _ in range(3))
    )
    assert [ids(page) for page in pages] == [words_only] * 3
    assert len(endpoint.embedding_requests) == asked + 1


@pytest.fixture
def slow_first_load(monkeypatch):
    """The index's reads wait until the returned event is set: a large library loading."""
    loaded = asyncio.Event()
    read = embeddings.written_since

    async def slow_read(*args, **kwargs):
        await loaded.wait()
        return await read(*args, **kwargs)

    monkeypatch.setattr(embeddings, "written_since", slow_read)
    return loaded


async def test_while_the_index_is_loading_a_search_answers_at_once_from_the_words_alone(
    rt, endpoint, slow_first_load
):
    vectors = semantic.for_runtime(rt)
    words_only = await search(rt.db, QUERY, limit=5)
    asked = len(endpoint.embedding_requests)
    started = time.monotonic()
    async with asyncio.timeout(2):
        meanwhile = await search(rt.db, QUERY, limit=5, semantic=vectors)
    assert time.monotonic() - started < 0.6
    assert meanwhile == words_only  # the same page, nothing else to say
    assert len(endpoint.embedding_requests) == asked  # no vector asked for that cannot be used
    slow_first_load.set()  # loaded now: the next search waits the moment it takes
    loaded = await search(rt.db, QUERY, limit=5, semantic=vectors)
    assert ids(loaded)[:2] == ["2406.00001", "2406.00002"]  # fused with the nearest papers


async def test_similar_papers_come_from_the_words_while_the_index_is_loading(rt, slow_first_load):
    paper = await papers.get(rt.db, "2406.00003")
    started = time.monotonic()
    async with asyncio.timeout(2):
        meanwhile = await similar(rt, paper, 3)
    assert time.monotonic() - started < 0.6
    assert [hit.paper.arxiv_id for hit in meanwhile] == [
        hit.paper.arxiv_id for hit in await lexical(rt.db, paper, 3)
    ]
    slow_first_load.set()  # loaded now: the next search waits the moment it takes
    nearest = await similar(rt, paper, 3)
    assert nearest[0].paper.arxiv_id == "2406.00004"


async def test_the_search_command_waits_for_the_whole_index(rt, monkeypatch, capsys):
    monkeypatch.setattr(semantic, "FIRST_LOAD_WAIT", 0.0)  # a reader's search would not wait
    reader = await search(rt.db, QUERY, limit=5, semantic=semantic.for_runtime(rt))
    assert ids(reader) == ["2406.00001"]
    asked = argparse.Namespace(query=QUERY, lang=None, limit=5, offset=0, json=True)
    assert await data_commands.search(asked, rt.settings) == 0
    found = [hit["arxiv_id"] for hit in json.loads(capsys.readouterr().out)["results"]]
    assert found[:2] == ["2406.00001", "2406.00002"]
