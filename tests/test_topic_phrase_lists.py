"""Named phrase lists in a topic file: a list may include another, as the packaged
`generation_words` includes `llm_words`, and a list that includes itself is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.topics.config import TopicMatcher, TopicsError, load
from storage.models import Paper

NESTED = """
[phrases]
model_words = ["LLM", "language model"]
generation_words = ["@model_words", "generat*"]

[[topic]]
slug = "rag"
name_zh = "RAG"
name_en = "RAG"
keywords = ["retriev*"]
[topic.context]
"retriev*" = ["@generation_words"]
"""


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def test_a_context_list_counts_the_words_of_a_list_it_includes(tmp_path):
    matcher = TopicMatcher(load_text(tmp_path, NESTED))
    paper = Paper(
        "2406.00001",
        1,
        "Search Engines That Answer",
        abstract=(
            "Search engines load retrieved web pages into the LLM context. "
            "We measure how the retrieved pages steer a language model's answer."
        ),
    )
    assert [m.slug for m in matcher.match(paper)] == ["rag"]


def test_an_included_list_is_expanded_into_its_phrases(tmp_path):
    (topic,) = load_text(tmp_path, NESTED)
    assert dict(topic.context)["retriev*"] == ("LLM", "language model", "generat*")


@pytest.mark.parametrize(
    ("lists", "expected"),
    [
        ('a = ["@b"]\nb = ["@a"]', "'@a' includes itself"),
        ('a = ["x", "@a"]', "'@a' includes itself"),
        ('a = ["@nowhere"]', "'@nowhere' names no list in [phrases]"),
    ],
)
def test_a_list_including_itself_or_an_unknown_list_is_refused(tmp_path, lists, expected):
    text = NESTED.replace(
        'model_words = ["LLM", "language model"]\ngeneration_words = ["@model_words", "generat*"]',
        lists + '\ngeneration_words = ["generat*"]',
    )
    with pytest.raises(TopicsError, match="phrases: 'a'") as error:
        load_text(tmp_path, text)
    assert expected in str(error.value)
