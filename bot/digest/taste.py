"""A chat's taste, learnt from its votes over the papers' text, and a topic's candidates
scored by it.

Pure: texts and verdicts in, numbers out. A paper's text (its title twice, then its
abstract) becomes words and two-word phrases weighed by TF-IDF within a `Pool`, the
candidates of one topic's issue, so a word every candidate uses counts for little.

A chat's `Profile` is a Rocchio centroid that rewards agreement: each word or phrase its
liked papers share weighs its mean weight in them times the square of the share of them
holding it, less `dislike` times its mean weight in the papers voted down; the strongest
`terms` of them (of those some candidates use, but not most) are the profile. (Five liked
papers on speech share "speech" and little else: the centroid alone would weigh each one's
incidental words as much.) A candidate's taste is its similarity to the profile, put on the
scale of the ranking's other parts: its distance above the candidates' mean in standard
deviations over `FULL_AT`, -1 to 1.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain, pairwise, repeat
from operator import mul

import numpy as np

FULL_AT = 2.0  # standard deviations above the candidates' mean that read as full taste
COMMON = 0.8  # a term more than this share of the candidates use tells them too little apart

_WORD = re.compile(r"[a-z][a-z0-9]*")
# Words that say nothing of what a paper is about: English glue and the abstracts' own.
_STOPWORDS = """a about above after again against all also although among an and any are as at be
    been before being below between both but by can could did do does doing during each
    either et etc few for from further had has have having here how however i if in into is
    it its itself just may might more most much must no nor not of off on once only or other
    our ours out over own per same several should since so some such than that the their
    them then there these they this those through thus to too under until up upon us very
    via was we were what when where whether which while who whom why will with within
    without would yet
    paper papers propose proposed proposes present presents introduce introduces introduced
    approach approaches method methods result results show shows shown demonstrate
    demonstrates novel new work study studies existing use used using based including
    furthermore moreover additionally significantly significant well able first second
    one two three available publicly github com https http www"""
STOPWORDS = frozenset(_STOPWORDS.split())


def terms(title: str, abstract: str) -> Counter[str]:
    """A paper's words and adjacent two-word phrases, its title counted twice."""
    found: Counter[str] = Counter()
    for text, times in ((title, 2), (abstract, 1)):
        words = [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
        words = [w for w in words if len(w) > 1]
        for word in words:
            found[word] += times
        for first, second in pairwise(words):
            found[f"{first} {second}"] += times
    return found


def _stem(word: str) -> str:
    """Plural and singular alike ("models", "model"), no more: a light touch is enough here."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class Verdicts:
    """A chat's verdict on each paper it voted on: above 0 liked (👍, 🔖), below 0 not."""

    by_paper: Mapping[int, int]

    @property
    def liked(self) -> dict[int, int]:
        return {p: v for p, v in self.by_paper.items() if v > 0}

    @property
    def disliked(self) -> dict[int, int]:
        return {p: -v for p, v in self.by_paper.items() if v < 0}

    def trained(self, min_votes: int) -> bool:
        """Enough votes to learn from: `min_votes` papers with a verdict, one of them liked."""
        decided = sum(1 for v in self.by_paper.values() if v)
        return decided >= min_votes and any(v > 0 for v in self.by_paper.values())


@dataclass(frozen=True, slots=True)
class Profile:
    """What a chat likes, as words and phrases shared by its liked papers, before weighing;
    the same in every pool. Beside them, as arrays, each voted paper's term frequencies of
    them, so that weighing them in a pool is a few array operations."""

    liked: dict[int, float]  # paper id → its share of the liked votes
    disliked: dict[int, float]
    shares: dict[str, float]  # each shared term → the share of liked votes on papers holding it
    squares: np.ndarray  # each share squared, in `shares` order
    liked_tf: np.ndarray  # a row a liked paper: 1 + log(count) of each shared term, 0 if absent
    disliked_tf: np.ndarray

    @classmethod
    def learn(cls, verdicts: Verdicts, texts: Mapping[int, Counter[str]]) -> Profile:
        """The profile of the voted papers whose text is known."""
        liked = _shares({p: v for p, v in verdicts.liked.items() if p in texts})
        disliked = _shares({p: v for p, v in verdicts.disliked.items() if p in texts})
        papers = Counter(chain.from_iterable(texts[p] for p in liked))
        # A term fewer than half the liked papers use says little of the chat's taste
        least = max(1, min(2, len(liked)), math.ceil(len(liked) / 2))
        shared = [term for term, n in papers.items() if n >= least]
        if len(set(liked.values())) <= 1:
            shares = {term: papers[term] / len(liked) for term in shared}
        else:
            shares = {t: sum(s for p, s in liked.items() if t in texts[p]) for t in shared}
        squares = np.array([share**2 for share in shares.values()])
        liked_tf, disliked_tf = (_frequencies(list(v), shared, texts) for v in (liked, disliked))
        return cls(liked, disliked, shares, squares, liked_tf, disliked_tf)


def _shares(weights: Mapping[int, int]) -> dict[int, float]:
    total = sum(weights.values())
    return {p: w / total for p, w in weights.items()} if total else {}


def _frequencies(
    paper_ids: list[int], shared: list[str], texts: Mapping[int, Counter[str]]
) -> np.ndarray:
    """A row a paper: 1 + log(count) of each shared term in it, 0 where it has none."""
    counts = np.array(
        [list(map(texts[p].get, shared, repeat(0))) for p in paper_ids], np.intp
    ).reshape(len(paper_ids), len(shared))
    found = _TF_ARRAY[np.minimum(counts, _TF_KEPT - 1)]
    many = counts >= _TF_KEPT
    if many.any():
        found[many] = [1.0 + math.log(n) for n in counts[many].tolist()]
    return found


_TF_KEPT = 64
_TF = [0.0] + [1.0 + math.log(count) for count in range(1, _TF_KEPT)]  # 0 for a term absent
_TF_ARRAY = np.array(_TF)


@dataclass
class Pool:
    """One topic's candidates for a period, as vectors in their own TF-IDF space, held by term
    (each term's candidates and weights side by side in two arrays) so that a chat's taste is
    a few array operations rather than a walk over Python dicts."""

    ids: tuple[int, ...]
    _idf: dict[str, float]  # each term the candidates use → its inverse document frequency
    _telling: dict[str, float]  # the same, of the terms some candidates use but not most
    _rows: dict[str, int]  # term → its row: its postings are _starts[row]:_starts[row + 1]
    _starts: list[int]
    _members: np.ndarray  # candidate indexes, row after row
    _values: np.ndarray  # their weights beside them
    _norms: dict[int, float] = field(default_factory=dict)  # voted papers' TF-IDF lengths

    @classmethod
    def of(cls, documents: Mapping[int, Counter[str]]) -> Pool:
        """The pool of these candidates (paper id → `terms`), in the mapping's order."""
        ids = tuple(documents)
        df: Counter[str] = Counter()
        for counts in documents.values():
            df.update(counts.keys())
        idf = {term: math.log((len(ids) + 1) / (n + 1)) + 1.0 for term, n in df.items()}
        telling = {term: idf[term] for term, n in df.items() if n <= COMMON * len(ids)}
        pool = cls(ids, idf, telling, {}, [0], np.empty(0, np.intp), np.empty(0))
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, paper_id in enumerate(ids):
            for term, weight in pool.vector(documents[paper_id]).items():
                postings[term].append((index, weight))
        members: list[int] = []
        values: list[float] = []
        for row, (term, found) in enumerate(postings.items()):
            pool._rows[term] = row
            members.extend(index for index, _ in found)
            values.extend(weight for _, weight in found)
            pool._starts.append(len(members))
        pool._members = np.array(members, np.intp)
        pool._values = np.array(values, np.float64)
        return pool

    def vector(self, counts: Mapping[str, int]) -> dict[str, float]:
        """A text's TF-IDF weights in this pool, of length 1 (a term no candidate uses weighs
        as the rarest)."""
        raw = self._raw(counts)
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        return {term: w / norm for term, w in raw.items()}

    def weighed(
        self, profile: Profile, texts: Mapping[int, Counter[str]], dislike: float, size: int
    ) -> dict[str, float]:
        """The profile's `size` strongest terms and their weights in this pool."""
        telling = self._telling
        keep = [k for k, t in enumerate(profile.shares) if t in telling]
        if not keep:
            return {}
        terms = [t for t in profile.shares if t in telling]
        idf = np.array([telling[t] for t in terms])
        liked = self._vectors(1.0, profile.liked, profile.liked_tf[:, keep], idf, texts)
        found = np.zeros(len(keep))
        for row in liked:  # added up paper after paper, as a walk over the papers would
            found += row
        weights = found * profile.squares[keep]
        if profile.disliked:
            tf = profile.disliked_tf[:, keep]
            for row in self._vectors(dislike, profile.disliked, tf, idf, texts):
                weights -= row
        # The strongest first; equal ones in the profile's order, as a stable sort keeps them
        strongest = np.argsort(-weights, kind="stable")[:size].tolist()
        return {terms[i]: float(weights[i]) for i in strongest if weights[i] > 0}

    def taste(self, weights: Mapping[str, float]) -> np.ndarray:
        """Each candidate's taste, -1 to 1, in `ids` order: 0 for all without a profile."""
        rows = [(self._rows[t], w) for t, w in weights.items() if t in self._rows]
        if not rows:
            return np.zeros(len(self.ids))
        starts = self._starts
        spans = [(starts[row], starts[row + 1]) for row, _ in rows]
        members = np.concatenate([self._members[a:b] for a, b in spans])
        values = np.concatenate([self._values[a:b] for a, b in spans])
        scale = np.repeat([w for _, w in rows], [b - a for a, b in spans])
        # Each candidate's sum, term after term, as a walk over the postings would add it
        return standardised(np.bincount(members, values * scale, len(self.ids)))

    def _raw(self, counts: Mapping[str, int]) -> dict[str, float]:
        idf, rare, tf = self._idf, math.log(len(self.ids) + 1) + 1.0, _TF
        return {
            term: (tf[n] if n < _TF_KEPT else 1.0 + math.log(n)) * idf.get(term, rare)
            for term, n in counts.items()
        }

    def _vectors(
        self,
        scale: float,
        shares: Mapping[int, float],
        tf: np.ndarray,
        idf: np.ndarray,
        texts: Mapping[int, Counter[str]],
    ) -> np.ndarray:
        """Voted papers' weights (a row a paper: term frequency × idf / its length) scaled, times
        each one's share of the votes (in the order a walk over the terms multiplied them)."""
        norms = np.array([self._norm(paper_id, texts) for paper_id in shares])
        each = np.fromiter(shares.values(), float, len(shares))
        return scale * (tf * idf / norms[:, None]) * each[:, None]

    def _norm(self, paper_id: int, texts: Mapping[int, Counter[str]]) -> float:
        # Kept: ten thousand chats vote on a few hundred papers
        norm = self._norms.get(paper_id)
        if norm is None:
            raw = self._raw(texts[paper_id]).values()
            norm = self._norms[paper_id] = math.sqrt(sum(w * w for w in raw)) or 1.0
        return norm


def standardised(raw: np.ndarray) -> np.ndarray:
    """Each value's distance above the mean in standard deviations over `FULL_AT`, -1 to 1."""
    n = len(raw)
    if n < 2:
        return np.zeros(n)
    # Summed in order, as Python's sum does: the same tastes whatever numpy's summation
    listed = raw.tolist()
    mean = sum(listed) / n
    variance = max(0.0, sum(map(mul, listed, listed)) / n - mean * mean)
    if variance <= 0:
        return np.zeros(n)
    return np.clip((raw - mean) / (math.sqrt(variance) * FULL_AT), -1.0, 1.0)
