"""TF-IDF over a paper's title and abstract, and the cosine of two such vectors. Pure.

A title names the subject in a few words, so its words count twice. Words are folded to lower
case and a plural `s`; words every paper says (`we`, `propose`, `results`) are left out, and
idf takes care of the rest.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping

Vector = dict[str, float]

TITLE_WEIGHT = 2
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_WORDS = """
    a about above across after again against all almost also although always am among an and
    another any are as at be because been before being below between both but by can could did
    do does doing done down during each either else enough even ever every for from further get
    given gives had has have having he her here hers him his how however i if in into is it its
    itself just less like made make makes many may me might more most much must my neither no
    nor not now of off often on once one only onto or other our ours out over own per rather
    same several she should since so some such than that the their theirs them then there these
    they this those though through thus to too under until up upon us use used uses using very
    via was we were what when where whether which while who whom whose why will with within
    without would yet you your
    paper papers propose proposed proposes present presents show shows shown demonstrate
    demonstrates result results approach approaches method methods novel new work study
    studies based existing extensive experiments experimental achieve achieves achieved
    significantly significant outperform outperforms state art sota first well code available
"""
_STOP = frozenset(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    """The text's content words, folded (`Models` → `model`)."""
    found = []
    for word in _WORD.findall(text.casefold()):
        if len(word) < 3 or word.isdigit() or word in _STOP:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        found.append(word)
    return found


def term_counts(title: str, abstract: str) -> Counter[str]:
    """How often each word appears, title words counted TITLE_WEIGHT times."""
    counts = Counter(words(abstract))
    for word in words(title):
        counts[word] += TITLE_WEIGHT
    return counts


def idf(share: float, corpus: int) -> float:
    """Smoothed inverse document frequency of a word held by `share` of `corpus` papers."""
    held = share * corpus
    return math.log((corpus + 1) / (held + 1)) + 1.0


def weigh(counts: Mapping[str, int], idfs: Mapping[str, float], unknown: float) -> Vector:
    """Sublinear tf times idf, normalised to unit length; `unknown` is the idf of a word
    `idfs` does not know."""
    vector = {w: (1.0 + math.log(n)) * idfs.get(w, unknown) for w, n in counts.items() if n > 0}
    norm = math.sqrt(sum(x * x for x in vector.values()))
    return {w: x / norm for w, x in vector.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    """The cosine of two unit vectors."""
    if len(b) < len(a):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def distinctive(counts: Mapping[str, int], idfs: Mapping[str, float], n: int) -> list[str]:
    """The `n` words that set this text apart most: highest tf-idf first."""
    ranked = sorted(counts, key=lambda w: (-(1.0 + math.log(counts[w])) * idfs.get(w, 0.0), w))
    return ranked[:n]
