"""The ranking of a topic's issue: one score per paper, made of parts a reader can be told.

Pure: a paper's signals and the weights in, its score and parts out. The weights are data,
`bot/data/ranking.toml`, whose header documents the formula; `load` reads that file (or
another with the same keys) and names the key that is wrong. Editor picks lead whatever
their score; the rest go by score, then the newest first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from bot.data_files import read_toml
from storage.models import CommunitySignal

DEFAULT_FILE = "ranking.toml"
_TABLES = {
    "weights": (
        "topic_fit",
        "hf_presence",
        "hf_upvotes",
        "hf_comments",
        "importance",
        "reader_votes",
    ),
    "fit_gate": ("floor", "full"),
    "community": ("comments_full",),
    "topic_sources": ("model",),
    "taste": ("weight", "dislike", "min_votes", "terms", "embeddings"),
}
_COUNTS = {"taste_min_votes", "taste_terms"}  # whole numbers
NO_IMPORTANCE = 0.5  # a paper no model rated is neither pushed up nor held down


class RankingError(Exception):
    """A ranking file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Weights:
    topic_fit: float = 1.0
    hf_presence: float = 1.5
    hf_upvotes: float = 1.0
    hf_comments: float = 0.25
    importance: float = 0.5
    reader_votes: float = 0.3
    fit_floor: float = 0.4
    fit_full: float = 0.75
    comments_full: int = 10
    model_fit: float = 0.9  # the fit of a topic a summary model chose for the paper
    taste: float = 3.0  # a chat's taste, -1 to 1, in its own issue (bot.digest.taste)
    taste_dislike: float = 1.0
    taste_min_votes: int = 3
    taste_terms: int = 20
    taste_embeddings: float = 0.25  # the share of the taste papers' embeddings make, 0 to 1

    def scaled(self, name: str, factor: float) -> Weights:
        """The same weights with one of them multiplied (to measure how much it matters)."""
        return replace(self, **{name: getattr(self, name) * factor})


# Baselines for measuring the ranking: the topic rules alone, and the newest first.
_NOTHING = dict.fromkeys(
    ("hf_presence", "hf_upvotes", "hf_comments", "importance", "reader_votes"), 0.0
)
RULES_ONLY = Weights(topic_fit=1.0, **_NOTHING, fit_floor=0.0, fit_full=0.0)
RECENCY_ONLY = Weights(topic_fit=0.0, **_NOTHING, fit_floor=0.0, fit_full=0.0)


@dataclass(frozen=True, slots=True)
class Signals:
    """What is known of one paper when a topic's issue is composed."""

    paper_id: int
    announced: datetime | None = None
    pick_position: int | None = None  # the editor's order, when an editor picked it
    fit: float | None = None  # the topic match's score, 0 to 1; None off the topic
    importance: float | None = None  # a model's 1 to 5
    community: CommunitySignal | None = None
    votes: float = 0.0  # readers' votes, -1 to 1


@dataclass(frozen=True, slots=True)
class Score:
    """A paper's score and its parts, each part already weighted."""

    signals: Signals
    total: float
    gate: float
    parts: dict[str, float]
    taste: float | None = None  # the chat's taste, -1 to 1, in a chat's own issue

    @property
    def picked(self) -> bool:
        return self.signals.pick_position is not None


def score(signals: Signals, weights: Weights) -> Score:
    """One paper's score for a topic."""
    fit = signals.fit if signals.fit is not None else 0.0
    signal = signals.community
    raw = {
        "topic_fit": fit,
        "hf_presence": 1.0 if signal else 0.0,
        "hf_upvotes": signal.day_share if signal else 0.0,
        "hf_comments": _talk(signal.comments, weights.comments_full) if signal else 0.0,
        "importance": _rated(signals.importance),
        "reader_votes": max(-1.0, min(1.0, signals.votes)),
    }
    parts = {key: round(getattr(weights, key) * value, 4) for key, value in raw.items()}
    gate = _gate(fit, weights) if signals.pick_position is None else 1.0
    return Score(signals, round(gate * sum(parts.values()), 4), round(gate, 4), parts)


def readers_verdict(up: int, down: int, half: int = 3) -> float:
    """Readers' votes across all chats as -1 to 1: a net `half` votes count half-way."""
    net = up - down
    return net / (abs(net) + half) if net else 0.0


def rank(found: Iterable[Signals], weights: Weights, cap: int | None = None) -> list[Score]:
    """Editor picks in their order, then the best score, then the newest; at most `cap`."""
    return ordered((score(signals, weights) for signals in found), cap)


def ordered(scores: Iterable[Score], cap: int | None = None) -> list[Score]:
    """Scored papers in an issue's order: editor picks, the best score, the newest."""
    found = sorted(scores, key=_order)
    return found if cap is None else found[:cap]


def _order(item: Score) -> tuple:
    return order_key(item.signals, item.total)


def order_key(signals: Signals, total: float) -> tuple:
    """Where a paper of this `total` stands in an issue: smaller first."""
    when = signals.announced.timestamp() if signals.announced else 0.0
    pick = signals.pick_position if signals.pick_position is not None else math.inf
    return (pick, -total, -when, -signals.paper_id)


def _gate(fit: float, weights: Weights) -> float:
    if weights.fit_full <= weights.fit_floor:
        return 1.0
    return max(0.0, min(1.0, (fit - weights.fit_floor) / (weights.fit_full - weights.fit_floor)))


def _talk(comments: int, full: int) -> float:
    return min(1.0, math.log1p(comments) / math.log1p(full)) if full > 0 else 0.0


def _rated(importance: float | None) -> float:
    if importance is None:
        return NO_IMPORTANCE
    return max(0.0, min(1.0, (importance - 1) / 4))


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> Weights:
    """The weights of a ranking file, or the packaged ones when no path is given."""
    source, document = read_toml(path, DEFAULT_FILE, RankingError)
    return _weights(source, document)


def _weights(source: str, document: dict) -> Weights:
    values: dict[str, float] = {}
    for table, keys in _TABLES.items():
        found = document.get(table, {})
        if not isinstance(found, dict):
            raise RankingError(f"{source}: [{table}] must be a table")
        for key, value in found.items():
            if key not in keys:
                raise RankingError(f"{source}: [{table}] has an unknown key {key!r}")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise RankingError(f"{source}: [{table}] {key} must be a number, 0 or more")
            name = _field(table, key)
            if name in _COUNTS and value != int(value):
                raise RankingError(f"{source}: [{table}] {key} must be a whole number")
            values[name] = int(value) if name in _COUNTS else value
    unknown = set(document) - set(_TABLES)
    if unknown:
        raise RankingError(f"{source}: unknown table {sorted(unknown)[0]!r}")
    weights = Weights(**values)
    if weights.fit_full < weights.fit_floor:
        raise RankingError(f"{source}: [fit_gate] full must not be below floor")
    if weights.taste_embeddings > 1:
        raise RankingError(f"{source}: [taste] embeddings must be from 0 to 1")
    return weights


def _field(table: str, key: str) -> str:
    if table == "topic_sources":
        return f"{key}_fit"
    if table == "taste":
        return "taste" if key == "weight" else f"taste_{key}"
    return f"fit_{key}" if table == "fit_gate" else key
