"""The labelled samples the topic rules are measured on, and their precision and recall.

Two samples: the synthetic one shipped in tests/fixtures (papers written in arXiv's style,
abstracts included), and the real one, whose file holds only arXiv ids and labels: the
papers' titles, abstracts and categories are read from the real arXiv feeds of the fixture
fortnight beside the repository (`shared/fixtures`, or DIGESTBOT_FIXTURES), so it is None
where those are absent.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.ingest import arxiv_rss
from bot.topics import learned, training
from bot.topics.matcher import TopicMatcher
from storage.models import Paper

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SYNTHETIC = FIXTURES / "topics_labelled.toml"
REAL = FIXTURES / "topics_real_labelled.toml"
FEEDS = ("curation/arxiv_rss", "curation/earlier_arxiv_rss")
MARCH = FIXTURES / "topics_march_labelled.toml"
MARCH_PAPERS = "crosslingual/cn_chat_arxiv_2024-03.jsonl"


@dataclass(frozen=True, slots=True)
class Labelled:
    """A paper and the topics an editor files it under."""

    paper: Paper
    topics: frozenset[str]
    part: str = "tune"  # or "held-out": never looked at while tuning the rules


@dataclass(frozen=True, slots=True)
class Figures:
    """How one topic's rules fare on a sample."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives


def shared_fixtures() -> Path:
    """Where the shared real fixtures are: DIGESTBOT_FIXTURES, or shared/ beside the repo."""
    configured = os.environ.get("DIGESTBOT_FIXTURES")
    return Path(configured) if configured else REPO.parent / "shared" / "fixtures"


def synthetic_sample() -> list[Labelled]:
    items = tomllib.loads(SYNTHETIC.read_text(encoding="utf-8"))["paper"]
    return [
        Labelled(
            Paper(
                f"s{i}",
                1,
                item["title"],
                abstract=item["abstract"],
                categories=tuple(item["categories"]),
            ),
            frozenset(item["topics"]),
        )
        for i, item in enumerate(items)
    ]


def real_sample(root: Path | None = None) -> list[Labelled] | None:
    """The real labelled papers, read from the feeds; None when the feeds are absent."""
    papers = _feed_papers(root or shared_fixtures())
    if papers is None:
        return None
    items = tomllib.loads(REAL.read_text(encoding="utf-8"))["paper"]
    missing = [item["id"] for item in items if item["id"] not in papers]
    if missing:
        raise LookupError(f"{len(missing)} labelled papers are not in the feeds: {missing[:5]}")
    return [Labelled(papers[item["id"]], frozenset(item["topics"]), item["part"]) for item in items]


def march_sample(root: Path | None = None) -> list[Labelled] | None:
    """The labelled papers of March 2024, read from the cross-language fixture (abstracts cut
    near 950 characters there, the listing's feeds as categories); None when it is absent."""
    papers = _march_papers(root or shared_fixtures())
    if papers is None or not MARCH.exists():
        return None
    items = tomllib.loads(MARCH.read_text(encoding="utf-8"))["paper"]
    return [Labelled(papers[item["id"]], frozenset(item["topics"]), "march") for item in items]


def all_real_samples(root: Path | None = None) -> dict[str, list[Labelled]] | None:
    """Every real labelled sample by its fortnight; None when the feeds are absent."""
    june = real_sample(root)
    if june is None:
        return None
    samples = {"June 2024": june}
    march = march_sample(root)
    if march:
        samples["March 2024"] = march
    return samples


@cache
def _march_papers(root: Path) -> dict[str, Paper] | None:
    path = root / MARCH_PAPERS
    if not path.is_file():
        return None
    papers: dict[str, Paper] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        papers.setdefault(
            row["arxiv_id"],
            Paper(
                row["arxiv_id"],
                1,
                row["title"],
                abstract=row["abstract"],
                categories=tuple(row["feeds"]),
            ),
        )
    return papers


@cache
def _feed_papers(root: Path) -> dict[str, Paper] | None:
    folders = [root / feed for feed in FEEDS]
    if not all(folder.is_dir() for folder in folders):
        return None
    papers: dict[str, Paper] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.xml")):
            for paper in arxiv_rss.parse(path.read_bytes(), str(path)).papers:
                papers.setdefault(paper.arxiv_id, paper)
    return papers


def examples(matcher: TopicMatcher, sample: Iterable[Labelled]) -> list[training.Example]:
    """The labelled papers as the learned model reads them, with the rules' evidence."""
    return [
        training.Example(learned.features(item.paper, matcher.evidence(item.paper)), item.topics)
        for item in sample
    ]


def measure(
    found: Iterable[tuple[Labelled, Iterable[str]]], slugs: Sequence[str]
) -> dict[str, Figures]:
    """Per topic, how the topics found for each labelled paper compare with its labels."""
    counts = {slug: [0, 0, 0] for slug in slugs}
    for item, topics in found:
        given = set(topics)
        for slug in slugs:
            if slug in given:
                counts[slug][0 if slug in item.topics else 1] += 1
            elif slug in item.topics:
                counts[slug][2] += 1
    return {slug: Figures(*c) for slug, c in counts.items()}
