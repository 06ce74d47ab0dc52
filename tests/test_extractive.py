"""The offline English summary: key sentences of the abstract, whole, in order, within budget."""

from __future__ import annotations

import pytest

from bot.summarize.extractive import MAX_CHARS, split_sentences, summarize

LONGRAG = (
    "Large language models (LLMs) have achieved remarkable success across many tasks, e.g. "
    "question answering and summarization. However, retrieval-augmented generation (RAG) "
    "still relies on short retrieval units, which forces the retriever to search a huge "
    "corpus. In this paper, we propose LongRAG, a framework with a long retriever and a long "
    "reader that operates on 4K-token units. Following Lewis et al. (2020), we evaluate on NQ "
    "and HotpotQA (see Fig. 2 and Eq. (3)). LongRAG achieves 62.7% exact match on NQ and "
    "improves recall@1 by 3.5% over GPT-4.5 baselines, without any training. Our code is "
    "available at https://github.com/example/longrag."
)
LONGRAG_CONTRIBUTION = "In this paper, we propose LongRAG"

# The 2016 API format: wrapped lines, leading spaces, a trailing newline.
WRAPPED_2016 = """  Recurrent neural networks have become the standard tool for sequence modelling,
yet training them on long sequences remains difficult, i.e. gradients vanish or
explode. In this work we introduce the gated orthogonal unit (GOU), a recurrent
cell whose transition matrix stays orthogonal throughout training. We show that
the GOU learns dependencies over 10,000 time steps on the copy task and reduces
perplexity by 4.2 points on the Penn Treebank vs. an LSTM of the same size. The
approach costs $O(n^2)$ per step, compared to $O(n^3)$ for full unitary RNNs.
"""
GOU_CONTRIBUTION = "In this work we introduce the gated orthogonal unit (GOU)"

QUESTIONS = (
    "Can a language model tell when it does not know? Prior work by J. Smith and the U.S. "
    "National Institute of Standards has measured calibration only on multiple-choice tasks. "
    "We present \\emph{KnowNot}, a benchmark of 5,000 open questions whose answers are not on "
    "the web. Surprisingly, GPT-4 abstains on only 12% of them! Scaling does not help: larger "
    "models are more confident, not more accurate."
)


def _in_order(summary: str, abstract: str) -> bool:
    """Whether the summary is whole sentences of the abstract, in the abstract's order."""
    sentences = split_sentences(" ".join(abstract.replace("\\emph{KnowNot}", "KnowNot").split()))
    sentences = [s.replace("$", "") for s in sentences]
    positions = [sentences.index(sentence) for sentence in split_sentences(summary)]
    return positions == sorted(positions)


@pytest.mark.parametrize(
    ("abstract", "contribution"),
    [
        (LONGRAG, LONGRAG_CONTRIBUTION),
        (WRAPPED_2016, GOU_CONTRIBUTION),
        (QUESTIONS, "We present KnowNot, a benchmark of 5,000 open questions"),
    ],
)
def test_a_summary_is_whole_sentences_in_order_within_sixty_words(abstract, contribution):
    summary = summarize(abstract)
    assert summary is not None
    assert len(summary.split()) <= 60
    assert contribution in summary
    assert _in_order(summary, abstract)


def test_the_result_with_numbers_is_kept_and_background_and_code_links_left_out():
    summary = summarize(LONGRAG)
    assert "LongRAG achieves 62.7% exact match" in summary
    assert "have achieved remarkable success" not in summary
    assert "github" not in summary


def test_a_wrapped_2016_abstract_reads_as_one_text_with_math_kept_readable():
    summary = summarize(WRAPPED_2016)
    assert "\n" not in summary
    assert "reduces perplexity by 4.2 points on the Penn Treebank vs. an LSTM" in summary
    assert summary.startswith(GOU_CONTRIBUTION)


def test_abbreviations_decimals_versions_and_urls_do_not_end_a_sentence():
    assert split_sentences(" ".join(LONGRAG.split())) == [
        "Large language models (LLMs) have achieved remarkable success across many tasks, "
        "e.g. question answering and summarization.",
        "However, retrieval-augmented generation (RAG) still relies on short retrieval units, "
        "which forces the retriever to search a huge corpus.",
        "In this paper, we propose LongRAG, a framework with a long retriever and a long reader "
        "that operates on 4K-token units.",
        "Following Lewis et al. (2020), we evaluate on NQ and HotpotQA (see Fig. 2 and Eq. (3)).",
        "LongRAG achieves 62.7% exact match on NQ and improves recall@1 by 3.5% over GPT-4.5 "
        "baselines, without any training.",
        "Our code is available at https://github.com/example/longrag.",
    ]


def test_questions_exclamations_initials_and_the_us_split_where_sentences_end():
    assert split_sentences(QUESTIONS) == [
        "Can a language model tell when it does not know?",
        "Prior work by J. Smith and the U.S. National Institute of Standards has measured "
        "calibration only on multiple-choice tasks.",
        "We present \\emph{KnowNot}, a benchmark of 5,000 open questions whose answers are not "
        "on the web.",
        "Surprisingly, GPT-4 abstains on only 12% of them!",
        "Scaling does not help: larger models are more confident, not more accurate.",
    ]


def test_et_al_ends_a_sentence_when_the_next_one_begins():
    assert split_sentences("This was shown by Wei et al. We extend it to code.") == [
        "This was shown by Wei et al.",
        "We extend it to code.",
    ]


def test_latex_markup_is_reduced_to_what_a_reader_sees():
    summary = summarize(QUESTIONS)
    assert "We present KnowNot, a benchmark" in summary
    assert "\\emph" not in summary


def test_a_short_abstract_is_returned_whole():
    abstract = "We propose a faster tokenizer. It is 3x faster than the baseline."
    assert summarize(abstract) == abstract


def test_a_single_key_sentence_a_little_over_budget_is_returned_whole():
    # Never cut mid-sentence: a whole sentence up to half again the budget beats nothing.
    sentence = "We propose " + " ".join(["a"] * 66) + " method."
    assert len(sentence.split()) == 69
    assert summarize(sentence) == sentence


def test_an_abstract_of_only_overlong_sentences_has_no_summary():
    sentence = "We propose " + " ".join(["a"] * 120) + " method."
    assert summarize(f"{sentence} {sentence}") is None


@pytest.mark.parametrize("abstract", ["", "   \n  "])
def test_an_empty_abstract_has_no_summary(abstract):
    assert summarize(abstract) is None


def test_a_smaller_budget_keeps_fewer_sentences():
    summary = summarize(LONGRAG, max_words=25)
    assert summary == (
        "In this paper, we propose LongRAG, a framework with a long retriever and a long reader "
        "that operates on 4K-token units."
    )


@pytest.mark.parametrize(
    "abstract",
    [
        "We propose a method. " + "x" * 1_000_000 + " improves accuracy by 3%.",
        "We propose " + "Ω" * 5_000 + ". It improves accuracy by 3% on NQ.",
        "We propose " + " ".join(["Supercalifragilisticexpialidocious"] * 50) + ".",
    ],
)
def test_an_abstract_of_giant_words_gives_a_summary_capped_in_characters_or_none(abstract: str):
    summary = summarize(abstract)
    assert summary is None or len(summary) <= MAX_CHARS
    assert MAX_CHARS == 900


def test_a_long_sentence_of_ordinary_words_is_still_chosen():
    sentence = "We propose a retrieval method that improves exact match accuracy on NQ. "
    assert summarize(sentence * 3) == " ".join([sentence.strip()] * 3)
