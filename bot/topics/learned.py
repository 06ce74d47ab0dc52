"""The learned reading of a paper's topics: per topic, a logistic model over the words of the
paper's title and abstract and the rules' own evidence, trained on hand-labelled real papers.

Keyword rules cannot reliably tell a paper about language models from one that uses one; the
words around them can, once a model has seen enough papers of each kind. The model reads the
rules' evidence for every topic as features, so it learns when to trust them and when the
rest of the paper says otherwise. A topic takes the model's answer only when its topic file
says `learned = true` and the model knows its slug; every other topic is filed by its rules.

The packaged model, `bot/data/topic_model.json`, is written by `bench/topics_train.py` from
the labelled samples in tests/fixtures; its format: `format` (1), `papers` (how many it was
trained on), `topics` (slugs), per topic `bias` and `bars` (the log-odds a paper needs), and
`weights`: feature -> one weight a topic.
Features: `t:word` and `tb:word_word` in the title, `a:word` and `b:word_word` in the
abstract, `c:category` (the primary one), and per topic `e:slug` (the rules' evidence, capped
at EVIDENCE_CAP) and `r:slug` (1 when the rules alone give the topic).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from storage.models import Paper

FORMAT = 1
PACKAGED = Path(__file__).resolve().parent.parent / "data" / "topic_model.json"
EVIDENCE_CAP = 3.0  # beyond three times the bar, more rule evidence says nothing new
_WORD = re.compile(r"[a-z][a-z0-9]*")
_STOP = frozenset(
    "the a an of and to in for on with we is are that this by as be from our at or it its"  # noqa: SIM905 - a sentence of words reads better than a list
    " can which these their has have been such not than also".split()
)


class TopicModelError(Exception):
    """A model file that cannot be used; the message names the file and what is wrong."""


def words(text: str) -> list[str]:
    """Lowercase words, stop words dropped, a plural's final s dropped ("models", "llms")."""
    return [_singular(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] == "s" and word[-2] not in "su" else word


def features(paper: Paper, evidence: Mapping[str, float]) -> dict[str, float]:
    """What the model reads of a paper: its words as 1s, the rules' evidence for every topic
    as numbers (a paper on multimodal models is less likely one about language models)."""
    title, abstract = words(paper.title), words(paper.abstract)
    found = dict.fromkeys((f"t:{w}" for w in title), 1.0)
    found.update(dict.fromkeys((f"a:{w}" for w in abstract), 1.0))
    found.update(dict.fromkeys((f"tb:{a}_{b}" for a, b in itertools.pairwise(title)), 1.0))
    found.update(dict.fromkeys((f"b:{a}_{b}" for a, b in itertools.pairwise(abstract)), 1.0))
    if paper.categories:
        found[f"c:{paper.categories[0]}"] = 1.0
    for slug, score in evidence.items():
        if score:
            found[f"e:{slug}"] = min(EVIDENCE_CAP, score)
            if score >= 1:
                found[f"r:{slug}"] = 1.0
    return found


@dataclass(frozen=True, slots=True)
class TopicModel:
    """Per topic, a bias, a bar and a weight for each feature it learned."""

    topics: tuple[str, ...]
    bias: tuple[float, ...]
    bars: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    papers: int = 0  # how many labelled papers it was trained on

    def margins(self, paper: Paper, evidence: Mapping[str, float]) -> dict[str, float]:
        """Per topic, the paper's log-odds above the topic's bar: 0 or more files it there."""
        return self.margins_of(features(paper, evidence))

    def margins_of(self, found: Mapping[str, float]) -> dict[str, float]:
        """Per topic, log-odds above its bar, of features already read. A paper without a
        word of the topic's rules is never filed there (-inf): the model weighs the rules'
        words in context, it does not find topics in papers that never name them."""
        sums = [b - bar for b, bar in zip(self.bias, self.bars, strict=True)]
        for feature, value in found.items():
            row = self.weights.get(feature)
            if row is not None:
                for i, weight in enumerate(row):
                    sums[i] += weight * value
        return {
            topic: total if f"e:{topic}" in found else -math.inf
            for topic, total in zip(self.topics, sums, strict=True)
        }

    def document(self) -> dict:
        """The model as its file holds it."""
        return {
            "format": FORMAT,
            "papers": self.papers,
            "topics": list(self.topics),
            "bias": list(self.bias),
            "bars": list(self.bars),
            "weights": {f: list(row) for f, row in sorted(self.weights.items())},
        }

    @classmethod
    def from_document(cls, document: object, source: str) -> TopicModel:
        """A model from its file's contents, every field checked."""
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise TopicModelError(f"{source}: not a topic model of format {FORMAT}")
        topics = document.get("topics")
        if (
            not isinstance(topics, list)
            or not topics
            or not all(isinstance(t, str) for t in topics)
        ):
            raise TopicModelError(f"{source}: 'topics' must be a list of topic slugs")
        size = len(topics)
        bias = _numbers(source, "bias", document.get("bias"), size)
        bars = _numbers(source, "bars", document.get("bars"), size)
        table = document.get("weights")
        if not isinstance(table, dict):
            raise TopicModelError(f"{source}: 'weights' must be a table of features")
        weights = {
            feature: _numbers(source, f"weights: {feature!r}", row, size)
            for feature, row in table.items()
        }
        papers = document.get("papers", 0)
        if not isinstance(papers, int) or isinstance(papers, bool) or papers < 0:
            raise TopicModelError(f"{source}: 'papers' must be a count of papers")
        return cls(tuple(topics), bias, bars, weights, papers)


def _numbers(source: str, key: str, value: object, size: int) -> tuple[float, ...]:
    if (
        not isinstance(value, list)
        or len(value) != size
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not all(math.isfinite(v) for v in value)
    ):
        raise TopicModelError(f"{source}: {key} must be {size} numbers, one a topic")
    return tuple(float(v) for v in value)


def read(path: Path) -> TopicModel:
    """The model of a file; TopicModelError names the file when it cannot be used."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise TopicModelError(f"{path}: cannot read the topic model: {exc}") from None
    return TopicModel.from_document(document, str(path))


@cache
def packaged() -> TopicModel:
    """The model shipped with the bot."""
    return read(PACKAGED)
