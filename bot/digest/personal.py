"""A chat's own issue of a topic: the topic's candidates ranked by the shared score plus the
chat's taste (bot.digest.taste), without the papers the chat voted down.

A chat's issue is its own once it voted a paper down, or voted on `taste_min_votes` papers
with one of them liked (bot/data/ranking.toml); until then it gets the shared issue as it
is. Only the chat's own votes shape its taste: other chats' reach it through the community
count every score holds. A pass over many chats shares one `TasteCache`: each topic's
candidates are scored and turned into vectors once, and each paper's words read once.

With an embeddings model configured, papers that have a stored embedding from it add an
embedding taste to the text taste (bot.digest.taste_vectors); without one, or where no paper
has a vector, the taste is the text's alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import numpy as np

from bot.digest import ranking
from bot.digest.issues import RankedIssue, candidate_signals
from bot.digest.ranking import Score, Weights
from bot.digest.taste import Pool, Profile, Verdicts, terms
from bot.digest.taste_vectors import Centroid, Embedded, blended, centroid, decoded
from storage import embeddings, issues, taste_inputs
from storage.db import Database


@dataclass
class TasteCache:
    """Each topic's candidates and papers' words, for a pass that needs them again and again."""

    pools: dict[tuple[date, str], Candidates] = field(default_factory=dict)
    words: dict[int, Counter[str]] = field(default_factory=dict)
    vectors: dict[int, np.ndarray | None] = field(default_factory=dict)  # the model's, or None
    embedded: dict[tuple[date, str], Embedded | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Candidates:
    """A topic's candidates for a period: scored, and as a pool of vectors in the issue's
    order of ties (the newest first), with each one's score and an editor's lead beside."""

    pool: Pool
    scores: dict[int, Score]
    standing: np.ndarray  # the score, plus PICK_LEAD less the position for an editor's pick

    @classmethod
    def of(cls, scores: dict[int, Score], words: dict[int, Counter[str]]) -> Candidates:
        tied = sorted(scores.values(), key=lambda s: ranking.order_key(s.signals, 0.0))
        pool = Pool.of({s.signals.paper_id: words.get(s.signals.paper_id, Counter()) for s in tied})
        return cls(pool, scores, np.array([_standing(scores[p]) for p in pool.ids]))


PICK_LEAD = 1e6  # an editor's picks lead whatever the taste, in the editor's order


def _standing(score: Score) -> float:
    pick = score.signals.pick_position
    return score.total + (PICK_LEAD - pick if pick is not None else 0.0)


@dataclass
class ChatTaste:
    """A chat's verdicts and what its issue makes of them."""

    verdicts: Verdicts
    weights: Weights
    model: str | None = None  # the embeddings model whose stored vectors join the taste
    _profile: Profile | None = None
    _centres: dict[int, Centroid | None] = field(default_factory=dict)  # by dimensions

    @cached_property
    def trained(self) -> bool:
        return self.verdicts.trained(self.weights.taste_min_votes)

    @cached_property
    def voted_down(self) -> frozenset[int]:
        return frozenset(self.verdicts.disliked)

    @property
    def own_issue(self) -> bool:
        """Whether the chat's issues differ from the shared ones."""
        return self.trained or bool(self.voted_down)

    def profile(self, words: dict[int, Counter[str]]) -> Profile:
        """What the chat likes; learnt once."""
        if self._profile is None:
            self._profile = Profile.learn(self.verdicts, words)
        return self._profile

    def centre(self, profile: Profile, vectors: dict, dimensions: int) -> Centroid | None:
        """Where the chat's taste points among vectors of these `dimensions`; found once."""
        if dimensions not in self._centres:
            dislike = self.weights.taste_dislike
            found = centroid(profile.liked, profile.disliked, vectors, dislike, dimensions)
            self._centres[dimensions] = found
        return self._centres[dimensions]

    @property
    def vector_model(self) -> str | None:
        """The model whose stored vectors join the taste; None when the text's is alone."""
        return self.model if self.weights.taste_embeddings > 0 else None


async def tastes(
    db: Database,
    chat_ids: Sequence[int],
    weights: Weights | None = None,
    *,
    model: str | None = None,
) -> dict[int, ChatTaste]:
    """The chats among `chat_ids` whose issues are their own, with their taste (the stored
    embeddings of `model` joining it, when one is configured)."""
    weights = weights or ranking.load()
    found = {}
    for chat_id, by_paper in (await taste_inputs.verdicts(db, chat_ids)).items():
        taste = ChatTaste(Verdicts(by_paper), weights, model)
        if taste.own_issue:
            found[chat_id] = taste
    return found


async def taste_of(
    db: Database, chat_id: int, weights: Weights | None = None, *, model: str | None = None
) -> ChatTaste | None:
    """The chat's taste, or None while it gets the shared issues."""
    return (await tastes(db, [chat_id], weights, model=model)).get(chat_id)


async def own_issue(
    db: Database,
    shared: RankedIssue,
    slug: str,
    taste: ChatTaste,
    cache: TasteCache,
    cap: int,
) -> RankedIssue:
    """The chat's issue of the topic: the shared issue's papers and every candidate now,
    best for the chat first, at most `cap`."""
    start = shared.issue.period_start
    candidates = await _candidates(db, cache, start, slug, shared, taste.weights)
    down = taste.voted_down
    if taste.trained:
        tasted = await _tastes(db, cache, candidates.pool, taste)
        if (model := taste.vector_model) is not None:
            key = (start, slug)
            tasted = await _with_vectors(db, cache, model, key, candidates.pool, taste, tasted)
        ranked = _best(candidates, tasted, taste, cap)
    else:
        scores = candidates.scores
        ranked = ranking.ordered((s for p, s in scores.items() if p not in down), cap)
    ids = tuple(score.signals.paper_id for score in ranked)
    issue = issues.Issue(start, slug, None, ids, frozen=False)
    return RankedIssue(issue, {score.signals.paper_id: score for score in ranked})


async def read_voted(db: Database, cache: TasteCache, found: Sequence[ChatTaste]) -> None:
    """Read the words (and vectors) of every paper these chats voted on, at once."""
    voted = list({p for taste in found for p in taste.verdicts.by_paper})
    await _read_words(db, cache, voted)
    models = {m for taste in found if (m := taste.vector_model) is not None}
    if len(models) == 1:
        await _read_vectors(db, cache, models.pop(), voted)


def _best(candidates: Candidates, tasted: np.ndarray, taste: ChatTaste, cap: int) -> list[Score]:
    """The `cap` best papers with their taste, in the issue's order; only those become new
    scores (a pass ranks hundreds of candidates for each of thousands of chats)."""
    weight, down, ids = taste.weights.taste, taste.voted_down, candidates.pool.ids
    standing = candidates.standing + tasted * weight
    # Ties keep the pool's order, the newest first: the sort is stable
    best = np.argsort(-standing, kind="stable")[: cap + len(down)].tolist()
    chosen = [index for index in best if ids[index] not in down][:cap]
    return [with_taste(candidates.scores[ids[i]], float(tasted[i]), weight) for i in chosen]


def without_voted_down(ranked: RankedIssue, taste: ChatTaste) -> RankedIssue:
    """A saved query's issue without the papers the chat voted down."""
    ids = tuple(p for p in ranked.issue.paper_ids if p not in taste.voted_down)
    return RankedIssue(replace(ranked.issue, paper_ids=ids), ranked.scores)


def with_taste(score: Score, taste: float, weight: float) -> Score:
    """The score with the chat's taste added as one more part."""
    part = round(weight * taste, 4)
    parts = {**score.parts, "taste": part}
    return Score(score.signals, round(score.total + part, 4), score.gate, parts, taste)


async def _candidates(
    db: Database,
    cache: TasteCache,
    start: date,
    slug: str,
    shared: RankedIssue,
    weights: Weights,
) -> Candidates:
    key = (start, slug)
    found = cache.pools.get(key)
    if found is None:
        signals = await candidate_signals(db, start, slug)
        # An issue frozen earlier keeps its papers in the running, candidates now or not
        scores = {s.paper_id: ranking.score(s, weights) for s in signals} | shared.scores
        await _read_words(db, cache, list(scores))
        found = cache.pools[key] = Candidates.of(scores, cache.words)
    return found


async def _tastes(db: Database, cache: TasteCache, pool: Pool, taste: ChatTaste) -> np.ndarray:
    await _read_words(db, cache, list(taste.verdicts.by_paper))
    weights = taste.weights
    profile = taste.profile(cache.words)
    weighed = pool.weighed(profile, cache.words, weights.taste_dislike, weights.taste_terms)
    return pool.taste(weighed)


async def _read_words(db: Database, cache: TasteCache, paper_ids: list[int]) -> None:
    missing = [p for p in paper_ids if p not in cache.words]
    if missing:
        found = await taste_inputs.texts(db, missing)
        cache.words.update((p, terms(title, abstract)) for p, (title, abstract) in found.items())


async def _with_vectors(
    db: Database,
    cache: TasteCache,
    model: str,
    key: tuple[date, str],
    pool: Pool,
    taste: ChatTaste,
    text: np.ndarray,
) -> np.ndarray:
    """The text taste blended with the embedding taste where the papers have vectors."""
    if key not in cache.embedded:
        await _read_vectors(db, cache, model, list(pool.ids))
        known = {p: v for p in pool.ids if (v := cache.vectors.get(p)) is not None}
        cache.embedded[key] = Embedded.of(pool.ids, known)
    embedded = cache.embedded[key]
    if embedded is None:
        return text
    profile = taste.profile(cache.words)
    await _read_vectors(db, cache, model, [*profile.liked, *profile.disliked])
    centre = taste.centre(profile, cache.vectors, embedded.dimensions)
    if centre is None:
        return text
    return blended(text, embedded, centre, taste.weights.taste_embeddings)


async def _read_vectors(db: Database, cache: TasteCache, model: str, paper_ids: list[int]) -> None:
    missing = [p for p in paper_ids if p not in cache.vectors]
    if missing:
        found = await embeddings.vectors(db, model, missing)
        cache.vectors.update((p, decoded(found[p]) if p in found else None) for p in missing)
