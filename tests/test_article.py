"""An editor's digest article read into sections and items, with what was left out and why."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.ingest.article import Article, parse

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"


def _read(name: str) -> Article:
    return parse((ARTICLES / name).read_bytes().decode("utf-8"))


def _outline(article: Article) -> list[tuple[str, list[str]]]:
    return [(s.heading, [item.arxiv_id for item in s.items]) for s in article.sections]


def _skipped(article: Article) -> list[tuple[int, str]]:
    return [(skip.line, skip.reason) for skip in article.skipped]


def test_a_chinese_blog_digest_gives_its_five_topics_and_every_paper():
    article = _read("zh_blog_2024_06_h2.txt")
    assert article.language == "zh"
    assert _outline(article) == [
        ("LLM进展与基准", ["2406.15877", "2406.17557", "2406.16690"]),
        ("RAG", ["2406.15319", "2406.12824"]),
        ("LLM微调", ["2406.17245", "2405.00675"]),
        ("LLM推理", ["2406.18629", "2407.01476"]),
        ("LLM安全与对齐", ["2406.18495", "2406.20053", "2407.11969"]),
    ]
    first = article.sections[0].items[0]
    assert (first.number, first.line, first.version) == (1, 11, None)
    assert first.title.startswith("BigCodeBench: Benchmarking Code Generation")
    assert "论文链接" not in first.summary
    assert "arxiv" not in first.summary


def test_a_chinese_digest_keeps_pdf_and_versioned_links_and_a_bullet_list():
    article = _read("zh_blog_2024_06_h2.txt")
    rag, fine_tuning = article.sections[1], article.sections[2]
    assert (rag.items[1].arxiv_id, rag.items[1].version) == ("2406.12824", 1)
    assert (fine_tuning.items[1].arxiv_id, fine_tuning.items[1].version) == ("2405.00675", 4)
    assert rag.items[0].summary.splitlines()[1:] == [
        "- 长检索器：在整篇文档或文档组上检索；",
        "- 长阅读器：用长上下文模型直接从检索结果中抽取答案；",
        "- 无需额外训练，在 NQ 上达到 62.7% 的精确匹配。",
    ]


def test_page_furniture_before_and_after_a_chinese_digest_is_reported_by_kind():
    assert _skipped(_read("zh_blog_2024_06_h2.txt")) == [
        (1, "furniture: breadcrumb"),
        (2, "furniture: text before the first section"),
        (3, "furniture: source line"),
        (4, "furniture: byline"),
        (5, "furniture: date line"),
        (6, "furniture: reading stats"),
        (7, "furniture: text before the first section"),
        (71, "furniture: copyright notice"),
        (72, "furniture: source line"),
        *((line, "furniture: related articles") for line in range(74, 79)),
    ]


def test_an_english_markdown_digest_reads_its_headings_items_and_arxiv_links():
    article = _read("en_markdown_2024_06_h2.md")
    assert article.language == "en"
    assert _outline(article) == [
        ("LLM Progress & Benchmarks", ["2406.15877", "2406.16690"]),
        ("RAG", ["2406.15319", "2406.14972"]),
        ("Safety & Alignment", ["2406.18495", "2407.11969"]),
    ]
    items = [item for section in article.sections for item in section.items]
    assert [item.number for item in items] == [1, 2, 1, 2, None, None]
    assert [item.version for item in items] == [3, 1, None, 1, None, 2]
    assert items[1].title == "Scaling Laws for Linear Complexity Language Models"
    assert items[2].title == (
        "LongRAG: Enhancing Retrieval-Augmented Generation with Long-context LLMs"
    )
    assert items[0].summary.splitlines()[1:] == [
        "- Even the best model scores about 60%, against 97% for human developers.",
        "- An instruction-tuned variant, BigCodeBench-Instruct, turns docstrings into short "
        "natural-language requests.",
    ]
    assert items[1].summary.startswith("Three linear-complexity architectures trained from 70M")


def test_an_arxiv_paper_cited_inside_a_summary_is_not_the_items_link():
    past_tense = _read("en_markdown_2024_06_h2.md").sections[2].items[1]
    assert past_tense.arxiv_id == "2407.11969"
    assert "(Zou et al.)" in past_tense.summary


def test_furniture_around_an_english_digest_is_reported_with_its_lines():
    assert _skipped(_read("en_markdown_2024_06_h2.md")) == [
        (1, "furniture: breadcrumb"),
        (3, "furniture: text before the first section"),
        (5, "furniture: date line"),
        (7, "furniture: share links"),
        (9, "furniture: text before the first section"),
        (57, "furniture: subscribe prompt"),
        (59, "furniture: related articles"),
        (61, "furniture: related articles"),
        (62, "furniture: related articles"),
        (64, "furniture: copyright notice"),
    ]


def test_broken_items_are_skipped_with_their_lines_and_the_rest_imported():
    article = _read("zh_broken_items.txt")
    assert _outline(article) == [
        ("LLM进展与基准", ["2406.15877"]),
        ("RAG", ["2406.12824"]),
        ("LLM安全与对齐", ["2407.11969", "2406.18495"]),
    ]
    assert _skipped(article) == [
        (1, "furniture: text before the first section"),
        (2, "furniture: byline"),
        (4, "furniture: text before the first section"),
        (12, "item has no arXiv link"),
        (16, "item has 2 different arXiv links"),
        (22, "furniture: advertisement"),
        (23, "furniture: subscribe prompt"),
        (34, "duplicate of item on line 8"),
        (37, "furniture: related articles"),
        (38, "furniture: related articles"),
        (39, "furniture: related articles"),
        (51, "furniture: text after the last item"),
    ]


def test_full_width_numbers_tabs_emoji_and_a_title_line_link_are_read():
    article = _read("zh_broken_items.txt")
    first = article.sections[0].items[0]
    assert first.number == 1
    assert first.title == (
        "BigCodeBench: Benchmarking Code Generation with Diverse Function Calls "
        "and Complex Instructions"
    )
    linked_in_title = article.sections[2].items[0]
    assert linked_in_title.title == "Does Refusal Training in LLMs Generalize to the Past Tense?"
    assert linked_in_title.summary.startswith("把有害请求改写成过去时")


def test_a_numbered_list_inside_a_summary_stays_in_the_summary():
    item = _read("zh_broken_items.txt").sections[1].items[0]
    assert item.summary.splitlines() == [
        "作者发现模型在 RAG 场景中主要依赖上下文，方法分为三步：",
        "1. 用因果中介分析定位知识来源。",
        "2. 比较参数知识与上下文知识的贡献。",
        "3. 在多个模型上验证这一现象。",
    ]


def test_a_link_on_the_line_after_its_label_belongs_to_the_item():
    wildguard = _read("zh_broken_items.txt").sections[2].items[1]
    assert (wildguard.arxiv_id, wildguard.version) == ("2406.18495", 1)
    assert wildguard.summary == "一个开源的轻量级安全审核模型。"


def test_items_before_any_heading_go_into_a_section_without_heading():
    article = parse(
        "1. Tree Search for Language Model Agents\n"
        "Best-first search at inference time.\n"
        "https://arxiv.org/abs/2407.01476\n\n"
        "2. Step-DPO: Step-wise Preference Optimization\n"
        "arxiv.org/abs/2406.18629\n"
    )
    assert _outline(article) == [("", ["2407.01476", "2406.18629"])]
    assert article.sections[0].line == 1
    assert article.skipped == []


@pytest.mark.parametrize("text", ["", "\ufeff", "\r\n\r\n", "   \t  \n"])
def test_an_empty_article_has_no_sections_and_nothing_skipped(text: str):
    assert parse(text) == Article("en", [], [])


def test_windows_line_endings_and_a_bom_change_nothing():
    text = (ARTICLES / "zh_blog_2024_06_h2.txt").read_text(encoding="utf-8")
    assert parse("\ufeff" + text.replace("\n", "\r\n")) == parse(text)


def test_the_language_given_wins_and_a_bad_one_is_refused():
    assert parse("RAG\n\n1、LongRAG\nhttps://arxiv.org/abs/2406.15319", lang="en").language == "en"
    with pytest.raises(ValueError, match="'fr'"):
        parse("", lang="fr")


def test_ten_thousand_lines_parse_well_under_a_second():
    text = (ARTICLES / "zh_blog_2024_06_h2.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    huge = "\n".join(lines[:8] + lines[8:70] * 162 + lines[70:])
    assert huge.count("\n") >= 10_000
    started = time.perf_counter()
    article = parse(huge)
    assert time.perf_counter() - started < 0.8
    assert sum(len(section.items) for section in article.sections) == 12


def test_markdown_sections_over_numbered_items_and_a_deeper_heading_inside_an_item():
    article = parse(
        "# June digest\n\n"
        "## Agents\n\n"
        "1. **Tree Search for Language Model Agents**\n"
        "#### Why it matters\n"
        "Search at inference time helps web agents.\n"
        "[arXiv](https://arxiv.org/abs/2407.01476)\n\n"
        "## Reasoning\n\n"
        "1. Step-DPO: Step-wise Preference Optimization\n"
        "Preferences over single steps.\n"
        "[arXiv](https://arxiv.org/abs/2406.18629)\n"
    )
    assert _outline(article) == [("Agents", ["2407.01476"]), ("Reasoning", ["2406.18629"])]
    agents = article.sections[0].items[0]
    assert agents.title == "Tree Search for Language Model Agents"
    assert agents.summary == "Why it matters Search at inference time helps web agents."
    assert _skipped(article) == [(1, "furniture: text before the first section")]


def test_a_heading_whose_items_were_all_skipped_is_reported_not_kept():
    article = parse(
        "RAG\n\n1、LongRAG\nhttps://arxiv.org/abs/2406.15319\n\n"
        "LLM推理\n\n1、某篇忘了贴链接的论文\n一句话总结。\n\n"
        "LLM安全与对齐\n\n1、WildGuard\nhttps://arxiv.org/abs/2406.18495\n"
    )
    assert _outline(article) == [("RAG", ["2406.15319"]), ("LLM安全与对齐", ["2406.18495"])]
    assert _skipped(article) == [(6, "heading without items"), (8, "item has no arXiv link")]
