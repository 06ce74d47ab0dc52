"""The learned topic model: what the bot files papers with where a topic asks for it, how an
operator's topic file turns it on or off, a model file that cannot be used, and training."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import pytest

from bot.topics import learned, training
from bot.topics.config import TopicMatcher, TopicsError, load, matcher
from bot.topics.learned import TopicModel, TopicModelError
from storage.models import Paper
from tests.topic_samples import MARCH, REAL

OPERATOR_TOPICS = """
[[topic]]
slug = "llm"
name_zh = "大模型"
name_en = "LLMs"
keywords = ["language model"]
{learned}
[[topic]]
slug = "gardening"
name_zh = "园艺"
name_en = "Gardening"
keywords = ["tomato"]
learned = true
"""

INSTRUCTION_TUNING = Paper(
    "2406.00001",
    1,
    "Instruction Tuning Open Language Models with Synthetic Preference Data",
    abstract=(
        "We fine-tune open large language models on 200,000 synthetic instructions and then"
        " apply direct preference optimization. Supervised fine-tuning on our data improves"
        " instruction following, and preference training further helps. We release the data."
    ),
    categories=("cs.CL",),
)
PROTEIN = Paper(
    "2406.00002",
    1,
    "Predicting Protein Stability from Sequence with Graph Networks",
    abstract="We predict the stability of protein mutants from their sequence and structure.",
    categories=("q-bio.BM",),
)


def test_the_bot_files_a_paper_by_the_learned_model_where_the_packaged_topics_ask_for_it():
    topics = load()
    assert {t.slug for t in topics if t.learned} >= {"llm", "finetuning"}
    bot_matcher = matcher(topics)
    slugs = [m.slug for m in bot_matcher.match(INSTRUCTION_TUNING)]
    assert "finetuning" in slugs
    assert bot_matcher.match(PROTEIN) == []
    scores = [m.score for m in bot_matcher.match(INSTRUCTION_TUNING)]
    assert all(0.5 <= s <= 0.99 for s in scores)  # an editor's pick (1.0) stays above


def test_a_model_margin_reads_the_rules_evidence_beside_the_words():
    model = learned.packaged()
    rules = TopicMatcher(load())
    evidence = rules.evidence(INSTRUCTION_TUNING)
    with_rules = model.margins(INSTRUCTION_TUNING, evidence)["finetuning"]
    without = model.margins(INSTRUCTION_TUNING, {})["finetuning"]
    assert with_rules > without


def test_an_operators_topic_file_without_learned_is_filed_by_its_rules_alone(tmp_path: Path):
    path = tmp_path / "topics.toml"
    path.write_text(OPERATOR_TOPICS.format(learned=""), encoding="utf-8")
    topics = load(path)
    paper = Paper("2406.00003", 1, "A Language Model of Tomatoes", abstract="Tomato growing.")
    rules_only = TopicMatcher(topics).match(paper)
    assert matcher(topics).match(paper) == rules_only
    assert {m.slug for m in rules_only} == {"llm", "gardening"}


def test_a_topic_the_model_does_not_know_keeps_its_rules_beside_one_it_files(tmp_path: Path):
    path = tmp_path / "topics.toml"
    path.write_text(OPERATOR_TOPICS.format(learned="learned = true"), encoding="utf-8")
    topics = load(path)
    # A model that knows "llm" only: a paper about a hospital's triage is not about language
    # models, one that probes what they memorise is, whatever the rules' count says.
    model = TopicModel(
        ("llm",), (-1.0,), (0.0,), {"t:triage": (-3.0,), "t:memorise": (4.0,), "e:llm": (0.5,)}
    )
    filed = TopicMatcher(topics, model)
    rules = TopicMatcher(topics)
    triage = Paper(
        "2406.00005",
        1,
        "Language Model Assisted Triage of Tomato Orders",
        abstract="We route a grocer's tomato orders by urgency.",
    )
    probe = Paper(
        "2406.00006",
        1,
        "What Do They Memorise of Tomatoes?",
        abstract="We probe a language model for the tomato prices it has memorised.",
    )
    assert {m.slug for m in rules.match(triage)} == {"llm", "gardening"}
    assert {m.slug for m in filed.match(triage)} == {"gardening"}
    assert {m.slug for m in rules.match(probe)} == {"gardening"}
    assert {m.slug for m in filed.match(probe)} == {"llm", "gardening"}
    nothing = Paper(
        "2406.00007", 1, "What Do They Memorise of Tomatoes?", abstract="Tomato prices."
    )
    assert {m.slug for m in filed.match(nothing)} == {"gardening"}  # no word of the topic


def test_learned_must_be_true_or_false(tmp_path: Path):
    path = tmp_path / "topics.toml"
    path.write_text(OPERATOR_TOPICS.format(learned='learned = "yes"'), encoding="utf-8")
    with pytest.raises(TopicsError, match=r"topic 'llm': 'learned' must be true or false"):
        load(path)


GOOD = {"format": 1, "papers": 2, "topics": ["a", "b"], "bias": [0, 0], "bars": [0, 0]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "cannot read the topic model"),
        (json.dumps([1, 2]), "not a topic model of format 1"),
        (json.dumps({**GOOD, "format": 2, "weights": {}}), "not a topic model of format 1"),
        (json.dumps({**GOOD, "topics": [], "weights": {}}), "'topics' must be a list"),
        (json.dumps({**GOOD, "bias": [0], "weights": {}}), "bias must be 2 numbers"),
        (json.dumps({**GOOD, "bars": [0, True], "weights": {}}), "bars must be 2 numbers"),
        (json.dumps({**GOOD, "weights": []}), "'weights' must be a table"),
        (json.dumps({**GOOD, "weights": {"t:x": [1]}}), "weights: 't:x' must be 2 numbers"),
        (
            json.dumps({**GOOD, "weights": {"t:x": [1, math.inf]}}),
            "weights: 't:x' must be 2 numbers",
        ),
        (json.dumps({**GOOD, "papers": -1, "weights": {}}), "'papers' must be a count"),
    ],
)
def test_a_model_file_that_cannot_be_used_is_refused_naming_the_file(tmp_path, text, expected):
    path = tmp_path / "model.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TopicModelError) as refused:
        learned.read(path)
    assert str(path) in str(refused.value)
    assert expected in str(refused.value)


def test_a_trained_model_learns_the_words_of_a_topic_and_survives_its_file(tmp_path: Path):
    def example(text: str, topics: set[str]) -> training.Example:
        paper = Paper("x", 1, text, abstract=text)
        # The rules find some word of the topic in every paper; the words tell them apart.
        found = learned.features(paper, {"poems": 0.5})
        return training.Example(found, frozenset(topics))

    examples = [example(f"sonnet rhyme verse {i}", {"poems"}) for i in range(12)]
    examples += [example(f"engine torque gearbox {i}", set()) for i in range(12)]
    model = training.train(examples, ["poems"], folds=3)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model.document()), encoding="utf-8")
    again = learned.read(path)
    assert again == model
    assert again.papers == 24
    poem = Paper("y", 1, "A sonnet", abstract="rhyme and verse")
    engine = Paper("z", 1, "A gearbox", abstract="engine torque")
    some = {"poems": 0.5}
    assert again.margins(poem, some)["poems"] >= 0 > again.margins(engine, some)["poems"]


def test_the_packaged_model_knows_the_packaged_topics_and_every_labelled_paper():
    """A labelled paper added without training the model again fails here: run
    `bench/topics_train.py --write`."""
    model = learned.packaged()
    assert list(model.topics) == [t.slug for t in load() if t.learned]
    labelled = len(tomllib.loads(REAL.read_text(encoding="utf-8"))["paper"])
    if MARCH.exists():
        labelled += len(tomllib.loads(MARCH.read_text(encoding="utf-8"))["paper"])
    assert model.papers == labelled


def test_the_packaged_model_is_small_enough_to_ship():
    assert learned.PACKAGED.stat().st_size < 1_500_000
    assert isinstance(learned.packaged(), TopicModel)
