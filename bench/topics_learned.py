"""Would a small learned model, blended with the topic rules, file papers better than the
rules alone? Measured, not shipped: it is shipped only if it beats the rules on papers it
was not trained on.

Per topic (`--topics llm,finetuning` by default), a logistic regression over the words of
the title, the words and word pairs of the abstract, and the rules' own evidence for the
topic (`TopicMatcher.evidence`, capped at 3), trained on the tuning part of the real
labelled sample. Reported beside the rules alone, at the model's even odds and at the
decision bars around it, alone and as an addition to the rules (a paper the rules give the
topic keeps it):
- k-fold cross-validation over the tuning part (`--folds 5`, shuffled with `--seed 1`):
  each paper is judged by a model trained on the other folds;
- the held-out third, judged by a model trained on the whole tuning part.
Never a model's figures on the papers it was trained on. Pure Python, deterministic; about a
minute a topic. Needs the shared fixtures (`DIGESTBOT_FIXTURES`). The last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.topics.config import TopicMatcher, load  # noqa: E402
from storage.models import Paper  # noqa: E402
from tests.topic_samples import Labelled, real_sample, shared_fixtures  # noqa: E402

_WORD = re.compile(r"[a-z][a-z0-9]+")
_STOP = frozenset(
    "the a an of and to in for on with we is are that this by as be from our at or it its"  # noqa: SIM905 - a sentence of words reads better than a list
    " can which these their has have been such not than also".split()
)
BARS = (-1.0, -0.5, 0.0, 0.5, 1.0)  # log-odds; 0 is even odds
EVIDENCE_CAP = 3.0  # beyond three times the bar, more rule evidence says nothing new
MIN_PAPERS = 3  # a feature seen in fewer training papers is left out


def features(paper: Paper) -> frozenset[str]:
    """Title words, abstract words and abstract word pairs, stop words dropped."""
    title = [w for w in _WORD.findall(paper.title.lower()) if w not in _STOP]
    abstract = [w for w in _WORD.findall(paper.abstract.lower()) if w not in _STOP]
    found = {f"t:{w}" for w in title} | {f"a:{w}" for w in abstract}
    found.update(f"b:{a}_{b}" for a, b in itertools.pairwise(abstract))
    return frozenset(found)


class Model:
    """Logistic regression, L2-regularised, by full-batch gradient descent."""

    def __init__(self, l2: float = 1.0, epochs: int = 400, rate: float = 1.0) -> None:
        self.l2, self.epochs, self.rate = l2, epochs, rate
        self.weights: dict[str, float] = {}
        self.evidence_weight = 0.0
        self.bias = 0.0

    def fit(self, rows: list[tuple[frozenset[str], float, bool]]) -> Model:
        seen = Counter(f for row in rows for f in row[0])
        self.weights = {f: 0.0 for f, n in seen.items() if n >= MIN_PAPERS}
        n = len(rows)
        for _ in range(self.epochs):
            gradient: dict[str, float] = {}
            g_evidence = g_bias = 0.0
            for words, evidence, label in rows:
                error = _sigmoid(self.log_odds(words, evidence)) - label
                g_bias += error
                g_evidence += error * evidence
                for f in words:
                    if f in self.weights:
                        gradient[f] = gradient.get(f, 0.0) + error
            self.bias -= self.rate * g_bias / n
            self.evidence_weight -= self.rate * g_evidence / n
            for f, w in self.weights.items():
                self.weights[f] = w - self.rate * (gradient.get(f, 0.0) + self.l2 * w) / n
        return self

    def log_odds(self, words: frozenset[str], evidence: float) -> float:
        weights = self.weights
        return self.bias + self.evidence_weight * evidence + sum(weights.get(f, 0.0) for f in words)


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def figures(decided: list[bool], labels: list[bool]) -> dict[str, float]:
    tp = sum(d and y for d, y in zip(decided, labels, strict=True))
    fp = sum(d and not y for d, y in zip(decided, labels, strict=True))
    fn = sum(y and not d for d, y in zip(decided, labels, strict=True))
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
    }


def rows_of(matcher: TopicMatcher, slug: str, sample: list[Labelled]) -> list:
    return [
        (
            features(item.paper),
            min(EVIDENCE_CAP, matcher.evidence(item.paper).get(slug, 0.0)),
            slug in item.topics,
        )
        for item in sample
    ]


def measure(slug: str, tune: list, held_out: list, folds: int, seed: int, l2: float) -> dict:
    order = list(range(len(tune)))
    random.Random(seed).shuffle(order)
    cv_odds = [0.0] * len(tune)
    for fold in range(folds):
        test = set(order[fold::folds])
        model = Model(l2).fit([row for i, row in enumerate(tune) if i not in test])
        for i in test:
            cv_odds[i] = model.log_odds(tune[i][0], tune[i][1])
    model = Model(l2).fit(tune)
    held_odds = [model.log_odds(words, evidence) for words, evidence, _ in held_out]
    tune_labels = [row[2] for row in tune]
    held_labels = [row[2] for row in held_out]
    return {
        "rules": {
            "tune": figures([row[1] >= 1 for row in tune], tune_labels),
            "held_out": figures([row[1] >= 1 for row in held_out], held_labels),
        },
        "blend": {
            str(bar): {
                "cross_validated": figures([z >= bar for z in cv_odds], tune_labels),
                "held_out": figures([z >= bar for z in held_odds], held_labels),
            }
            for bar in BARS
        },
        # The model only adding papers to the rules' own: does it find what they miss?
        "rules_or_blend": {
            str(bar): {
                "cross_validated": figures(
                    [z >= bar or row[1] >= 1 for z, row in zip(cv_odds, tune, strict=True)],
                    tune_labels,
                ),
                "held_out": figures(
                    [z >= bar or row[1] >= 1 for z, row in zip(held_odds, held_out, strict=True)],
                    held_labels,
                ),
            }
            for bar in BARS
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topics", default="llm,finetuning")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--l2", type=float, default=1.0)
    args = parser.parse_args()
    real = real_sample()
    if real is None:
        print(f"real sample skipped: no fixture feeds under {shared_fixtures()}")
        return
    matcher = TopicMatcher(load())
    result = {}
    for slug in args.topics.split(","):
        tune = rows_of(matcher, slug, [i for i in real if i.part == "tune"])
        held_out = rows_of(matcher, slug, [i for i in real if i.part == "held-out"])
        result[slug] = measured = measure(slug, tune, held_out, args.folds, args.seed, args.l2)
        print(f"\n{slug}: precision / recall")
        rules = measured["rules"]
        print(
            f"  {'rules alone':<28} tuning {_pr(rules['tune'])}   held-out {_pr(rules['held_out'])}"
        )
        for name in ("blend", "rules_or_blend"):
            for bar, blend in measured[name].items():
                cv, held = _pr(blend["cross_validated"]), _pr(blend["held_out"])
                label = (
                    f"{'blend' if name == 'blend' else 'rules or blend'}, odds ≥ {float(bar):+.1f}"
                )
                print(f"  {label:<28} {args.folds}-fold {cv}   held-out {held}")
    print(json.dumps(result))


def _pr(f: dict[str, float]) -> str:
    return f"{f['precision']:.2f} / {f['recall']:.2f}"


if __name__ == "__main__":
    main()
