"""Training the learned topic model (bot/topics/learned.py) on labelled papers, and judging it
honestly: each paper's answer comes from a model that never saw that paper.

One logistic regression per topic, fitted together by full-batch Adam over the papers'
features held sparse (a thousand papers hold some 300,000 values of ten thousand features): a
few seconds a fit in numpy. The words' weights are held small by an L2 penalty; the rules'
evidence is penalised a hundred times less, so the model starts from the rules and moves off
them only where the words say so. Each topic's bar is the log-odds that gives the best F1 in a
cross-validation over the training papers.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.topics.learned import TopicModel

MIN_PAPERS = 3  # a word seen in fewer training papers is left out
L2 = 1.0
RULE_PENALTY = 0.01  # the rules' evidence is regularised this much less than a word
STEPS = 600
STEP_SIZE = 0.05
BAR_CHOICES = tuple(x / 4 for x in range(-12, 5))  # -3 to +1 in quarters
KEEP = 0.002  # weights smaller than this everywhere are left out of the file


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled paper as the model reads it."""

    features: Mapping[str, float]
    topics: frozenset[str]


def fit(examples: Sequence[Example], topics: Sequence[str], bars: Sequence[float]) -> TopicModel:
    """A model of the examples with the given bars."""
    counts = Counter(f for e in examples for f in e.features if not _is_rule(f))
    vocabulary = sorted(f for f, n in counts.items() if n >= MIN_PAPERS)
    vocabulary += sorted({f for e in examples for f in e.features if _is_rule(f)})
    x = _matrix(examples, vocabulary)
    y = np.array([[t in e.topics for t in topics] for e in examples], np.float64)
    penalty = np.array([[RULE_PENALTY if _is_rule(f) else 1.0] for f in vocabulary])
    w, b = _descend(x, y, penalty * L2)
    weights = {
        f: tuple(round(float(v), 4) for v in row)
        for f, row in zip(vocabulary, w, strict=True)
        if float(np.abs(row).max()) >= KEEP
    }
    return TopicModel(
        tuple(topics),
        tuple(round(float(v), 4) for v in b),
        tuple(float(v) for v in bars),
        weights,
        len(examples),
    )


def train(examples: Sequence[Example], topics: Sequence[str], folds: int = 5) -> TopicModel:
    """A model of all the examples, each topic's bar chosen by cross-validation over them."""
    margins = cross_validated(examples, topics, [0.0] * len(topics), folds)
    return fit(examples, topics, choose_bars(margins, examples, topics))


def cross_validated(
    examples: Sequence[Example], topics: Sequence[str], bars: Sequence[float], folds: int = 5
) -> list[dict[str, float]]:
    """Each example's margins by a model fitted on the other folds (shuffled, seed 1)."""
    return _judged_apart(examples, folds, 1, lambda rest: fit(rest, topics, bars))


def nested(
    examples: Sequence[Example], topics: Sequence[str], folds: int = 5
) -> list[dict[str, float]]:
    """Each example's margins by a model trained as `train` trains one, without it: its bars
    too chosen on the other folds only. The honest figure of the training procedure."""
    return _judged_apart(examples, folds, 2, lambda rest: train(rest, topics, folds))


def _judged_apart(
    examples: Sequence[Example],
    folds: int,
    seed: int,
    make: Callable[[list[Example]], TopicModel],
) -> list[dict[str, float]]:
    """Each example's margins by a model `make` builds from the folds it is not in."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    margins: list[dict[str, float]] = [{} for _ in examples]
    for fold in range(folds):
        held = set(order[fold::folds])
        model = make([e for i, e in enumerate(examples) if i not in held])
        for i in held:
            margins[i] = model.margins_of(examples[i].features)
    return margins


def choose_bars(
    margins: Sequence[Mapping[str, float]], examples: Sequence[Example], topics: Sequence[str]
) -> list[float]:
    """Per topic, the bar with the best F1 (the higher bar when two tie)."""
    bars = []
    for topic in topics:
        labels = [topic in e.topics for e in examples]
        scores = [m[topic] for m in margins]
        best = max(BAR_CHOICES, key=lambda bar: (_f1(scores, labels, bar), bar))
        bars.append(best)
    return bars


def _f1(scores: Iterable[float], labels: Iterable[bool], bar: float) -> float:
    tp = fp = fn = 0
    for s, y in zip(scores, labels, strict=True):
        if s >= bar:
            tp += y
            fp += not y
        else:
            fn += y
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _is_rule(feature: str) -> bool:
    return feature.startswith(("e:", "r:"))


@dataclass(frozen=True, slots=True)
class _Sparse:
    """Examples by features, as the non-zero values of each row (few hundred of thousands)."""

    rows: np.ndarray  # the row of each value
    columns: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    def times(self, w: np.ndarray) -> np.ndarray:
        """This matrix times w (features by topics)."""
        products = self.values[:, None] * w[self.columns]
        return np.stack(
            [np.bincount(self.rows, products[:, k], self.shape[0]) for k in range(w.shape[1])],
            axis=1,
        )

    def transposed_times(self, e: np.ndarray) -> np.ndarray:
        """This matrix's transpose times e (examples by topics)."""
        products = self.values[:, None] * e[self.rows]
        return np.stack(
            [np.bincount(self.columns, products[:, k], self.shape[1]) for k in range(e.shape[1])],
            axis=1,
        )


def _matrix(examples: Sequence[Example], vocabulary: Sequence[str]) -> _Sparse:
    index = {f: i for i, f in enumerate(vocabulary)}
    rows, columns, values = [], [], []
    for row, example in enumerate(examples):
        for feature, value in example.features.items():
            column = index.get(feature)
            if column is not None:
                rows.append(row)
                columns.append(column)
                values.append(value)
    return _Sparse(
        np.array(rows, np.intp),
        np.array(columns, np.intp),
        np.array(values, np.float64),
        (len(examples), len(vocabulary)),
    )


def _descend(x: _Sparse, y: np.ndarray, penalty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights and biases minimising the mean log loss plus the penalty, by Adam."""
    n = x.shape[0]
    w = np.zeros((x.shape[1], y.shape[1]))
    b = np.zeros(y.shape[1])
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, STEPS + 1):
        p = 1 / (1 + np.exp(-np.clip(x.times(w) + b, -30, 30)))
        error = (p - y) / n
        gradient = x.transposed_times(error) + penalty * w / n
        b -= 0.5 * error.sum(axis=0)
        m = 0.9 * m + 0.1 * gradient
        v = 0.999 * v + 0.001 * gradient * gradient
        w -= STEP_SIZE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w, b
