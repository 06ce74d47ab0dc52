"""What a title says of a paper's subject: words that count only in the title (a title that
sets out to evaluate language models is about them) and title words that speak against a
topic (a model named as the means of the work, or a model the topic leaves out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.topics.config import TopicMatcher, TopicsError, load
from storage.models import Paper

STUDIES = """
[[topic]]
slug = "llm"
name_zh = "大模型"
name_en = "LLMs"
keywords = ["benchmark"]
title_keywords = ["evaluating"]
title_against = ["LLM based"]
[topic.context]
"evaluating" = ["LLM"]
"""

FILLER = [
    "We study a problem that matters in practice.",
    "Prior methods are slow and brittle.",
    "Our findings hold across settings.",
    "We release our data.",
]


def matcher_for(tmp_path: Path, text: str) -> TopicMatcher:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return TopicMatcher(load(path))


@pytest.fixture(scope="module")
def defaults() -> TopicMatcher:
    return TopicMatcher(load())


def paper(title: str, sentences: list[str]) -> Paper:
    return Paper("2406.00001", 1, title, abstract=" ".join(sentences), categories=("cs.CL",))


def slugs(matcher: TopicMatcher, p: Paper) -> list[str]:
    return [m.slug for m in matcher.match(p)]


def test_a_title_that_sets_out_to_evaluate_language_models_is_about_them(tmp_path):
    matcher = matcher_for(tmp_path, STUDIES)
    study = paper("Evaluating Temporal Commonsense of LLMs", FILLER)
    assert slugs(matcher, study) == ["llm"]


def test_evaluating_a_method_with_language_models_in_the_abstract_is_no_evidence(tmp_path):
    matcher = matcher_for(tmp_path, STUDIES)
    method = paper(
        "A Faster Dependency Parser",
        [
            "Evaluating our parser with an LLM as a judge shows fewer errors.",
            "Evaluating it on five languages with LLM annotators confirms the gains.",
            "Evaluating speed, the parser is twice as fast as an LLM pipeline.",
            *FILLER,
        ],
    )
    assert slugs(matcher, method) == []


def test_a_title_word_without_its_context_in_the_title_does_not_count(tmp_path):
    matcher = matcher_for(tmp_path, STUDIES)
    # The abstract names the topic once and uses "LLM": the title's own word still needs it.
    parsers = paper("Evaluating Parsers", ["We build a benchmark with an LLM.", *FILLER])
    assert slugs(matcher, parsers) == []
    assert 0 < matcher.evidence(parsers)["llm"] < 1


def test_a_title_naming_a_model_as_the_means_weighs_a_keyword_less(tmp_path):
    matcher = matcher_for(tmp_path, STUDIES)
    of_models = paper("A Benchmark of Tutors", FILLER)
    built_on_models = paper("A Benchmark of LLM-based Tutors", FILLER)
    assert slugs(matcher, of_models) == ["llm"]
    assert slugs(matcher, built_on_models) == []


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Evaluating Temporal Commonsense of Large Language Models", "llm"),
        ("Understanding Refusals: A Study of Activations in Language Models", "llm"),
        ("Instruction Tuning Language Models to Follow Editing Requests", "finetuning"),
    ],
)
def test_the_packaged_rules_take_a_titles_subject(defaults, title, slug):
    assert slug in slugs(defaults, paper(title, FILLER))


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Evaluating Recommendations of an LLM-based Shopping Assistant", "llm"),
        ("Using Large Language Models for Evaluating Essay Feedback", "llm"),
        ("Instruction Tuning a Music Language Model to Follow Editing Requests", "finetuning"),
        (
            "Instruction Tuning Speech Recognisers for Noisy Rooms with a Language Model",
            "finetuning",
        ),
    ],
)
def test_the_packaged_rules_leave_out_a_model_used_as_a_tool_or_of_another_kind(
    defaults, title, slug
):
    assert slug not in slugs(defaults, paper(title, FILLER))


def test_a_phrase_both_a_keyword_and_a_title_keyword_is_refused(tmp_path):
    text = STUDIES.replace('title_keywords = ["evaluating"]', 'title_keywords = ["benchmark"]')
    with pytest.raises(TopicsError, match="topic 'llm': 'title_keywords': 'benchmark' is also"):
        matcher_for(tmp_path, text)


def test_a_bad_title_phrase_is_refused_naming_its_key(tmp_path):
    text = STUDIES.replace('title_against = ["LLM based"]', 'title_against = ["*"]')
    with pytest.raises(TopicsError, match="topic 'llm': 'title_against'"):
        matcher_for(tmp_path, text)
