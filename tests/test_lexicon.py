"""The bilingual lexicon: sound data, read both ways, traditional characters folded."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.search import lexicon
from bot.search.expand import expand
from storage.cjk import has_cjk

LEX = lexicon.shipped()


def test_the_lexicon_ships_at_least_1500_entries_in_named_areas():
    assert len(LEX.entries) >= 1500
    assert all(entry.area for entry in LEX.entries)
    assert len({entry.area for entry in LEX.entries}) >= 10


def test_no_form_belongs_to_two_entries_so_no_two_entries_contradict():
    english = Counter(
        lexicon.english_key(f)
        for e in LEX.entries
        for f in set(lexicon.english_key(form) for form in e.english)
    )
    chinese = Counter(lexicon.fold(f) for e in LEX.entries for f in set(e.chinese))
    assert [form for form, n in english.items() if n > 1] == []
    assert [form for form, n in chinese.items() if n > 1] == []


def test_every_entry_is_english_on_one_side_and_chinese_on_the_other():
    for entry in LEX.entries:
        assert all(has_cjk(form) for form in entry.chinese), entry
        assert not any(has_cjk(form) for form in entry.english), entry


def test_every_entry_reads_both_ways():
    for entry in LEX.entries:
        for form in entry.english:
            assert LEX.english(form) is entry, form
        for form in entry.chinese:
            assert LEX.chinese(form) is entry, form


def test_the_chinese_is_written_simplified_so_a_traditional_form_never_goes_unfolded():
    for entry in LEX.entries:
        for form in entry.chinese:
            assert lexicon.fold(form) == form, form


@pytest.mark.parametrize(
    ("traditional", "english"),
    [
        ("大語言模型", "large language model"),
        ("幻覺", "hallucination"),
        ("對齊", "alignment"),
        ("強化學習", "reinforcement learning"),
        ("思維鏈", "chain of thought"),
        ("檢索增強生成", "retrieval-augmented generation"),
        ("紅隊測試", "red teaming"),
    ],
)
def test_a_traditional_form_finds_the_entry_of_its_simplified_form(traditional, english):
    assert LEX.chinese(traditional) is LEX.english(english)


def test_variants_abbreviations_and_plurals_name_one_entry():
    assert LEX.chinese("思维链") is LEX.chinese("链式思维") is LEX.english("CoT")
    assert LEX.chinese("大语言模型") is LEX.chinese("大模型") is LEX.english("LLMs")
    for abbreviation in ("RAG", "MoE", "RLHF", "DPO", "LoRA", "KV cache", "PEFT", "SFT"):
        assert LEX.english(abbreviation) is not None, abbreviation
    assert LEX.english("Chain-of-Thought") is LEX.english("chain of thought")


@pytest.mark.parametrize(
    ("query", "english"),
    [
        ("红队测试", "red teaming"),
        ("安全对齐", "safety alignment"),
        ("幻觉检测", "hallucination detection"),
        ("大模型的幻觉", "large language model"),
    ],
)
def test_a_chinese_query_is_segmented_into_the_longest_known_terms(query, english):
    expanded = expand(query, LEX)
    assert LEX.english(english) in [entry for _, entry in expanded.terms]
    assert "的" not in expanded.plain


def test_a_quoted_phrase_is_meant_exactly_and_never_expanded():
    expanded = expand('"幻觉" chain of thought', LEX)
    assert expanded.plain == '"幻觉"'
    assert [said for said, _ in expanded.terms] == ["chain of thought"]
