"""Topics: the packaged defaults, operators' files, resolving words, matching papers, storage."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.topics.config import TopicMatcher, TopicsError, load, resolve
from storage import papers
from storage import topics as stored_topics
from storage.models import Paper

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MAIN_TOPICS = (
    "llm",
    "rag",
    "finetuning",
    "reasoning",
    "safety",
    "agents",
    "multimodal",
    "efficiency",
)

MINIMAL = """
[[topic]]
slug = "rag"
name_zh = "RAG"
name_en = "Retrieval-augmented generation"
aliases = ["检索增强生成"]
keywords = ["retrieval augmented"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def paper(title: str, abstract: str = "", categories: tuple[str, ...] = ("cs.CL",)) -> Paper:
    return Paper("2406.00001", 1, title, abstract=abstract, categories=categories)


@pytest.fixture(scope="module")
def defaults():
    return load()


@pytest.fixture(scope="module")
def matcher(defaults):
    return TopicMatcher(defaults)


def slugs(matcher: TopicMatcher, p: Paper) -> list[str]:
    return [m.slug for m in matcher.match(p)]


# The packaged defaults and operators' files


def test_packaged_defaults_have_the_main_topics_in_order_with_both_names(defaults):
    found = [t.slug for t in defaults]
    assert found[: len(MAIN_TOPICS)] == list(MAIN_TOPICS)
    assert all(t.name_zh and t.name_en for t in defaults)
    assert {t.slug: t.name_zh for t in defaults}["safety"] == "LLM安全与对齐"
    assert [t.position for t in defaults] == list(range(len(defaults)))


def test_an_operators_file_replaces_the_defaults(tmp_path):
    loaded = load(write(tmp_path, MINIMAL))
    assert [t.slug for t in loaded] == ["rag"]
    assert loaded[0].keywords == ("retrieval augmented",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[[topic]]\nslug = 'rag'\nname_en = 'R'\nkeywords = ['x']",
            "topic 'rag': 'name_zh' is missing",
        ),
        (MINIMAL + MINIMAL, "topic 'rag': 'slug' is used twice"),
        (MINIMAL.replace('"rag"', '"Rag Topic"', 1), "topic 'Rag Topic': 'slug' must be"),
        (MINIMAL + "colour = 'red'\n", "topic 'rag': unknown key 'colour'"),
        (
            MINIMAL.replace('aliases = ["检索增强生成"]', 'aliases = "RAG"'),
            "topic 'rag': 'aliases' must be a list of strings",
        ),
        (MINIMAL + "min_score = 'high'\n", "topic 'rag': 'min_score' must be a positive number"),
        (
            MINIMAL + "categories = ['not a category']\n",
            "'not a category' is not an arXiv category",
        ),
        (
            MINIMAL + "requires = ['@nowhere']\n",
            "topic 'rag': 'requires': '@nowhere' names no list",
        ),
        (
            MINIMAL.replace('"retrieval augmented"', '"re*trieval"'),
            "may have '*' only at its very end",
        ),
        (MINIMAL + "exclude = ['--']\n", "topic 'rag': 'exclude': '--' has no letters or digits"),
        ("[topics]\nslug = 'x'\n", "unknown key 'topics'"),
        ("[[topic]\nslug =", "not valid TOML"),
        ("", "no topics"),
    ],
)
def test_an_invalid_file_is_refused_naming_the_file_the_topic_and_the_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(TopicsError) as error:
        load(path)
    assert str(error.value).startswith(str(path))
    assert expected in str(error.value)


def test_two_topics_sharing_an_alias_are_refused(tmp_path):
    other = MINIMAL.replace('"rag"', '"search"', 1)
    with pytest.raises(TopicsError, match="already names topic 'rag'"):
        load(write(tmp_path, MINIMAL + other))


def test_a_missing_file_is_refused_with_its_path(tmp_path):
    with pytest.raises(TopicsError, match="cannot be read"):
        load(tmp_path / "absent.toml")


# Resolving a heading or a subscriber's word


@pytest.mark.parametrize(
    ("word", "slug"),
    [
        ("rag", "rag"),
        ("RAG", "rag"),
        ("检索增强生成", "rag"),
        ("Retrieval-Augmented Generation", "rag"),
        ("Safety & Alignment", "safety"),
        ("safety and alignment", "safety"),
        ("安全与对齐", "safety"),
        ("LLM安全与对齐", "safety"),
        (" LLM 微调 ", "finetuning"),
        ("fine-tuning", "finetuning"),
        ("多模态", "multimodal"),
        ("LLM进展与基准", "llm"),
        ("🚀 LLM Progress & Benchmarks", "llm"),
        ("AGENTS", "agents"),
    ],
)
def test_a_slug_name_or_alias_in_either_language_resolves_to_its_topic(defaults, word, slug):
    topic = resolve(defaults, word)
    assert topic is not None
    assert topic.slug == slug


@pytest.mark.parametrize("word", ["astrophysics", "", "  ", "&&", "量子"])
def test_an_unknown_word_resolves_to_nothing(defaults, word):
    assert resolve(defaults, word) is None


# Matching papers


@pytest.mark.parametrize(
    ("title", "abstract", "categories", "slug"),
    [
        (
            "Corrective Retrieval-Augmented Generation",
            "We improve RAG pipelines for LLMs.",
            ("cs.CL",),
            "rag",
        ),
        (
            "LoRA Adapters for Instruction Tuning of LLMs",
            "We fine-tune language models.",
            ("cs.CL",),
            "finetuning",
        ),
        (
            "Chain-of-Thought Reasoning in Language Models",
            "Step-by-step math.",
            ("cs.CL",),
            "reasoning",
        ),
        ("Jailbreaking Aligned LLMs", "Red-teaming shows harmful outputs.", ("cs.CR",), "safety"),
        (
            "Tool-Using LLM Agents for Web Navigation",
            "An agent built on GPT-4.",
            ("cs.AI",),
            "agents",
        ),
        (
            "A Vision-Language Model for Visual Question Answering",
            "A multimodal LLM.",
            ("cs.CV",),
            "multimodal",
        ),
        (
            "4-bit Quantization of Large Language Models",
            "KV cache compression.",
            ("cs.LG",),
            "efficiency",
        ),
        (
            "A Benchmark for Evaluating Large Language Models",
            "We evaluate LLMs.",
            ("cs.CL",),
            "llm",
        ),
        ("Code Generation with LLMs", "Program synthesis on HumanEval.", ("cs.SE",), "code"),
    ],
)
def test_a_clear_paper_gets_its_topic(matcher, title, abstract, categories, slug):
    assert slug in slugs(matcher, paper(title, abstract, categories))


@pytest.mark.parametrize(
    ("title", "abstract", "categories", "slug"),
    [
        (
            "Multiple Sequence Alignment of Protein Families",
            "Progressive alignment of sequences.",
            ("q-bio.QM",),
            "safety",
        ),
        (
            "Word Alignment for Statistical Machine Translation",
            "IBM models with language model priors.",
            ("cs.CL",),
            "safety",
        ),
        (
            "Automated Reasoning in Description Logics",
            "A tableau reasoning procedure.",
            ("cs.LO",),
            "reasoning",
        ),
        (
            "Multi-Agent Reinforcement Learning for Traffic Signals",
            "Each agent is an intersection.",
            ("cs.MA",),
            "agents",
        ),
        ("Real-Time Object Detection", "A detector for images on COCO.", ("cs.CV",), "multimodal"),
        (
            "Efficient Hamiltonian Monte Carlo",
            "Faster sampling with less memory.",
            ("stat.CO",),
            "efficiency",
        ),
        (
            "Channel Pruning of CNNs for Mobile",
            "Pruning ResNet reduces latency.",
            ("cs.CV",),
            "efficiency",
        ),
        (
            "Learning to Rank for E-Commerce Search",
            "Retrieval of products from clicks.",
            ("cs.IR",),
            "rag",
        ),
        (
            "Quantized Anomalous Hall Effect",
            "Hall resistance quantized at zero field.",
            ("cond-mat.mes-hall",),
            "efficiency",
        ),
        ("Prompting LLMs for Essay Scoring", "Our code is available online.", ("cs.CL",), "code"),
    ],
)
def test_a_tricky_paper_does_not_get_a_topic_it_only_sounds_like(
    matcher, title, abstract, categories, slug
):
    assert slug not in slugs(matcher, paper(title, abstract, categories))


def test_a_paper_may_have_several_topics_in_topic_order_with_scores_up_to_one(matcher):
    found = matcher.match(
        paper(
            "Poisoning Retrieval-Augmented LLMs: Jailbreaks via the Knowledge Base",
            "RAG systems let attackers elicit harmful answers.",
            ("cs.CR", "cs.CL"),
        )
    )
    assert [m.slug for m in found] == ["rag", "safety"]
    assert all(0 < m.score <= 1 for m in found)


def test_a_paper_on_nothing_in_particular_has_no_topics(matcher):
    assert matcher.match(paper("Superfluid Helium in Nanopores", "Quantum Monte Carlo.", ())) == []


def test_a_keyword_in_capitals_must_match_its_case(matcher):
    assert "rag" not in slugs(matcher, paper("A rag doll model for LLM toys", "", ("cs.RO",)))


def test_chinese_keywords_match_inside_chinese_text(matcher):
    assert "safety" in slugs(matcher, paper("大模型安全对齐研究", "本文研究大语言模型的安全。", ()))


def test_the_defaults_keep_their_quality_on_the_labelled_sample(matcher, defaults):
    labelled = tomllib.loads((FIXTURES / "topics_labelled.toml").read_text(encoding="utf-8"))
    tp = fp = fn = 0
    for item in labelled["paper"]:
        found = set(
            slugs(matcher, paper(item["title"], item["abstract"], tuple(item["categories"])))
        )
        truth = set(item["topics"])
        tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
    assert len(labelled["paper"]) >= 120
    assert tp / (tp + fp) >= 0.8
    assert tp / (tp + fn) >= 0.65


def test_real_physics_and_testing_papers_get_no_topics(shared_arxiv, matcher):
    import feedparser

    data = (shared_arxiv / "arxivpy_api2016_au_del_maestro.xml").read_bytes()
    for entry in feedparser.parse(data).entries:
        assert matcher.match(paper(entry.title, entry.summary, ("cond-mat.str-el",))) == []


# Storage


async def test_loaded_topics_sync_assign_and_count_papers(db, defaults, matcher):
    await stored_topics.sync(db, defaults)
    result = await papers.upsert(
        db,
        [
            Paper(
                "2406.00001",
                1,
                "Retrieval-Augmented Generation for LLMs",
                abstract="RAG grounds language models.",
                categories=("cs.CL",),
            ),
            Paper("2406.00002", 1, "Superfluid Helium", abstract="Monte Carlo.", categories=()),
        ],
    )
    await stored_topics.assign(db, [(p.id, matcher.match(p)) for p in result.changed])
    counts = await stored_topics.paper_counts(db)
    assert list(counts) == [t.slug for t in defaults]
    assert counts["rag"] == 1
    assert sum(counts.values()) >= 1


async def test_a_topic_removed_from_the_file_becomes_inactive_and_keeps_its_rows(
    db, defaults, matcher, tmp_path
):
    await stored_topics.sync(db, defaults)
    result = await papers.upsert(
        db,
        [
            Paper(
                "2406.00003",
                1,
                "Jailbreaking Aligned LLMs with Retrieval-Augmented Generation",
                abstract="RAG attacks produce harmful output.",
                categories=("cs.CR",),
            ),
        ],
    )
    stored = result.changed[0]
    await stored_topics.assign(db, [(stored.id, matcher.match(stored))])
    await stored_topics.sync(db, load(write(tmp_path, MINIMAL)))
    assert await stored_topics.paper_counts(db) == {"rag": 1}
    rows = await db.fetchall("SELECT topic_slug FROM paper_topics WHERE paper_id = ?", (stored.id,))
    assert {row[0] for row in rows} >= {"rag", "safety"}
    assert (await stored_topics.for_papers(db, [stored.id])) == {stored.id: ["rag"]}
