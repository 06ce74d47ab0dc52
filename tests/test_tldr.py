"""A paper's TL;DR in a digest: its summary's first sentences within two lines, cut at a
sentence boundary, never inside a word, in both languages."""

from __future__ import annotations

from bot.render.tldr import BUDGET, sentences, tldr, width

EN = (
    "We propose RetroLM, which retrieves pages of the KV cache instead of text chunks. "
    "On long-context benchmarks it beats RAG baselines by 6 points, e.g. on LongBench. "
    "Code is released."
)
ZH = (
    "本文提出一种在键值缓存层面检索的长上下文方法。"
    "在多个长文本基准上，它比传统的检索增强方法高出 6 个百分点，而且推理开销更低！"
    "代码和模型均已开源，欢迎大家使用。"
)


def test_a_short_summary_is_its_own_tldr():
    assert tldr("It works.", "en") == "It works."
    assert tldr("  它有效。 ", "zh") == "它有效。"


def test_an_english_tldr_ends_at_a_sentence_within_two_lines():
    short = tldr(EN, "en")
    assert (
        short == "We propose RetroLM, which retrieves pages of the KV cache instead of text chunks."
    )
    assert width(short) <= BUDGET


def test_abbreviations_and_decimals_do_not_end_a_sentence():
    found = sentences(
        "Gains of 3.5 points, e.g. on GSM8K. See Fig. 2 and Smith et al. for more. Done."
    )
    assert found == [
        "Gains of 3.5 points, e.g. on GSM8K. ",
        "See Fig. 2 and Smith et al. for more. ",
        "Done.",
    ]


def test_a_chinese_tldr_ends_at_a_chinese_full_stop():
    short = tldr(ZH, "zh")
    assert short == "本文提出一种在键值缓存层面检索的长上下文方法。"
    assert width(short) <= BUDGET
    assert sentences(ZH)[1].endswith("！")


def test_one_long_sentence_is_cut_between_words_or_clauses_with_an_ellipsis():
    words = "a method " * 40 + "that works."
    cut = tldr(words, "en")
    assert cut.endswith("…")
    assert width(cut) <= BUDGET
    assert cut.removesuffix("…").split()[-1] in {"a", "method"}  # a whole word
    long_zh = "我们在" + "十二个不同领域的数据集上" * 8 + "，验证了方法的有效性。"
    cut = tldr(long_zh, "zh")
    assert cut.endswith("…")
    assert width(cut) <= BUDGET
