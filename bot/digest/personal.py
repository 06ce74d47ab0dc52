"""A chat's own issue of a topic: the topic's candidates ranked by the shared score plus the
chat's taste (bot.digest.taste), without the papers the chat voted down.

A chat's issue is its own once it voted a paper down, or voted on `taste_min_votes` papers
with one of them liked (bot/data/ranking.toml); until then it gets the shared issue as it
is. Only the chat's own votes shape its taste: other chats' reach it through the community
count every score holds. A pass over many chats shares one `TasteCache`: each topic's
candidates are scored and turned into vectors once, and each paper's words read once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from bot.digest import ranking
from bot.digest.issues import RankedIssue, candidate_signals
from bot.digest.ranking import Score, Weights
from bot.digest.taste import Pool, Profile, Verdicts, terms
from storage import issues, taste_inputs
from storage.db import Database


@dataclass
class TasteCache:
    """Each topic's candidates (scored, and as a pool of vectors) and papers' words, by the
    pass that needs them again and again."""

    pools: dict[tuple[date, str], tuple[Pool, dict[int, Score]]] = field(default_factory=dict)
    words: dict[int, Counter[str]] = field(default_factory=dict)


@dataclass
class ChatTaste:
    """A chat's verdicts and what its issue makes of them."""

    verdicts: Verdicts
    weights: Weights
    _profile: Profile | None = None

    @property
    def trained(self) -> bool:
        return self.verdicts.trained(self.weights.taste_min_votes)

    @property
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


async def tastes(
    db: Database, chat_ids: Sequence[int], weights: Weights | None = None
) -> dict[int, ChatTaste]:
    """The chats among `chat_ids` whose issues are their own, with their taste."""
    weights = weights or ranking.load()
    found = {}
    for chat_id, by_paper in (await taste_inputs.verdicts(db, chat_ids)).items():
        taste = ChatTaste(Verdicts(by_paper), weights)
        if taste.own_issue:
            found[chat_id] = taste
    return found


async def taste_of(db: Database, chat_id: int, weights: Weights | None = None) -> ChatTaste | None:
    """The chat's taste, or None while it gets the shared issues."""
    return (await tastes(db, [chat_id], weights)).get(chat_id)


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
    pool, scores = await _pool(db, cache, start, slug, shared, taste.weights)
    tasted = await _tastes(db, cache, pool, taste)
    weight = taste.weights.taste
    kept = [
        with_taste(score, tasted.get(paper_id, 0.0), weight) if taste.trained else score
        for paper_id, score in scores.items()
        if paper_id not in taste.voted_down
    ]
    ranked = ranking.ordered(kept, cap)
    ids = tuple(score.signals.paper_id for score in ranked)
    issue = issues.Issue(start, slug, None, ids, frozen=False)
    return RankedIssue(issue, {score.signals.paper_id: score for score in ranked})


async def read_voted(db: Database, cache: TasteCache, found: Sequence[ChatTaste]) -> None:
    """Read the words of every paper these chats voted on, at once."""
    await _read_words(db, cache, list({p for taste in found for p in taste.verdicts.by_paper}))


def without_voted_down(ranked: RankedIssue, taste: ChatTaste) -> RankedIssue:
    """A saved query's issue without the papers the chat voted down."""
    ids = tuple(p for p in ranked.issue.paper_ids if p not in taste.voted_down)
    return RankedIssue(replace(ranked.issue, paper_ids=ids), ranked.scores)


def with_taste(score: Score, taste: float, weight: float) -> Score:
    """The score with the chat's taste added as one more part."""
    part = round(weight * taste, 4)
    return replace(
        score,
        signals=replace(score.signals, taste=taste),
        total=round(score.total + part, 4),
        parts={**score.parts, "taste": part},
    )


async def _pool(
    db: Database,
    cache: TasteCache,
    start: date,
    slug: str,
    shared: RankedIssue,
    weights: Weights,
) -> tuple[Pool, dict[int, Score]]:
    key = (start, slug)
    found = cache.pools.get(key)
    if found is None:
        signals = await candidate_signals(db, start, slug)
        # An issue frozen earlier keeps its papers in the running, candidates now or not
        scores = {s.paper_id: ranking.score(s, weights) for s in signals} | shared.scores
        await _read_words(db, cache, list(scores))
        pool = Pool.of({paper_id: cache.words.get(paper_id, Counter()) for paper_id in scores})
        found = cache.pools[key] = (pool, scores)
    return found


async def _tastes(
    db: Database, cache: TasteCache, pool: Pool, taste: ChatTaste
) -> dict[int, float]:
    if not taste.trained:
        return {}
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
