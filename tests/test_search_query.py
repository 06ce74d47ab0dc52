"""User text becomes quoted FTS5 terms: stems, Chinese bigram phrases, no syntax leaks."""

from __future__ import annotations

import re

import pytest

from storage.search import MAX_TERMS, to_match

QUOTED_TERM = re.compile(r'^"(?:[^"]|"")*"(?: \*)?$')


def test_a_chinese_word_becomes_the_phrase_of_its_bigrams_without_the_trailing_character():
    assert to_match("大语言模型").strict == ('"大语 语言 言模 模型"',)
    assert to_match("对齐").strict == ('"对齐"',)


def test_a_lone_chinese_character_becomes_a_prefix_query():
    assert to_match("模").strict == ('"模" *',)


def test_double_quoted_words_stay_one_phrase():
    assert to_match('"mixture of experts" routing').strict == (
        '"mixture of experts"',
        '"routing"',
    )


def test_several_words_must_all_match_and_failing_that_any():
    query = to_match("retrieval hallucination")
    assert query.all_terms == '"retrieval" AND "hallucination"'
    assert query.any_term == '"retrieval" OR "hallucination"'


def test_a_long_chinese_run_falls_back_to_any_of_its_bigrams():
    assert to_match("大语言模型的幻觉").any_term.count(" OR ") == 6


def test_common_words_and_operators_are_dropped_unless_nothing_else_is_left():
    assert to_match("the alignment AND NOT safety").strict == ('"alignment"', '"safety"')
    assert to_match("the").strict == ('"the"',)


@pytest.mark.parametrize(
    "text",
    [
        "NEAR(a b) OR c:d AND -e ^f *g",
        '"unbalanced quote',
        'title:"x" OR {abstract}: y',
        '"a""b"',
        "x" * 5000,
        "\x00\x01\x1f\u202e\ud800 word",
        " ".join(f"w{i}" for i in range(200)),
    ],
)
def test_every_term_is_a_quoted_string_and_there_are_few_of_them(text: str):
    query = to_match(text)
    assert query is not None
    assert all(QUOTED_TERM.match(term) for term in query.strict + query.loose)
    assert len(query.strict) <= MAX_TERMS


@pytest.mark.parametrize("text", ["", "   ", ")(", "***", "😀🔥", "-", '""', "\x00"])
def test_text_without_a_searchable_word_has_no_query(text: str):
    assert to_match(text) is None
