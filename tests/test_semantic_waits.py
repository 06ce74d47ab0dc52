"""What a reader's search does not wait for, and what it does not ask twice: readers searching
the same words at once share one embedding request, and while the vector index is still
loading (a large library at start-up) the words answer alone, then vectors join in. The fake
OpenAI-compatible server, the real client, a real SQLite file."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from bot.cli import data as data_commands
from bot.runtime import open_runtime
from bot.search import semantic
from bot.search.embedding_run import embed_pending
from bot.search.service import search
from bot.search.similar import lexical, similar
from bot.search.vectors import VectorIndex, packed, unit
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


@dataclass
class SlowLoad:
    """A large library loading: the index's reads of the table wait until `done` is set."""

    reading: asyncio.Event = field(default_factory=asyncio.Event)  # the load counted the rows
    done: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def slow_first_load(monkeypatch):
    load = SlowLoad()
    read = embeddings.written_since

    async def slow_read(*args, **kwargs):
        load.reading.set()
        await load.done.wait()
        return await read(*args, **kwargs)

    monkeypatch.setattr(embeddings, "written_since", slow_read)
    return load


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
    slow_first_load.done.set()  # loaded now: the next search waits the moment it takes
    loaded = await search(rt.db, QUERY, limit=5, semantic=vectors)
    assert ids(loaded)[:2] == ["2406.00001", "2406.00002"]  # fused with the nearest papers


async def test_a_search_does_not_wait_at_all_for_the_load_of_a_large_library(
    rt, slow_first_load, monkeypatch
):
    monkeypatch.setattr(semantic, "FIRST_LOAD_WAIT", 3.0)
    monkeypatch.setattr(semantic, "SMALL_LOAD", 2)  # the five papers' load counts as large
    vectors = semantic.for_runtime(rt)
    loading = asyncio.create_task(vectors.index.refresh(rt.db))  # as the bot does at start
    async with asyncio.timeout(2):
        await slow_first_load.reading.wait()
    started = time.monotonic()
    page = await search(rt.db, QUERY, limit=5, semantic=vectors)
    assert time.monotonic() - started < 1.0
    assert ids(page) == ["2406.00001"]
    slow_first_load.done.set()
    await loading


async def test_the_first_load_of_a_large_library_leaves_the_event_loop_free(rt, monkeypatch):
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((40_000, 256)).astype(np.float32)
    rows = [(i + 1, i + 1, 256, packed(unit(v))) for i, v in enumerate(matrix)]

    async def stored_rows(db, model, after, limit):  # the table's rows, in row id order
        return rows[after : after + limit]

    monkeypatch.setattr(embeddings, "written_since", stored_rows)
    index = VectorIndex("a large library")
    ticks = 0

    async def another_chat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    beating = asyncio.create_task(another_chat())
    await asyncio.sleep(0.01)
    ticks, started = 0, time.monotonic()
    await index.refresh(rt.db)
    took = time.monotonic() - started
    beating.cancel()
    assert (len(index), index.loaded) == (40_000, True)
    assert ticks >= took * 1000 / 10, f"the loop ticked {ticks} times in a {took:.2f} s load"


async def test_similar_papers_come_from_the_words_while_the_index_is_loading(rt, slow_first_load):
    paper = await papers.get(rt.db, "2406.00003")
    started = time.monotonic()
    async with asyncio.timeout(2):
        meanwhile = await similar(rt, paper, 3)
    assert time.monotonic() - started < 0.6
    assert [hit.paper.arxiv_id for hit in meanwhile] == [
        hit.paper.arxiv_id for hit in await lexical(rt.db, paper, 3)
    ]
    slow_first_load.done.set()  # loaded now: the next search waits the moment it takes
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


async def test_the_search_command_marks_in_its_text_a_result_found_only_by_meaning(rt, capsys):
    # Its JSON keeps the contract's three keys; the text is for a person reading it.
    asked = argparse.Namespace(query=QUERY, lang="en", limit=5, offset=0, json=False)
    assert await data_commands.search(asked, rt.settings) == 0
    lines = capsys.readouterr().out.splitlines()
    words = next(line for line in lines if "[2406.00001]" in line)
    meaning = next(line for line in lines if "[2406.00002]" in line)
    assert "≈" not in words
    assert meaning.endswith("≈ close in meaning")
