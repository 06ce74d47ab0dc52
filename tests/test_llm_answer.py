"""What the model is asked and which answers are kept: prompts with glossary terms, validation."""

from __future__ import annotations

import json
import random
import time

import pytest

from bot.summarize.llm_answer import (
    RejectedAnswer,
    build_messages,
    glossary_for,
    load_glossary,
    parse_answer,
)

ZH = "本文提出一种检索增强生成方法，在三个基准上提高了准确率并降低了成本。"
EN = "The paper proposes a retrieval-augmented generation method that improves accuracy."


def answer(**fields: object) -> str:
    return json.dumps({"zh": ZH, "en": EN, "importance": 3, **fields}, ensure_ascii=False)


def test_the_prompt_carries_only_the_glossary_terms_the_paper_uses():
    glossary = load_glossary()
    messages = build_messages(
        "Chain-of-Thought Prompting Reduces Hallucinations",
        "We apply fine tuning to LLMs with RAG and measure alignment.",
        glossary,
    )
    system, user = messages[0]["content"], messages[1]["content"]
    for line in ("RAG → 检索增强生成", "fine-tuning → 微调", "chain-of-thought → 思维链"):
        assert line in system
    assert "hallucination → 幻觉" in system
    assert "alignment → 对齐" in system
    assert "量化" not in system
    assert "智能体" not in system
    assert user.startswith("Title: Chain-of-Thought Prompting")


def test_glossary_matching_respects_acronym_case_and_whole_words():
    glossary = load_glossary()
    found = {t.english for t in glossary_for("Fragment ragged multi-agent systems", glossary)}
    assert "RAG" not in found
    assert "multi-agent" in found
    assert "agent" not in found
    assert len(glossary) >= 30


def test_a_good_answer_is_kept_whole_and_a_fenced_one_too():
    parsed = parse_answer(answer())
    assert (parsed.zh, parsed.en, parsed.importance) == (ZH, EN, 3)
    assert parse_answer(f"```json\n{answer(importance=5)}\n```").importance == 5


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "empty answer"),
        ('{"zh": "本文', "invalid JSON"),
        ("[1, 2]", "not a JSON object"),
        ("I'm sorry, but I cannot help with that.", "refusal"),
        (answer(zh="作为一个AI语言模型，我无法总结这篇论文。"), "refusal"),
        (answer(en="   "), "empty en text"),
        (answer(zh=EN), "zh text is not Chinese"),
        (answer(en=ZH), "en text is mostly Chinese"),
        (answer(zh="很长的中文摘要" * 60), "far over 200"),
        (answer(en="word " * 120), "far over 60"),
        (answer(importance=0), "from 1 to 5"),
        (answer(importance=7), "from 1 to 5"),
        (answer(importance=2.5), "from 1 to 5"),
        (answer(importance="high"), "not a number"),
        (answer(importance=True), "not a number"),
    ],
)
def test_a_bad_answer_is_rejected_with_its_reason(content: str, reason: str):
    with pytest.raises(RejectedAnswer, match=reason):
        parse_answer(content)


def test_chinese_with_english_terms_inside_is_still_chinese():
    mixed = "本文提出 RAG-Fusion，用 GPT-4 和 LLaMA-3 在 HotpotQA 与 NQ 上评测，准确率提升明显。"
    assert parse_answer(answer(zh=mixed)).zh == mixed


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (answer().replace('"importance": 3', '"importance": NaN'), "not a finite number"),
        (answer().replace('"importance": 3', '"importance": Infinity'), "not a finite number"),
        (answer().replace('"importance": 3', '"importance": -Infinity'), "not a finite number"),
        (answer().replace('"importance": 3', '"importance": 1e400'), "not a finite number"),
        (answer().replace('"importance": 3', '"importance": ' + "9" * 5000), "invalid JSON"),
        ("[" * 100_000, "too long"),
        ("[" * 5_000 + "]" * 5_000, "nested too deep"),
        ('{"zh": ' * 50 + "1" + "}" * 50, "nested too deep"),
        (answer(en="x" * 2_000_109), "too long"),
        (answer(en="Supercalifragilistic" * 100), "characters, far over"),
        ("\ud800", "invalid JSON"),
    ],
)
def test_a_hostile_answer_is_rejected_with_its_reason_and_never_raises_anything_else(
    content: str, reason: str
):
    with pytest.raises(RejectedAnswer, match=reason):
        parse_answer(content)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"en": f"{EN} Code: https://evil.example/payload"}, "en text carries a link"),
        ({"en": f"{EN} See www.evil.example for more."}, "en text carries a link"),
        ({"zh": f"{ZH}详见 evil.example/x"}, "zh text carries a link"),
        ({"en": f'<a href="x">{EN}</a>'}, "en text carries HTML markup"),
        ({"zh": f"{ZH}<script>alert(1)</script>"}, "zh text carries HTML markup"),
        ({"en": f"[{EN}](javascript:alert(1))"}, "en text carries a link"),
        ({"en": f"{EN} data:text/html;base64,PHNjcmlwdD4="}, "en text carries a link"),
    ],
)
def test_a_summary_with_a_link_or_markup_is_rejected(fields: dict, reason: str):
    with pytest.raises(RejectedAnswer, match=reason):
        parse_answer(answer(**fields))


def test_control_and_bidi_characters_and_markdown_emphasis_are_cleaned_and_said():
    junk = "\u202e\u200d\x1b[31m\x00\u2066"
    parsed = parse_answer(answer(zh=f"{junk}{ZH}", en=f"**The paper**{junk} proposes `RAG`."))
    assert parsed.zh == ZH
    assert parsed.en == "The paper proposes RAG."
    assert parsed.cleaned == ("control or bidi characters removed", "Markdown removed")


def test_plain_summaries_with_comparisons_and_versions_are_kept_as_they_are():
    en = "With p < 0.05 and n > 3, GPT-4.5 beats Llama-3.1/GPT-4o (e.g. 3.5% on NQ) at 1/3 cost."
    parsed = parse_answer(answer(en=en))
    assert (parsed.en, parsed.cleaned) == (en, ())
    colon = "Two kinds of data: text and code, in a ratio of 3:1."
    assert parse_answer(answer(en=colon)).en == colon


def test_a_chinese_summary_is_capped_in_characters_and_an_english_one_in_both():
    assert parse_answer(answer(en="word " * 85)).en
    with pytest.raises(RejectedAnswer, match="zh text has 301 characters"):
        parse_answer(answer(zh="检" * 301))
    with pytest.raises(RejectedAnswer, match="en text has 901 characters"):
        parse_answer(answer(en="a" * 901))


def test_a_paper_with_a_huge_title_and_abstract_is_asked_about_their_beginnings_only():
    abstract = "We study RAG for large language models. " * 500_000
    system, user = build_messages("RAG " * 100_000, abstract, load_glossary())
    assert len(user["content"]) < 7_000
    assert "检索增强生成" in system["content"]
    assert user["content"].startswith("Title: RAG RAG")


def test_no_mutation_of_a_good_answer_makes_parsing_raise_anything_but_a_rejection():
    rng = random.Random(10)
    pieces = [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "9" * 4400,
        "[" * 3000,
        "{",
        "\\ud800",
        "\u202e",
        "\x00",
        '"',
        "\\",
        "<b>",
        "http://x.y",
        "**",
        "}",
        "]",
        ":",
        ",",
    ]
    good = answer()
    reasons = []
    for _ in range(3000):
        text = good
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(pieces) + text[at + rng.randint(0, 3) :]
        reasons.append(_outcome(text))
    assert all(len(reason) < 200 for reason in reasons)
    assert "kept" in reasons  # some mutations are harmless


def _outcome(text: str) -> str:
    """A rejection's reason, or "kept" for an answer whose texts are plain and printable."""
    try:
        parsed = parse_answer(text)
    except RejectedAnswer as exc:
        return str(exc)
    assert parsed.importance in range(1, 6)
    assert parsed.zh.isprintable()
    assert parsed.en.isprintable()
    return "kept"


@pytest.mark.parametrize(
    "content",
    [
        "```" + " " * 31_000,
        "```json\n" + "\n \n" * 10_000,
        answer(en="a." * 15_000 + ":"),
        answer(en="ab-" * 10_000 + ":"),
        '{"zh": "' + '\\"' * 15_000 + "[" * 20,
        answer(en="<a " * 10_000),
    ],
    ids=["fence-spaces", "fence-lines", "dotted", "dashed", "escaped-quotes", "open-tags"],
)
def test_no_answer_makes_checking_it_take_more_than_a_moment(content: str):
    started = time.perf_counter()
    with pytest.raises(RejectedAnswer):
        parse_answer(content)
    assert time.perf_counter() - started < 0.2
