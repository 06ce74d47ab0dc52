"""Topic rules: precision, recall and F1 per topic on the labelled samples, and microseconds
per paper. The last line is one JSON object.

The rules alone: the learned model that the packaged topics also use is measured by
bench/topics_train.py, on papers it never saw. Samples: the synthetic one shipped in
tests/fixtures, and the real ones labelled by hand: the papers of the fixture fortnight,
reported whole, on the part the rules were tuned on, on the third held out from that tuning
and on the later draw labelled after it; and the papers of March 2024. The real ones need
the shared fixtures: `DIGESTBOT_FIXTURES=/path/to/shared/fixtures`, or `shared/fixtures`
beside the repository.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.topics.config import TopicMatcher, load  # noqa: E402
from bot.topics.config import matcher as bot_matcher  # noqa: E402
from storage.models import Paper  # noqa: E402
from tests.topic_samples import (  # noqa: E402
    Figures,
    Labelled,
    march_sample,
    measure,
    real_sample,
    shared_fixtures,
    synthetic_sample,
)


def quality(matcher: TopicMatcher, slugs: list[str], sample: list[Labelled]) -> dict:
    figures = measure(
        ((item, [m.slug for m in matcher.match(item.paper)]) for item in sample), slugs
    )
    return {slug: _rounded(f) for slug, f in figures.items()}


def _rounded(f: Figures) -> dict[str, float]:
    return {
        "precision": round(f.precision, 3),
        "recall": round(f.recall, 3),
        "f1": round(f.f1, 3),
        "support": f.support,
    }


def report(name: str, sample: list[Labelled], figures: dict) -> float:
    """Print one sample's table; its macro F1."""
    print(f"\n{name}: {len(sample)} papers, {sum(not i.topics for i in sample)} on no topic")
    print(f"{'topic':<12}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for slug, f in figures.items():
        print(
            f"{slug:<12}{f['precision']:>10.2f}{f['recall']:>8.2f}{f['f1']:>7.2f}{f['support']:>9}"
        )
    macro_f1 = round(sum(f["f1"] for f in figures.values()) / len(figures), 3)
    print(f"macro F1: {macro_f1}")
    return macro_f1


def microseconds_per_paper(matcher: TopicMatcher, papers: list[Paper], rounds: int = 30) -> float:
    """Best of several timed passes, so other work on the machine disturbs the figure less."""
    for paper in papers:
        matcher.match(paper)  # words seen once are remembered, as in a running ingest
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for paper in papers:
            matcher.match(paper)
        best = min(best, time.perf_counter() - start)
    return best / len(papers) * 1e6


def main() -> None:
    topics = load()
    slugs = [t.slug for t in topics]
    matcher = TopicMatcher(topics)
    result: dict = {}
    synthetic = synthetic_sample()
    result["synthetic"] = quality(matcher, slugs, synthetic)
    result["synthetic_macro_f1"] = report("synthetic sample", synthetic, result["synthetic"])

    real = real_sample()
    if real is None:
        print(f"\nreal sample skipped: no fixture feeds under {shared_fixtures()}")
    else:
        parts = {
            "real": real,
            "real_tune": [item for item in real if item.part == "tune"],
            "real_held_out": [item for item in real if item.part == "held-out"],
            "real_later": [item for item in real if item.part == "later"],
        }
        march = march_sample()
        if march:
            parts["march"] = march
        for key, sample in parts.items():
            result[key] = quality(matcher, slugs, sample)
            result[f"{key}_macro_f1"] = report(key.replace("_", " "), sample, result[key])

    papers = [item.paper for item in real or synthetic]
    result["us_per_paper"] = round(microseconds_per_paper(matcher, papers), 1)
    result["us_per_paper_learned"] = round(microseconds_per_paper(bot_matcher(topics), papers), 1)
    print(
        f"\nmatching: {result['us_per_paper']:.1f} µs per paper by the rules,"
        f" {result['us_per_paper_learned']:.1f} µs with the learned model"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
