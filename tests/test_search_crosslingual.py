"""Cross-language search through the service the bot calls, on a real SQLite database of
English-only papers: Chinese queries find them, and hostile text stays text after expansion."""

from __future__ import annotations

import pytest

from bot.search.service import search
from storage import papers
from storage.db import Database
from storage.models import Paper
from tests.test_cli import run as run_cli

ENGLISH_ONLY = [
    Paper("2403.00001", 1, "Red-Teaming Large Language Models with Automated Attacks",
          abstract="We probe chat models for unsafe behaviour with generated attacks."),
    Paper("2403.00002", 1, "Safety Alignment Should Be More Than a Few Tokens Deep",
          abstract="The safety alignment of current models is shallow."),
    Paper("2403.00003", 1, "Detecting Hallucinations in Summaries with Entailment",
          abstract="A hallucination detection method built on natural language inference."),
    Paper("2403.00004", 1, "Protein Folding with Diffusion",
          abstract="Generative models of protein structure."),
    Paper("2403.00005", 1, "Chain-of-Thought Prompting Elicits Reasoning",
          abstract="Intermediate steps improve reasoning."),
]  # fmt: skip


@pytest.fixture
async def english_only(db: Database) -> Database:
    await papers.upsert(db, ENGLISH_ONLY)
    return db


async def found(db: Database, query: str, **options) -> list[str]:
    return [hit.paper.arxiv_id for hit in (await search(db, query, **options)).hits]


@pytest.mark.parametrize(
    ("query", "paper"),
    [
        ("红队测试", "2403.00001"),
        ("红队", "2403.00001"),
        ("安全对齐", "2403.00002"),
        ("幻觉检测", "2403.00003"),
        ("思维链", "2403.00005"),
        ("思維鏈", "2403.00005"),
        ("链式思维", "2403.00005"),
    ],
)
async def test_a_chinese_query_finds_the_english_only_paper_on_its_subject(
    english_only, query, paper
):
    assert (await found(english_only, query))[0] == paper


async def test_without_the_lexicon_a_chinese_query_finds_no_english_only_paper(english_only):
    assert await found(english_only, "红队测试", cross_language=False) == []
    assert await found(english_only, "安全对齐", cross_language=False) == []


async def test_the_page_says_which_terms_were_searched_in_the_other_language(english_only):
    page = await search(english_only, "红队测试")
    assert page.translated == (("红队测试", "red teaming"),)
    page = await search(english_only, "hallucination detection")
    assert page.translated == (("hallucination detection", "幻觉检测"),)


async def test_a_mixed_query_needs_every_term_in_either_language(english_only):
    assert await found(english_only, "幻觉 entailment") == ["2403.00003"]
    assert await found(english_only, "蛋白质 diffusion") == ["2403.00004"]


@pytest.mark.parametrize(
    ("query", "paper"),
    [
        ('幻觉" OR title:*', "2403.00003"),
        ('NEAR(思维链 "', "2403.00005"),
        ("红队测试)((( AND NOT", "2403.00001"),
        ("大模型" * 1700, "2403.00001"),
        ("幻觉 " * 1000, "2403.00003"),
        ("title: abstract: {思维链} ^reasoning *", "2403.00005"),
        ("\x00思维链\u202e\ud800", "2403.00005"),
        ('"' * 5000, None),
        ("AND OR NOT NEAR", None),
    ],
)
async def test_hostile_text_stays_text_after_expansion(english_only, query, paper):
    """Syntax, stray quotes and 5,000 characters reach MATCH as quoted words or not at all."""
    hits = await found(english_only, query)
    assert hits[:1] == ([paper] if paper else [])


async def test_a_title_match_ranks_above_a_paper_that_only_mentions_the_term(db: Database):
    await papers.upsert(
        db,
        [
            Paper("2403.00011", 1, "Retrieval for open-domain question answering",
                  abstract="Hallucination is common; we cite hallucination twice."),
            Paper("2403.00012", 1, "Hallucination in Vision-Language Models",
                  abstract="A study of object errors."),
        ],
    )  # fmt: skip
    assert await found(db, "幻觉") == ["2403.00012", "2403.00011"]


async def test_the_command_line_search_says_what_it_also_searched(tmp_path):
    async with await Database.open(tmp_path / "db.sqlite3") as db:  # the CLI tests' database
        await papers.upsert(db, ENGLISH_ONLY)
    code, out, _ = await run_cli(tmp_path, "search", "红队测试")
    assert code == 0
    assert "Red-Teaming Large Language Models" in out
    assert "Also searched: 红队测试 → red teaming" in out


async def test_a_term_common_in_english_papers_still_finds_them_from_chinese(db: Database):
    """bm25 skips words in half the papers or more; the papers they match are still results."""
    await papers.upsert(
        db,
        [Paper(f"2403.{i:05d}", 1, f"Hallucination study {i}") for i in range(1, 1201)]
        + [Paper("2403.09999", 1, "Protein folding")],
    )
    page = await search(db, "幻觉", limit=5)
    assert len(page.hits) == 5
    assert all("Hallucination" in hit.paper.title for hit in page.hits)
