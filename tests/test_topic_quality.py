"""The packaged topic rules keep their quality: on the shipped synthetic sample, and on the
real labelled sample (386 papers of the fixture fortnight) where the shared fixtures are."""

from __future__ import annotations

import pytest

from bot.topics.config import TopicMatcher, load
from tests.topic_samples import Figures, Labelled, measure, real_sample, synthetic_sample


@pytest.fixture(scope="module")
def matcher_and_slugs():
    topics = load()
    return TopicMatcher(topics), [t.slug for t in topics]


@pytest.fixture(scope="module")
def real() -> list[Labelled]:
    sample = real_sample()
    if sample is None:
        pytest.skip("real fixture feeds not found: set DIGESTBOT_FIXTURES to shared/fixtures")
    return sample


def figures(matcher_and_slugs, sample: list[Labelled]) -> dict[str, Figures]:
    matcher, slugs = matcher_and_slugs
    return measure(((i, [m.slug for m in matcher.match(i.paper)]) for i in sample), slugs)


def micro(per_topic: dict[str, Figures]) -> tuple[float, float]:
    tp = sum(f.true_positives for f in per_topic.values())
    fp = sum(f.false_positives for f in per_topic.values())
    fn = sum(f.false_negatives for f in per_topic.values())
    return tp / (tp + fp), tp / (tp + fn)


def test_the_synthetic_sample_keeps_its_quality(matcher_and_slugs):
    per_topic = figures(matcher_and_slugs, synthetic_sample())
    precision, recall = micro(per_topic)
    assert precision >= 0.9
    assert recall >= 0.7
    assert sum(f.f1 for f in per_topic.values()) / len(per_topic) >= 0.83


def test_the_real_sample_is_labelled_as_described(real):
    assert len(real) >= 300
    assert sum(not item.topics for item in real) >= 100  # papers on no topic
    assert {item.part for item in real} == {"tune", "held-out"}
    counts = {slug: sum(slug in item.topics for item in real) for slug in _slugs()}
    assert min(counts.values()) >= 15, counts


def test_every_topic_holds_on_the_real_sample(matcher_and_slugs, real):
    per_topic = figures(matcher_and_slugs, real)
    precision, recall = micro(per_topic)
    assert precision >= 0.77
    assert recall >= 0.75
    for slug, f in per_topic.items():
        assert f.precision >= 0.65, (slug, f)
        assert f.recall >= 0.55, (slug, f)


def test_the_rules_hold_on_the_part_they_were_not_tuned_on(matcher_and_slugs, real):
    held_out = [item for item in real if item.part == "held-out"]
    precision, recall = micro(figures(matcher_and_slugs, held_out))
    assert precision >= 0.77
    assert recall >= 0.7


def _slugs() -> list[str]:
    return [t.slug for t in load()]
