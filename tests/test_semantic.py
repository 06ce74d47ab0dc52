"""Semantic search and similar papers with an embeddings endpoint: the fake OpenAI-compatible
server, the real client, a real SQLite file; and the lexical answer whenever the endpoint
fails."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from bot import config
from bot.runtime import open_runtime
from bot.search import semantic
from bot.search.embedding_run import embed_pending
from bot.search.service import search
from bot.search.similar import similar
from bot.search.vectors import VectorIndex, packed, unit
from storage import embeddings, papers
from storage.models import Paper
from tests.fakes.openai_server import FakeOpenAI
from tests.test_cli import one_json_object, run

LIBRARY = [
    Paper(
        "2406.00001",
        1,
        "Diffusion Generates Protein Backbones",
        abstract="A diffusion process designs protein backbones that fold",
    ),
    Paper(
        "2406.00002",
        1,
        "Protein Structure from Sequence Alone",
        abstract="Predicting protein structure from its sequence",
    ),
    Paper(
        "2406.00003",
        1,
        "Dense Retrieval for Retrieval-Augmented Generation",
        abstract="Dense retrieval of passages grounds generation",
    ),
    Paper(
        "2406.00004",
        1,
        "Reranking Passages for Retrieval-Augmented Generation",
        abstract="A reranker orders retrieved passages before generation",
    ),
    Paper(
        "2406.00005",
        1,
        "Mixture-of-Experts Routing at Scale",
        abstract="Sparse expert routing grows a transformer at constant cost",
    ),
]


@pytest.fixture
async def endpoint():
    # As many dimensions as bge-m3: texts without a word in common are then near orthogonal.
    async with FakeOpenAI(embedding_dimensions=1024) as server:
        yield server


def settings_for(path: Path, endpoint: FakeOpenAI, **extra: str) -> config.Settings:
    values = {
        "DIGESTBOT_DB": str(path),
        "DIGESTBOT_EMBEDDINGS_MODEL": "fake-embedder",
        "DIGESTBOT_EMBEDDINGS_BASE_URL": endpoint.base_url,
        "DIGESTBOT_EMBEDDINGS_MIN_SCORE": "0.2",  # the fake's cosine of one word in common
        **extra,
    }
    return config.load(values, env_file=None)


@pytest.fixture
async def rt(tmp_path: Path, endpoint: FakeOpenAI):
    runtime = await open_runtime(settings_for(tmp_path / "db.sqlite3", endpoint))
    await papers.upsert(runtime.db, LIBRARY)
    try:
        yield runtime
    finally:
        await semantic.close(runtime)
        await runtime.close()


async def test_papers_are_embedded_once_in_batches_within_the_budget(rt, endpoint):
    limited = config.load(
        {
            "DIGESTBOT_DB": rt.settings.db_path,
            "DIGESTBOT_EMBEDDINGS_MODEL": "fake-embedder",
            "DIGESTBOT_EMBEDDINGS_BASE_URL": endpoint.base_url,
            "DIGESTBOT_EMBEDDINGS_BUDGET": "3",
        },
        env_file=None,
    )
    first = await embed_pending(rt.db, limited)
    assert (first.embedded, first.pending, first.budget_stopped) == (3, 2, True)
    rest = await embed_pending(rt.db, rt.settings)
    assert (rest.embedded, rest.pending, rest.error) == (2, 0, None)
    again = await embed_pending(rt.db, rt.settings)
    assert (again.requests, again.embedded) == (0, 0)
    assert await embeddings.count(rt.db, "fake-embedder") == len(LIBRARY)
    assert await embeddings.dimensions(rt.db, "fake-embedder") == 1024
    sent = [text for request in endpoint.embedding_requests for text in request["input"]]
    assert len(sent) == len(LIBRARY)  # each paper asked once
    assert sent[0].startswith("Mixture-of-Experts Routing at Scale\n\n")  # the newest first


async def test_a_new_version_of_a_paper_is_embedded_again(rt, endpoint):
    await embed_pending(rt.db, rt.settings)
    await rt.db.write("UPDATE papers SET changed_at = '9999-01-01' WHERE arxiv_id = '2406.00002'")
    report = await embed_pending(rt.db, rt.settings)
    assert report.embedded == 1
    assert (await embed_pending(rt.db, rt.settings)).embedded == 0


@pytest.mark.parametrize("mode", ["wrong_dimensions", "nan", "error", "too_few", "zeros"])
async def test_a_failing_endpoint_stores_nothing_and_says_why(rt, endpoint, mode):
    await embed_pending(rt.db, rt.settings, limit=1)  # the model's dimension is now known
    endpoint.embedding_mode = mode
    report = await embed_pending(rt.db, rt.settings)
    assert report.embedded == 0
    assert report.failed == 4
    assert report.error
    assert report.pending == 4
    assert await embeddings.count(rt.db, "fake-embedder") == 1


async def test_a_search_also_finds_papers_near_in_meaning_after_the_title_match(rt, endpoint):
    words_only = await search(rt.db, "protein backbones diffusion", limit=5)
    assert [hit.paper.arxiv_id for hit in words_only.hits] == ["2406.00001"]
    await embed_pending(rt.db, rt.settings)
    page = await search(
        rt.db, "protein backbones diffusion", limit=5, semantic=semantic.for_runtime(rt)
    )
    found = [hit.paper.arxiv_id for hit in page.hits]
    assert found[0] == "2406.00001"  # every word in its title: first
    assert "2406.00002" in found  # another protein paper, without "diffusion"
    assert page.total == len(found)
    assert [hit.score for hit in page.hits] == sorted((h.score for h in page.hits), reverse=True)


async def test_only_results_the_words_did_not_find_are_marked_as_found_by_meaning(rt, endpoint):
    await embed_pending(rt.db, rt.settings)
    vectors = semantic.for_runtime(rt)
    page = await search(rt.db, "protein backbones diffusion", limit=5, semantic=vectors)
    marked = {hit.paper.arxiv_id: hit.by_meaning for hit in page.hits}
    assert marked["2406.00001"] is False  # every word in it
    assert marked["2406.00002"] is True  # "protein" alone: the AND of the words missed it
    words_only = await search(rt.db, "protein backbones diffusion", limit=5)
    assert not any(hit.by_meaning for hit in words_only.hits)


async def test_a_paper_with_the_words_ranked_past_the_words_read_is_not_marked_by_meaning(
    rt, endpoint, monkeypatch: pytest.MonkeyPatch
):
    # Papers with "protein" in the title rank above one that says it only in its abstract,
    # which the vectors find nearest: read to one row, the words' ranking stops before it.
    titled = [
        Paper(f"2406.{10 + n:05d}", 1, f"Protein study number {n}", abstract="folding of chains")
        for n in range(4)
    ]
    late = Paper("2406.00099", 1, "Chains", abstract="protein folding")
    await papers.upsert(rt.db, [*titled, late])
    await embed_pending(rt.db, rt.settings)
    monkeypatch.setattr(semantic, "DEPTH", 1)
    vectors = semantic.for_runtime(rt)
    page = await search(rt.db, "protein folding", limit=1, semantic=vectors)
    assert [hit.paper.arxiv_id for hit in page.hits] == ["2406.00099"]
    assert page.hits[0].by_meaning is False


async def test_a_failing_endpoint_leaves_the_words_search_answering_quickly(rt, endpoint):
    await embed_pending(rt.db, rt.settings)
    endpoint.embedding_mode = "error"
    vectors = semantic.for_runtime(rt)
    started = time.monotonic()
    page = await search(rt.db, "protein backbones diffusion", limit=5, semantic=vectors)
    assert [hit.paper.arxiv_id for hit in page.hits] == ["2406.00001"]
    asked = len(endpoint.embedding_requests)
    again = await search(rt.db, "dense retrieval", limit=5, semantic=vectors)
    assert again.hits
    assert len(endpoint.embedding_requests) == asked  # resting: not asked for a minute
    assert time.monotonic() - started < 1.5


async def test_a_query_near_no_paper_finds_nothing_rather_than_the_least_far(rt, endpoint):
    await embed_pending(rt.db, rt.settings)
    page = await search(rt.db, "xyzzy plugh", limit=5, semantic=semantic.for_runtime(rt))
    assert (page.total, page.hits) == (0, ())
    assert endpoint.embedding_requests[-1]["input"] == ["xyzzy plugh"]


async def test_a_search_before_anything_is_embedded_does_not_ask_the_endpoint(rt, endpoint):
    page = await search(rt.db, "dense retrieval", limit=5, semantic=semantic.for_runtime(rt))
    assert page.hits
    assert endpoint.embedding_requests == []


async def test_similar_papers_by_embeddings_never_include_the_paper(rt, endpoint):
    await embed_pending(rt.db, rt.settings)
    paper = await papers.get(rt.db, "2406.00003")
    hits = await similar(rt, paper, 3)
    found = [hit.paper.arxiv_id for hit in hits]
    assert "2406.00003" not in found
    assert found[0] == "2406.00004"  # the other retrieval-augmented generation paper
    assert "2406.00001" not in found  # protein design: not near enough


async def test_the_index_finds_the_nearest_vectors_and_follows_a_paper_embedded_again(rt):
    rng = np.random.default_rng(3)
    ids = [p.id for p in (await papers.get_many(rt.db, [p.arxiv_id for p in LIBRARY])).values()]
    vectors = {i: unit(rng.standard_normal(96).astype(np.float32)) for i in ids}
    rows = [embeddings.StoredEmbedding(i, "t", 96, packed(v)) for i, v in vectors.items()]
    await embeddings.store(rt.db, "m", rows)
    index = VectorIndex("m")
    query = unit(vectors[ids[2]] + 0.1 * rng.standard_normal(96).astype(np.float32))
    exact = sorted(vectors, key=lambda i: -float(vectors[i] @ query))
    found = await index.nearest(rt.db, query, 3)
    assert [paper for paper, _ in found] == exact[:3]
    assert abs(found[0][1] - float(vectors[exact[0]] @ query)) < 0.02
    flipped = embeddings.StoredEmbedding(ids[2], "t", 96, packed(-vectors[ids[2]]))
    await embeddings.store(rt.db, "m", [flipped])
    assert ids[2] not in [paper for paper, _ in await index.nearest(rt.db, query, 3)]
    assert len(index) == len(ids)
    assert await index.nearest(rt.db, query, 2, frozenset({exact[0]})) == found[1:3]


async def test_the_index_scan_keeps_exactly_the_candidates_nearest_by_hamming_distance(rt):
    rng = np.random.default_rng(5)
    matrix = rng.standard_normal((3000, 200)).astype(np.float32) + 0.5  # a shared direction
    index = VectorIndex("rows added by hand")  # the database holds none of this model
    index.add([(i + 1, 100 + i, 200, packed(unit(v))) for i, v in enumerate(matrix)])
    query = unit(matrix[17])
    distances = index.distances(query)
    chosen = index.candidates(query, 300)
    assert len(set(chosen.tolist())) == 300
    rest = np.setdiff1d(np.arange(3000), chosen)
    assert distances[chosen].max() <= distances[rest].min()
    assert 17 in chosen.tolist()
    units = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    exact = np.argsort(-(units @ query))[:10] + 100
    assert [paper for paper, _ in await index.nearest(rt.db, query, 10)] == exact.tolist()


async def test_the_embed_command_embeds_and_reports_as_json(tmp_path: Path, endpoint):
    rt = await open_runtime(settings_for(tmp_path / "db.sqlite3", endpoint))
    await papers.upsert(rt.db, LIBRARY)
    await rt.close()
    env = {
        "DIGESTBOT_EMBEDDINGS_MODEL": "fake-embedder",
        "DIGESTBOT_EMBEDDINGS_BASE_URL": endpoint.base_url,
        "DIGESTBOT_EMBEDDINGS_MIN_SCORE": "0.2",
    }
    code, out, _ = await run(tmp_path, "embed", "--limit", "2", "--json", **env)
    assert code == 0
    assert one_json_object(out) | {"requests": 1} == {
        "requests": 1,
        "embedded": 2,
        "failed": 0,
        "pending": 3,
        "budget_stopped": True,
        "error": None,
    }
    code, out, _ = await run(tmp_path, "embed", **env)
    assert (code, out.strip()) == (0, "3 papers embedded; 0 still to embed")
    code, out, _ = await run(tmp_path, "similar", "2406.00003", "--json", **env)
    assert code == 0
    assert one_json_object(out)["results"][0]["arxiv_id"] == "2406.00004"
    endpoint.embedding_mode = "error"
    code, out, err = await run(tmp_path, "search", "dense retrieval", "--json", **env)
    assert code == 0
    assert one_json_object(out)["results"]
    assert "query embedding failed, searching words only for a minute: HTTP 500" in err


async def test_the_embed_command_without_a_model_is_a_usage_error(tmp_path: Path):
    code, out, _ = await run(tmp_path, "embed", "--json")
    assert code == 2
    assert "DIGESTBOT_EMBEDDINGS_MODEL is not set" in one_json_object(out)["error"]


def test_the_embeddings_endpoint_takes_the_summaries_one_but_never_its_key_elsewhere():
    shared = config.load(
        {
            "OPENAI_BASE_URL": "http://127.0.0.1:1/v1",
            "OPENAI_API_KEY": "sk-summaries",
            "DIGESTBOT_EMBEDDINGS_MODEL": "bge-m3",
        },
        env_file=None,
    )
    assert (shared.embeddings_base_url, shared.embeddings_api_key) == (
        "http://127.0.0.1:1/v1",
        "sk-summaries",
    )
    own = config.load(
        {
            "OPENAI_BASE_URL": "http://127.0.0.1:1/v1",
            "OPENAI_API_KEY": "sk-summaries",
            "DIGESTBOT_EMBEDDINGS_MODEL": "bge-m3",
            "DIGESTBOT_EMBEDDINGS_BASE_URL": "http://127.0.0.1:2/v1",
        },
        env_file=None,
    )
    assert (own.embeddings_base_url, own.embeddings_api_key) == ("http://127.0.0.1:2/v1", None)
    offline = config.load({"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}, env_file=None)
    assert offline.embeddings_model is offline.embeddings_base_url is None


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"DIGESTBOT_EMBEDDINGS_MODEL": "bge-m3"}, "DIGESTBOT_EMBEDDINGS_MODEL is set"),
        ({"DIGESTBOT_EMBEDDINGS_MIN_SCORE": "1.5"}, "DIGESTBOT_EMBEDDINGS_MIN_SCORE: '1.5'"),
        (
            {"DIGESTBOT_EMBEDDINGS_BASE_URL": "http://127.0.0.1:2/v1"},
            "DIGESTBOT_EMBEDDINGS_MODEL is not",
        ),
        (
            {"DIGESTBOT_EMBEDDINGS_MODEL": "m", "DIGESTBOT_EMBEDDINGS_BASE_URL": "ftp://x"},
            "DIGESTBOT_EMBEDDINGS_BASE_URL: 'ftp://x' is not an http(s) URL",
        ),
        (
            {"DIGESTBOT_EMBEDDINGS_BUDGET": "-1"},
            "DIGESTBOT_EMBEDDINGS_BUDGET: '-1' is not a whole number",
        ),
    ],
)
def test_a_wrong_embeddings_setting_is_one_line_naming_it(values, named):
    with pytest.raises(config.ConfigError) as error:
        config.load(values, env_file=None)
    assert named in str(error.value)
