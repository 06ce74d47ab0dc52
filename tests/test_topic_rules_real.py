"""Near-misses and unusual wordings of the kinds found among real papers: a word used in
another sense, a passing mention, a contribution worded without the topic's usual name."""

from __future__ import annotations

import pytest

from bot.topics.config import TopicMatcher, load
from storage.models import Paper


@pytest.fixture(scope="module")
def defaults() -> TopicMatcher:
    return TopicMatcher(load())


def topics_of(matcher: TopicMatcher, title: str, sentences: list[str]) -> list[str]:
    paper = Paper("2406.00001", 1, title, abstract=" ".join(sentences), categories=("cs.CL",))
    return [m.slug for m in matcher.match(paper)]


@pytest.mark.parametrize(
    ("title", "sentences", "slug"),
    [
        (
            "Parameter-Efficient Audio-Visual Transformers",
            [
                "A frozen vision transformer learns audio-visual features through small adapters.",
                "Only the adapters are trained, with parameter-efficient updates.",
                "Sound source localisation improves on three datasets.",
            ],
            "finetuning",
        ),
        (
            "Emotions in Bargaining Games Played by Language Models",
            [
                "We let large language models play bargaining games under induced emotions.",
                "There is a strong alignment between the offers of GPT-4 and human offers.",
                "Anger breaks the alignment between the model and human players.",
            ],
            "safety",
        ),
        (
            "Post-Training Pruning of Large Language Models",
            [
                "We prune the weights of a large language model after training.",
                "Post-training pruning needs no retraining, unlike fine-tuning-based methods.",
                "Half of the weights go with little loss in perplexity.",
            ],
            "finetuning",
        ),
        (
            "Grading Essays with GPT-4",
            [
                "Teachers spend hours grading essays.",
                "We evaluate GPT-4 as a grader of 3,000 school essays.",
                "We evaluate the grades GPT-4 gives against two teachers' grades.",
                "Agreement matches that between the two teachers.",
            ],
            "llm",
        ),
        (
            "Planning with Language Models in Classical Domains",
            [
                "Classical planning problems specify states and actions formally.",
                "We translate Blocksworld instances into text and ask an LLM for a plan.",
                "Few plans are valid.",
            ],
            "agents",
        ),
        (
            "Information Extraction from Surgical Notes: GPT-4 and a Fine-Tuned KoELECTRA",
            [
                "Operation notes hold what registries need, in free text.",
                "We compare GPT-4 with a fine-tuned KoELECTRA on extracting 12 fields.",
                "The fine-tuned model is more accurate on 9 of them.",
            ],
            "finetuning",
        ),
        (
            "Customised On-Device LLMs by Blending Adapters",
            [
                "Users want an assistant tailored to them on their own phone.",
                "We keep a pool of base adapters and blend them into a customised adapter.",
                "Blending needs no extra training and runs in under a second.",
            ],
            "finetuning",
        ),
        (
            "Accelerating Pretrained LLMs by Post-Training Multiplication-Free Reparameterization",
            [
                "Multiplications dominate the cost of running large language models.",
                "We replace them by shifts and adds through post-training reparameterization.",
                "Latency falls by 60 percent at equal perplexity.",
            ],
            "finetuning",
        ),
        (
            "Feedback on Student Essays from Large Language Models",
            [
                "Teachers cannot comment on every draft their students write.",
                "We let GPT-4 give feedback to 300 students and compare it with their teachers'.",
                "Students revised more after the model's feedback than after a teacher's.",
            ],
            "finetuning",
        ),
    ],
)
def test_a_word_in_another_sense_does_not_give_the_topic(defaults, title, sentences, slug):
    assert slug not in topics_of(defaults, title, sentences)


@pytest.mark.parametrize(
    ("title", "sentences", "slug"),
    [
        (
            "Open-Ended Planning: A New Benchmark",
            [
                "Planning from a variable set of actions is what real tasks demand.",
                "We construct a new benchmark of 1,000 planning tasks across twelve domains.",
                "Current large language models solve fewer than a third of them.",
            ],
            "llm",
        ),
        (
            "Debiasing Language Models at Test Time",
            [
                "Large language models can be socially discriminatory.",
                "We debias their predictions at test time with a causal invariance test.",
                "Bias drops on four benchmarks without any retraining.",
            ],
            "safety",
        ),
        (
            "Shrinking Transformers After Training",
            [
                "We remove attention heads and neurons from BERT and Llama models.",
                "A correction to the next layer keeps their outputs close to the original ones.",
                "Compressing a 7B model takes three hours on one GPU.",
            ],
            "efficiency",
        ),
        (
            "Hybrid State Space Models for Unlimited Context",
            [
                "Attention costs grow quadratically with the length of the input.",
                "We mix a selective state space layer with sliding-window attention.",
                "The hybrid reaches lower perplexity in language modeling at 1M tokens of context.",
            ],
            "efficiency",
        ),
        (
            "Reasoning About Latent Structure in Prompts",
            [
                "Language models lack a principled way to model uncertainty about structure.",
                "We prompt an LLM to simulate a probabilistic graphical model in text.",
                "It improves calibration on compositional reasoning tasks.",
                "Gains are largest on open-ended compositional reasoning questions.",
            ],
            "reasoning",
        ),
        (
            "Learning from Verifiable Rewards",
            [
                "We train base language models on problems whose answers can be checked.",
                "GRPO with a correctness reward yields longer, self-correcting solutions.",
                "The 7B model improves from 32 to 58 percent on competition mathematics.",
            ],
            "finetuning",
        ),
        (
            "Distilling Rationales from Large to Small Models",
            [
                "Large models solve grade-school math problems well but are costly to deploy.",
                "We collect a large teacher's rationales and train a 770M student model on them.",
                "The distilled student outperforms few-shot prompted models 700 times its size.",
            ],
            "finetuning",
        ),
    ],
)
def test_a_contribution_worded_unusually_gets_its_topic(defaults, title, sentences, slug):
    assert slug in topics_of(defaults, title, sentences)
