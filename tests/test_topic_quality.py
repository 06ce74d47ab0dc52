"""The packaged topics keep their quality: the rules on the shipped synthetic sample and on
the real labelled samples where the shared fixtures are, and the learned model on real papers
it never saw.

The rules' target is per topic, on the part of the fixture fortnight's sample they were
tuned on; the third held out (never looked at while tuning) is held to a lower bar, since it
has only 7 to 27 papers per topic and was not tuned against. The topics the learned model
files are held to what it achieves by nested cross-validation over all 1,000 real labelled
papers, and to doing better than their rules there: the reason they are handed to it."""

from __future__ import annotations

import pytest

from bot.topics import training
from bot.topics.config import TopicMatcher, load
from tests.topic_samples import (
    Figures,
    Labelled,
    all_real_samples,
    examples,
    measure,
    real_sample,
    synthetic_sample,
)

TARGET = (0.85, 0.75)  # precision, recall
HELD_OUT_FLOOR = (0.6, 0.5)
SLUGS = [t.slug for t in load()]
LEARNED = [t.slug for t in load() if t.learned]
RULED = [slug for slug in SLUGS if slug not in LEARNED]
# Nested cross-validation over the 1,000 papers gave llm 0.71 / 0.63, finetuning 0.70 / 0.74,
# efficiency 0.73 / 0.76; the floors leave a paper or two of room.
LEARNED_FLOOR = {"llm": (0.68, 0.6), "finetuning": (0.67, 0.71), "efficiency": (0.68, 0.72)}


@pytest.fixture(scope="module")
def matcher() -> TopicMatcher:
    return TopicMatcher(load())


@pytest.fixture(scope="module")
def real() -> list[Labelled]:
    sample = real_sample()
    if sample is None:
        pytest.skip("real fixture feeds not found: set DIGESTBOT_FIXTURES to shared/fixtures")
    return sample


@pytest.fixture(scope="module")
def tuned(matcher, real) -> dict[str, Figures]:
    return figures(matcher, [item for item in real if item.part == "tune"])


@pytest.fixture(scope="module")
def held_out(matcher, real) -> dict[str, Figures]:
    return figures(matcher, [item for item in real if item.part == "held-out"])


def figures(matcher: TopicMatcher, sample: list[Labelled]) -> dict[str, Figures]:
    return measure(((i, [m.slug for m in matcher.match(i.paper)]) for i in sample), SLUGS)


def meets(f: Figures, bar: tuple[float, float]) -> bool:
    return f.precision >= bar[0] and f.recall >= bar[1]


def micro(per_topic: dict[str, Figures]) -> tuple[float, float]:
    tp = sum(f.true_positives for f in per_topic.values())
    fp = sum(f.false_positives for f in per_topic.values())
    fn = sum(f.false_negatives for f in per_topic.values())
    return tp / (tp + fp), tp / (tp + fn)


def test_the_synthetic_sample_keeps_its_quality(matcher):
    per_topic = figures(matcher, synthetic_sample())
    precision, recall = micro(per_topic)
    assert precision >= 0.9
    assert recall >= 0.7
    assert sum(f.f1 for f in per_topic.values()) / len(per_topic) >= 0.83


def test_the_real_samples_are_labelled_as_described(real):
    assert len(real) >= 700
    assert sum(not item.topics for item in real) >= 250  # papers on no topic
    assert {item.part for item in real} == {"tune", "held-out", "later"}
    assert all(
        (item.part == "held-out") == (int(item.paper.arxiv_id.replace(".", "")) % 3 == 0)
        for item in real
        if item.part != "later"
    )
    counts = {slug: sum(slug in item.topics for item in real) for slug in SLUGS}
    assert min(counts.values()) >= 20, counts
    march = (all_real_samples() or {}).get("March 2024")
    assert march is not None
    assert len(march) >= 280
    assert not {item.paper.arxiv_id for item in march} & {item.paper.arxiv_id for item in real}


@pytest.mark.parametrize("slug", RULED)
def test_each_topic_meets_the_target_on_the_papers_it_was_tuned_on(tuned, slug):
    assert meets(tuned[slug], TARGET), tuned[slug]


def test_the_rules_meet_the_target_on_the_tuning_part_as_a_whole(tuned):
    # 0.88 / 0.90 on the six topics the rules file
    precision, recall = micro({slug: tuned[slug] for slug in RULED})
    assert precision >= 0.87
    assert recall >= 0.88


@pytest.mark.parametrize("slug", SLUGS)
def test_each_topic_holds_on_the_papers_nobody_tuned_against(held_out, slug):
    assert meets(held_out[slug], HELD_OUT_FLOOR), held_out[slug]


def test_the_rules_hold_on_the_held_out_part_as_a_whole(held_out):
    # 0.82 / 0.87 on the six topics the rules file
    precision, recall = micro({slug: held_out[slug] for slug in RULED})
    assert precision >= 0.8
    assert recall >= 0.85


@pytest.fixture(scope="module")
def judged_unseen() -> tuple[list, list[dict[str, float]]]:
    """Every real labelled paper (both fortnights), each judged by a model trained as the
    packaged one is, on the other four fifths of the papers only (nested cross-validation)."""
    samples = all_real_samples()
    if samples is None:
        pytest.skip("real fixture feeds not found: set DIGESTBOT_FIXTURES to shared/fixtures")
    rows = examples(TopicMatcher(load()), [i for s in samples.values() for i in s])
    return rows, training.nested(rows, LEARNED)


@pytest.mark.parametrize("slug", LEARNED)
def test_the_model_files_its_topics_better_than_their_rules_on_papers_it_never_saw(
    judged_unseen, slug
):
    rows, margins = judged_unseen
    labels = [slug in row.topics for row in rows]
    model = figures_of([m[slug] >= 0 for m in margins], labels)
    rules = figures_of([row.features.get(f"r:{slug}", 0.0) > 0 for row in rows], labels)
    assert meets(model, LEARNED_FLOOR[slug]), model
    assert model.f1 >= rules.f1 + 0.02, (model, rules)


def figures_of(decided: list[bool], labels: list[bool]) -> Figures:
    pairs = list(zip(decided, labels, strict=True))
    return Figures(
        sum(d and y for d, y in pairs),
        sum(d and not y for d, y in pairs),
        sum(y and not d for d, y in pairs),
    )


@pytest.mark.parametrize("slug", LEARNED)
def test_the_best_scored_half_of_each_learned_topic_is_on_the_topic(judged_unseen, slug):
    """A digest shows a topic's best-scored papers first: among the papers the model files
    there, the better half by its margin is on the topic (nested: llm 0.87, finetuning 0.88,
    efficiency 0.83; the rules' best half of llm: 0.74)."""
    rows, margins = judged_unseen
    filed = sorted(
        (
            (m[slug], slug in row.topics)
            for m, row in zip(margins, rows, strict=True)
            if m[slug] >= 0
        ),
        key=lambda pair: -pair[0],
    )
    best = filed[: round(len(filed) / 2)]
    assert sum(on for _, on in best) / len(best) >= 0.8
