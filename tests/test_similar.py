"""Similar papers without an embeddings endpoint: TF-IDF over title and abstract, offline, and
never the paper itself."""

from __future__ import annotations

import json
from pathlib import Path

from bot import config
from bot.runtime import open_runtime
from bot.search import tfidf
from bot.search.similar import similar
from storage import papers
from storage.db import Database
from storage.models import Paper
from tests.test_cli import one_json_object, run

RAG = "Retrieval augmented generation grounds language model answers in retrieved passages"
LIBRARY = [
    Paper("2406.00001", 1, "Dense Retrieval for Retrieval-Augmented Generation", abstract=RAG),
    Paper(
        "2406.00002",
        1,
        "Reranking Retrieved Passages Improves Retrieval-Augmented Generation",
        abstract=RAG + " after a cross-encoder reranks the retrieved passages",
    ),
    Paper(
        "2406.00003",
        1,
        "Chunking Documents for Retrieval-Augmented Generation",
        abstract="How documents are chunked changes which passages dense retrieval returns",
    ),
    Paper(
        "2406.00004",
        1,
        "Mixture-of-Experts Routing at Scale",
        abstract="Sparse expert routing lets a transformer grow its parameters at constant cost",
    ),
    Paper(
        "2406.00005",
        1,
        "Red Teaming Chatbots with Automatic Jailbreaks",
        abstract="Adversarial prompts make aligned chatbots produce harmful content",
    ),
    Paper(
        "2406.00006",
        1,
        "Protein Folding by Diffusion",
        abstract="A diffusion process generates protein backbones that fold as designed",
    ),
]


async def _library(db: Database, extra: tuple[Paper, ...] = ()) -> None:
    await papers.upsert(db, [*LIBRARY, *extra])


async def _runtime(path: Path):
    return await open_runtime(config.load({"DIGESTBOT_DB": str(path)}, env_file=None))


async def test_similar_papers_share_the_subject_and_never_include_the_paper(tmp_path: Path):
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await _library(db)
    rt = await _runtime(tmp_path / "db.sqlite3")
    try:
        paper = await papers.get(rt.db, "2406.00001")
        hits = await similar(rt, paper, 5)
    finally:
        await rt.close()
    found = [hit.paper.arxiv_id for hit in hits]
    assert "2406.00001" not in found
    assert found[:2] == ["2406.00002", "2406.00003"]
    assert "2406.00006" not in found  # nothing in common with protein folding
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


async def test_a_copy_of_the_paper_under_another_id_is_not_similar_to_it(tmp_path: Path):
    copy = Paper(
        "2406.00099", 2, "Dense  retrieval for retrieval-augmented generation", abstract=RAG
    )
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await _library(db, (copy,))
    rt = await _runtime(tmp_path / "db.sqlite3")
    try:
        hits = await similar(rt, await papers.get(rt.db, "2406.00001"), 10)
    finally:
        await rt.close()
    assert {"2406.00001", "2406.00099"}.isdisjoint(hit.paper.arxiv_id for hit in hits)
    assert hits


async def test_a_paper_with_nothing_in_common_with_the_others_has_no_similar_papers(
    tmp_path: Path,
):
    lone = Paper("2406.00077", 1, "Zymurgy", abstract="Fermentation kinetics of sourdough")
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await _library(db, (lone,))
    rt = await _runtime(tmp_path / "db.sqlite3")
    try:
        assert await similar(rt, await papers.get(rt.db, "2406.00077"), 5) == []
    finally:
        await rt.close()


def test_tfidf_counts_title_words_twice_and_folds_plurals_and_common_words():
    counts = tfidf.term_counts("Language Models", "We propose models of language.")
    assert counts == {"language": 3, "model": 3}
    a = tfidf.weigh({"rag": 2, "passage": 1}, {"rag": 3.0, "passage": 1.0}, 1.0)
    assert abs(tfidf.cosine(a, a) - 1.0) < 1e-9
    assert tfidf.cosine(a, tfidf.weigh({"protein": 1}, {}, 2.0)) == 0.0


async def test_the_similar_command_prints_json_and_text_offline(tmp_path: Path):
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await _library(db)
    code, out, _ = await run(tmp_path, "similar", "2406.00002", "--json", "--limit", "2")
    obj = one_json_object(out)
    assert code == 0
    assert obj["arxiv_id"] == "2406.00002"
    assert len(obj["results"]) == 2
    assert {"2406.00001", "2406.00003"} == {r["arxiv_id"] for r in obj["results"]}
    assert set(obj["results"][0]) == {"arxiv_id", "title", "score"}
    code, out, _ = await run(tmp_path, "similar", "https://arxiv.org/abs/2406.00002v1")
    assert code == 0
    assert out.startswith("Papers like “Reranking Retrieved Passages")
    assert "[2406.00001]" in out
    assert "[2406.00002]" not in out


async def test_the_similar_command_names_an_unknown_paper_and_a_bad_id(tmp_path: Path):
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await _library(db)
    code, out, err = await run(tmp_path, "similar", "2101.99999", "--json")
    assert code == 1
    assert json.loads(out) == {"error": "paper 2101.99999 is not known"}
    assert err.strip() == "digestbot: paper 2101.99999 is not known"
    code, out, err = await run(tmp_path, "similar", "not-an-id")
    assert code == 2
    assert "not an arXiv id or link" in err
