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

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise
from operator import mul

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
    the same in every pool."""

    liked: dict[int, float]  # paper id → its share of the liked votes
    disliked: dict[int, float]
    shares: dict[str, float]  # each shared term → the share of liked votes on papers holding it

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
        return cls(liked, disliked, shares)


def _shares(weights: Mapping[int, int]) -> dict[int, float]:
    total = sum(weights.values())
    return {p: w / total for p, w in weights.items()} if total else {}


@dataclass
class Pool:
    """One topic's candidates for a period, as vectors in their own TF-IDF space."""

    ids: tuple[int, ...]
    _df: Counter[str]
    _postings: dict[str, list[tuple[int, float]]]
    _voted: dict[int, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def of(cls, documents: Mapping[int, Counter[str]]) -> Pool:
        """The pool of these candidates (paper id → `terms`), in the mapping's order."""
        ids = tuple(documents)
        df: Counter[str] = Counter()
        for counts in documents.values():
            df.update(counts.keys())
        pool = cls(ids, df, defaultdict(list))
        for index, paper_id in enumerate(ids):
            for term, weight in pool.vector(documents[paper_id]).items():
                pool._postings[term].append((index, weight))
        return pool

    def vector(self, counts: Mapping[str, int]) -> dict[str, float]:
        """A text's TF-IDF weights in this pool, of length 1 (a term no candidate uses weighs
        as the rarest)."""
        n = len(self.ids)
        raw = {
            term: (1.0 + math.log(count)) * (math.log((n + 1) / (self._df.get(term, 0) + 1)) + 1.0)
            for term, count in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        return {term: w / norm for term, w in raw.items()}

    def weighed(
        self, profile: Profile, texts: Mapping[int, Counter[str]], dislike: float, size: int
    ) -> dict[str, float]:
        """The profile's `size` strongest terms and their weights in this pool."""
        common = COMMON * len(self.ids)
        df = self._df
        found = {t: 0.0 for t in profile.shares if 0 < df.get(t, 0) <= common}
        for paper_id, share in profile.liked.items():
            vector = self._voted_vector(paper_id, texts)
            for term in found.keys() & vector.keys():
                found[term] += vector[term] * share
        weights = {t: w * profile.shares[t] ** 2 for t, w in found.items()}
        for paper_id, share in profile.disliked.items():
            vector = self._voted_vector(paper_id, texts)
            for term in weights.keys() & vector.keys():
                weights[term] -= dislike * vector[term] * share
        strongest = heapq.nlargest(size, weights.items(), key=lambda item: item[1])
        return {term: weight for term, weight in strongest if weight > 0}

    def taste(self, weights: Mapping[str, float]) -> list[float]:
        """Each candidate's taste, -1 to 1, in `ids` order: 0 for all without a profile."""
        raw = [0.0] * len(self.ids)
        postings = self._postings
        for term, weight in weights.items():
            for index, value in postings.get(term, ()):
                raw[index] += weight * value
        return standardised(raw)

    def _voted_vector(self, paper_id: int, texts: Mapping[int, Counter[str]]) -> dict[str, float]:
        # Kept: ten thousand chats vote on a few hundred papers
        vector = self._voted.get(paper_id)
        if vector is None:
            vector = self._voted[paper_id] = self.vector(texts[paper_id])
        return vector


def standardised(raw: Sequence[float]) -> list[float]:
    """Each value's distance above the mean in standard deviations over `FULL_AT`, -1 to 1."""
    n = len(raw)
    if n < 2:
        return [0.0] * n
    mean = sum(raw) / n
    variance = max(0.0, sum(map(mul, raw, raw)) / n - mean * mean)
    if variance <= 0:
        return [0.0] * n
    scale = math.sqrt(variance) * FULL_AT
    shifted = [(x - mean) / scale for x in raw]
    return [-1.0 if x < -1.0 else 1.0 if x > 1.0 else x for x in shifted]
