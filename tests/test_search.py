"""Searching papers through the service the bot calls, on a real SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.search.service import search
from storage import papers, search_cost, summaries
from storage import search as fulltext
from storage.db import Database
from storage.models import Paper, Summary

DAY = datetime(2024, 6, 17, tzinfo=UTC)


async def add(db: Database, arxiv_id: str, title: str, abstract: str = "", **fields) -> Paper:
    paper = Paper(arxiv_id=arxiv_id, version=1, title=title, abstract=abstract, **fields)
    result = await papers.upsert(db, [paper])
    return result.changed[0] if result.changed else await papers.get(db, arxiv_id)


async def summarize(db: Database, paper: Paper, lang: str, text: str) -> None:
    await summaries.put(db, paper.id, Summary(lang=lang, text=text, source="llm"))


async def found(db: Database, query: str, **options) -> list[str]:
    page = await search(db, query, **options)
    return [hit.paper.arxiv_id for hit in page.hits]


async def test_an_english_word_finds_other_forms_of_it(db: Database):
    await add(db, "2406.00001", "Alignment of language models with human preferences")
    assert await found(db, "aligning") == ["2406.00001"]


@pytest.mark.parametrize(
    ("word", "apart"),
    [
        ("幻觉", "梦幻般的感觉"),
        ("对齐", "对比实验很整齐"),
        ("微调", "微小的调整"),
        ("推理", "推荐系统的管理"),
    ],
)
async def test_a_two_character_chinese_word_matches_inside_a_summary_but_not_its_characters_apart(
    db: Database, word: str, apart: str
):
    inside = await add(db, "2406.00001", "First")
    elsewhere = await add(db, "2406.00002", "Second")
    await summarize(db, inside, "zh", f"本文研究大语言模型的{word}问题并提出新方法。")
    await summarize(db, elsewhere, "zh", f"本文讨论{apart}。")
    assert await found(db, word) == ["2406.00001"]


async def test_a_four_character_chinese_word_is_found_as_a_whole(db: Database):
    whole = await add(db, "2406.00001", "First")
    scattered = await add(db, "2406.00002", "Second")
    await summarize(db, whole, "zh", "基于强化学习的对齐方法")
    await summarize(db, scattered, "zh", "强化模型的学习能力")
    assert await found(db, "强化学习") == ["2406.00001"]


async def test_a_single_chinese_character_finds_the_words_it_begins_or_ends(db: Database):
    paper = await add(db, "2406.00001", "First")
    await summarize(db, paper, "zh", "大语言模型")
    assert await found(db, "模") == ["2406.00001"]
    assert await found(db, "型") == ["2406.00001"]


@pytest.mark.parametrize(
    "query",
    [
        "2406.15877",
        "2406.15877v2",
        "arXiv:2406.15877",
        "https://arxiv.org/abs/2406.15877",
        "https://arxiv.org/pdf/2406.15877v1",
        "alignment https://arxiv.org/abs/2406.15877v3",
    ],
)
async def test_a_paper_named_by_id_or_url_comes_first_then_text_matches_without_it(
    db: Database, query: str
):
    await add(db, "2406.15877", "Alignment for everyone")
    await add(db, "2406.00002", "Alignment of language models")
    hits = await found(db, query)
    assert hits[0] == "2406.15877"
    assert hits.count("2406.15877") == 1


async def test_an_old_style_id_finds_its_paper(db: Database):
    await add(db, "hep-th/9901001", "Strings")
    assert await found(db, "hep-th/9901001") == ["hep-th/9901001"]


@pytest.mark.parametrize("name", ["Ramírez", "Ramirez", "ramirez", "María Ramírez"])
async def test_an_author_is_found_with_or_without_diacritics(db: Database, name: str):
    await add(db, "2406.00001", "Paper", authors=("María Ramírez", "Alan Turing"))
    await add(db, "2406.00002", "Other", authors=("Ada Lovelace",))
    assert await found(db, name) == ["2406.00001"]


async def test_a_word_in_the_title_outranks_the_same_word_in_an_abstract(db: Database):
    await add(db, "2406.00001", "Hallucination detection", "We study models and data.")
    await add(db, "2406.00002", "Models and data", "We study hallucination detection.")
    assert await found(db, "hallucination") == ["2406.00001", "2406.00002"]


async def test_the_readers_language_boosts_its_summary_but_filters_nothing(db: Database):
    english = await add(db, "2406.00001", "First")
    chinese = await add(db, "2406.00002", "Second")
    await summarize(db, english, "en", "LoRA adapters for tuning")
    await summarize(db, chinese, "zh", "LoRA 适配 研究")
    assert await found(db, "LoRA", lang="en") == ["2406.00001", "2406.00002"]
    assert await found(db, "LoRA", lang="zh") == ["2406.00002", "2406.00001"]


async def test_pages_do_not_overlap_and_keep_their_order(db: Database):
    for i in range(12):
        announced = DAY + timedelta(hours=i)
        await add(db, f"2406.{i:05d}", f"Speculative decoding part {i}", announced=announced)
    pages = [await found(db, "speculative decoding", offset=o) for o in (0, 5, 10)]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert len({hit for page in pages for hit in page}) == 12
    assert await found(db, "speculative decoding", offset=5) == pages[1]
    assert (await search(db, "speculative decoding")).total == 12


async def test_when_no_paper_has_every_word_papers_with_any_are_found(db: Database):
    await add(db, "2406.00001", "Hallucination in retrieval")
    found_rows = await fulltext.ranked_rows(db, "hallucination zebra")
    assert found_rows.total == 1
    assert not found_rows.matched_all_terms


async def test_a_long_chinese_sentence_finds_papers_sharing_its_words(db: Database):
    paper = await add(db, "2406.00001", "First")
    await summarize(db, paper, "zh", "我们研究大语言模型的幻觉")
    assert await found(db, "大语言模型幻觉问题怎么解决") == ["2406.00001"]


async def test_the_count_stops_at_the_ranking_window(db: Database, monkeypatch):
    monkeypatch.setattr(fulltext, "RANK_WINDOW", 3)
    for i in range(5):
        await add(db, f"2406.{i:05d}", f"Quantization study {i}")
    page = await search(db, "quantization")
    assert (page.total, page.total_is_capped, len(page.hits)) == (3, True, 3)


async def test_changed_summaries_and_titles_change_what_is_found(db: Database):
    paper = await add(db, "2406.00001", "Old title")
    await summarize(db, paper, "zh", "关于幻觉的研究")
    assert await found(db, "幻觉") == ["2406.00001"]
    await summarize(db, paper, "zh", "关于蒸馏的研究")
    await papers.upsert(db, [Paper(arxiv_id="2406.00001", version=2, title="Fresh heading")])
    assert await found(db, "幻觉") == []
    assert await found(db, "蒸馏") == ["2406.00001"]
    assert await found(db, "old") == []
    assert await found(db, "fresh") == ["2406.00001"]
    await fulltext.check_index(db)


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
async def test_an_empty_query_gives_an_empty_page(db: Database, query: str):
    await add(db, "2406.00001", "Anything")
    page = await search(db, query)
    assert (page.total, page.hits) == (0, ())


HOSTILE = [
    '"',
    '""',
    '"unbalanced',
    "AND",
    "OR OR OR",
    "NOT alignment",
    "NEAR(alignment model, 2)",
    "alignment*",
    "*",
    "-alignment",
    "^alignment",
    "title:alignment",
    "{title abstract}: alignment",
    ")(",
    "((alignment",
    "😀🔥 alignment 🤖",
    "align\x00ment",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "\ud800 lone surrogate",
    "a" * 5000,
    "alignment " * 1000,
    "'; DROP TABLE papers; --",
    "1 OR 1=1",
    "!!!???...",
    "مرحبا بالعالم",
    "\u202ealignment\u202c",
    "%_%",
    "https://arxiv.org/abs/",
    "arXiv:",
]


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_text_gives_a_page_and_never_an_error(db: Database, query: str):
    await add(db, "2406.00001", "Alignment of models", authors=("María Ramírez",))
    for lang in (None, "zh"):
        page = await search(db, query, lang=lang, offset=0)
        assert page.total >= len(page.hits)
    assert await found(db, "alignment") == ["2406.00001"]


async def test_a_word_too_common_to_score_puts_title_matches_first_and_newest_first(
    db: Database, monkeypatch
):
    # A corpus where bm25 could not afford the word: it is in every paper, past the budget.
    monkeypatch.setattr(search_cost, "SHARE_SAMPLE", 4)
    monkeypatch.setattr(search_cost, "RANK_POSTINGS", 3)
    titles = [
        "Quantization",  # the oldest: bm25 would put this short title first
        "Sparse attention kernels",
        "A study of post-training quantization for large language models on phones",
        "Pruning and distillation",
        "Quantization-aware training at scale with mixed precision everywhere",
        "Speculative decoding",
    ]
    for i, title in enumerate(titles):
        announced = DAY + timedelta(hours=i)
        await add(db, f"2406.{i:05d}", title, "We study quantization.", announced=announced)
    page = await search(db, "quantization")
    assert [hit.paper.arxiv_id for hit in page.hits] == [
        "2406.00004",
        "2406.00002",
        "2406.00000",
        "2406.00005",
        "2406.00003",
    ]
    assert (page.total, page.total_is_capped) == (6, False)
    assert await found(db, "quantization", offset=5) == ["2406.00001"]
    scores = [hit.score for hit in page.hits]
    assert scores == sorted(scores, reverse=True)


async def test_common_words_are_searched_in_the_newest_papers_and_the_older_when_a_page_needs_them(
    db: Database, monkeypatch
):
    # Every part of the query is common: in every paper, past the postings a walk reads in full.
    monkeypatch.setattr(search_cost, "SHARE_SAMPLE", 4)
    monkeypatch.setattr(search_cost, "WALK_POSTINGS", 3)
    monkeypatch.setattr(fulltext, "SCAN_SPAN", 3)
    for i in range(6):
        await add(
            db, f"2406.{i:05d}", f"Quantization study {i}", announced=DAY + timedelta(hours=i)
        )
    first = await search(db, "quantization", limit=2)
    assert (first.total, first.total_is_capped) == (3, True)
    assert {hit.paper.arxiv_id for hit in first.hits} <= {"2406.00003", "2406.00004", "2406.00005"}
    last = await search(db, "quantization", limit=2, offset=4)
    assert (last.total, last.total_is_capped) == (6, False)
    assert len(last.hits) == 2


async def test_a_rare_word_is_searched_and_counted_in_full_however_large_the_corpus(
    db: Database, monkeypatch
):
    monkeypatch.setattr(search_cost, "SHARE_SAMPLE", 4)
    monkeypatch.setattr(search_cost, "WALK_POSTINGS", 3)
    monkeypatch.setattr(fulltext, "SCAN_SPAN", 3)
    titles = ["Watermarking text", "Sparse kernels", "Watermarking images", "Pruning"]
    titles += ["Distillation", "Watermarking audio", "Decoding", "Agents"]
    for i, title in enumerate(titles):
        await add(db, f"2406.{i:05d}", title, announced=DAY + timedelta(hours=i))
    page = await search(db, "watermarking", limit=1)
    assert (page.total, page.total_is_capped) == (3, False)
    assert [hit.paper.arxiv_id for hit in page.hits] == ["2406.00005"]
