"""What makes a word count as evidence of a topic: its sentence's context, the sentences that
name the topic, words nested in longer keywords, negative phrases, and categories."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.topics.config import TopicMatcher, TopicsError, load
from storage.models import Paper

ALIGNMENT = """
[[topic]]
slug = "safety"
name_zh = "安全"
name_en = "Safety"
keywords = ["alignment", "jailbreak"]
[topic.context]
"alignment" = ["human", "preference*"]
"""

RAG = """
[[topic]]
slug = "rag"
name_zh = "RAG"
name_en = "RAG"
keywords = ["retrieval augmented", "retriev*"]
"""

FILLER = [
    "We study a problem that matters in practice.",
    "Prior methods are slow and brittle.",
    "Our method is simple.",
    "It needs no extra data.",
    "Experiments on four datasets show consistent gains.",
    "We release our models.",
]


def matcher_for(tmp_path: Path, text: str) -> TopicMatcher:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return TopicMatcher(load(path))


@pytest.fixture(scope="module")
def defaults() -> TopicMatcher:
    return TopicMatcher(load())


def paper(title: str, sentences: list[str], categories: tuple[str, ...] = ("cs.CL",)) -> Paper:
    return Paper("2406.00001", 1, title, abstract=" ".join(sentences), categories=categories)


def slugs(matcher: TopicMatcher, p: Paper) -> list[str]:
    return [m.slug for m in matcher.match(p)]


# Context: a word counts only in a sentence that shows its sense


def test_alignment_of_shapes_or_speech_is_not_the_alignment_of_a_model(tmp_path):
    matcher = matcher_for(tmp_path, ALIGNMENT)
    shapes = paper(
        "Alignment of Fractured Parts for 3D Shape Reassembly",
        ["A transformer predicts the pairwise alignment of fracture surfaces.", *FILLER[:2]],
    )
    assert slugs(matcher, shapes) == []


def test_alignment_with_human_preferences_counts(tmp_path):
    matcher = matcher_for(tmp_path, ALIGNMENT)
    aligned = paper(
        "Cheap Alignment",
        [
            "Alignment with human preferences usually needs costly labels.",
            "We learn alignment from a few preference pairs.",
            *FILLER[:2],
        ],
    )
    assert slugs(matcher, aligned) == ["safety"]


def test_a_title_word_takes_its_sense_from_the_abstract(tmp_path):
    matcher = matcher_for(tmp_path, ALIGNMENT)
    used_so = paper("Alignment on a Budget", ["Alignment with human feedback is costly."])
    confirmed = paper("Alignment Under Attack", ["A single jailbreak undoes safety training."])
    never = paper("Alignment of Point Clouds", ["Registration of scans is costly."])
    assert slugs(matcher, used_so) == ["safety"]
    assert slugs(matcher, confirmed) == ["safety"]
    assert slugs(matcher, never) == []


def test_the_3d_reassembly_paper_is_not_filed_under_safety(defaults):
    reassembly = paper(
        "Jigsaw++: Transformer-Based 3D Shape Reassembly",
        [
            "We reassemble broken objects from their fragments.",
            "A transformer encodes each fragment and predicts pairwise alignment of surfaces.",
            "A global alignment step then registers all parts.",
            "Our model aligns fragments more accurately than prior work on Breaking Bad.",
        ],
        ("cs.CV",),
    )
    assert slugs(defaults, reassembly) == []


# Sentences: a topic named in passing once is not what the paper is about


def test_retrieval_augmented_generation_named_once_in_passing_is_not_rag(defaults):
    long_context = paper(
        "Reading Whole Books with Large Language Models",
        [
            "Large language models struggle with inputs of a million tokens.",
            "Retrieval-augmented generation (RAG) shortens the input but may miss what matters.",
            *FILLER,
        ],
    )
    assert "rag" not in slugs(defaults, long_context)


def test_a_passing_mention_shows_as_evidence_below_the_bar(defaults):
    long_context = paper(
        "Reading Whole Books with Large Language Models",
        [
            "Large language models struggle with inputs of a million tokens.",
            "Retrieval-augmented generation (RAG) shortens the input but may miss what matters.",
            *FILLER,
        ],
    )
    evidence = defaults.evidence(long_context)
    assert 0 < evidence["rag"] < 1
    assert {slug for slug, share in evidence.items() if share >= 1} == set(
        slugs(defaults, long_context)
    )


def test_a_paper_coming_back_to_retrieval_for_generation_is_rag(defaults):
    rag_paper = paper(
        "Reading Whole Books with Large Language Models",
        [
            "Large language models struggle with inputs of a million tokens.",
            "We retrieve the passages a question needs and let the model generate from them.",
            "Our retriever is trained from the answers the language model gets right.",
            "This retrieval-augmented reader needs a tenth of the compute.",
            *FILLER[:4],
        ],
    )
    assert "rag" in slugs(defaults, rag_paper)


def test_a_keyword_inside_a_longer_one_is_one_piece_of_evidence(tmp_path):
    matcher = matcher_for(tmp_path, RAG)
    once = paper("Long Inputs", ["Retrieval-augmented models avoid long inputs.", *FILLER[:3]])
    twice = paper(
        "Long Inputs",
        ["Retrieval-augmented models avoid long inputs.", "We retrieve less.", *FILLER[:2]],
    )
    assert slugs(matcher, once) == []
    assert slugs(matcher, twice) == ["rag"]


def test_a_short_abstract_names_its_topic_in_fewer_sentences(tmp_path):
    matcher = matcher_for(tmp_path, RAG)
    short = paper("Long Inputs", ["We retrieve less.", "Our retrieval is cheap.", FILLER[0]])
    long = paper("Long Inputs", ["We retrieve less.", "Our retrieval is cheap.", *FILLER, *FILLER])
    assert slugs(matcher, short) == ["rag"]
    assert slugs(matcher, long) == []


# Negative phrases and categories


def test_a_method_that_works_without_fine_tuning_is_not_a_fine_tuning_paper(defaults):
    steering = paper(
        "Steering Large Language Models at Inference",
        [
            "We steer a large language model without fine-tuning its weights.",
            "Unlike fine-tuning, steering needs no gradient.",
            "It works without any fine-tuning on five tasks.",
        ],
    )
    assert "finetuning" not in slugs(defaults, steering)


def test_being_listed_in_cs_cl_does_not_make_a_paper_an_llm_paper(defaults):
    applied = paper(
        "Classifying Clinical Notes with LLM Embeddings",
        [
            "We classify clinical notes with embeddings from a large language model.",
            "On a public benchmark our classifier beats a bag of words.",
            *FILLER,
        ],
        ("cs.CL", "cs.AI"),
    )
    assert "llm" not in slugs(defaults, applied)


# Near-misses and unusual wordings on the packaged topics


@pytest.mark.parametrize(
    ("title", "sentences", "categories", "slug"),
    [
        (
            "Streaming Speech-to-Text Translation with Attention-Based History Selection",
            [
                "Streaming speech translation handles unbounded audio.",
                "We select which audio history to keep with the attention of a transformer.",
                "Speech translation quality improves at lower latency.",
            ],
            ("cs.CL", "eess.AS"),
            "multimodal",
        ),
        (
            "Role-Playing Agents That Keep Their Persona",
            [
                "Role-playing agents built on large language models forget their backstory.",
                "We rebuild the persona of role-playing agents from a character sheet.",
                "Readers find the characters more consistent.",
            ],
            ("cs.CL",),
            "agents",
        ),
        (
            "Code-Switching Language Identification with Large Language Models",
            [
                "Code-switching mixes two languages within one sentence.",
                "We prompt a large language model to tag the language of each word.",
                "Our code is available online.",
            ],
            ("cs.CL",),
            "code",
        ),
        (
            "Knowledge Distillation for Speech Enhancement on Hearing Aids",
            [
                "Speech enhancement models must run on hearing aids.",
                "We distil a large transformer teacher into a small convolutional student.",
                "Knowledge distillation keeps quality at a tenth of the compute.",
            ],
            ("eess.AS",),
            "efficiency",
        ),
    ],
)
def test_a_near_miss_stays_out(defaults, title, sentences, categories, slug):
    assert slug not in slugs(defaults, paper(title, sentences, categories))


@pytest.mark.parametrize(
    ("title", "sentences", "slug"),
    [
        (
            "Listening Before Summarizing",
            [
                "We feed speech to a large language model through an audio encoder.",
                "The language model then summarizes the spoken audio directly.",
                "Summaries match those made from human transcripts.",
            ],
            "multimodal",
        ),
        (
            "Teaching Assistants What People Prefer",
            [
                "Chat assistants should behave as their users would want.",
                "We align a large language model with human feedback gathered from 2,000 users.",
                "The aligned model refuses harmful requests more often.",
            ],
            "safety",
        ),
        (
            "Fixing GitHub Issues Automatically",
            [
                "We let a large language model resolve real GitHub issues.",
                "It reads the repository, writes a patch and runs the tests to debug it.",
                "On SWE-bench it resolves 30 percent of the issues.",
            ],
            "code",
        ),
    ],
)
def test_an_on_topic_paper_with_unusual_wording_gets_in(defaults, title, sentences, slug):
    assert slug in slugs(defaults, paper(title, sentences))


# The topic file's `context` table


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ('"tokens" = ["x"]', "'tokens' is not one of the topic's keywords"),
        ('"alignment" = "human"', "'alignment' must be a list of strings"),
        ('"alignment" = []', "'alignment' has no phrases"),
        ('"alignment" = ["@nowhere"]', "'@nowhere' names no list"),
    ],
)
def test_a_bad_context_table_is_refused_naming_the_keyword(tmp_path, context, expected):
    text = ALIGNMENT.replace('"alignment" = ["human", "preference*"]', context)
    with pytest.raises(TopicsError, match="topic 'safety': 'context'") as error:
        matcher_for(tmp_path, text)
    assert expected in str(error.value)


def test_a_context_that_is_not_a_table_is_refused(tmp_path):
    text = ALIGNMENT.split("[topic.context]")[0] + 'context = "human"\n'
    with pytest.raises(TopicsError, match="'context' must be a table"):
        matcher_for(tmp_path, text)
