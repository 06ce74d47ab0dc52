"""A topic's issue for a period, ranked when it is composed and frozen when first sent, with
every paper's score and parts (also for an issue frozen earlier, whose order stays)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.digest import ranking
from bot.digest.ranking import Score, Signals, Weights
from storage import hf_signals, issues, ranking_inputs, votes
from storage.db import Database
from storage.models import CommunitySignal
from storage.ranking_inputs import Candidate

# Daily Papers lists a paper a day or two after arXiv announces it: the signal of a period
# is read from a little before it to a week after it ends.
SIGNAL_BEFORE = timedelta(days=3)
SIGNAL_AFTER = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class RankedIssue:
    issue: issues.Issue
    scores: dict[int, Score] = field(default_factory=dict)  # by paper id


async def topic_issue(
    db: Database,
    period_start: date,
    slug: str,
    *,
    cap: int = issues.DEFAULT_CAP,
    freeze: bool = False,
    weights: Weights | None = None,
) -> RankedIssue:
    """The topic's issue: the frozen one when it was sent already, else ranked now.

    With `freeze`, an issue ranked now is stored, so every later reader gets the same.
    """
    weights = weights or ranking.load()
    community = await community_of(db, period_start)
    found = await issues.stored_topic(db, period_start, slug)
    if found is not None:
        facts = await ranking_inputs.for_papers(db, period_start, slug, found.paper_ids)
        readers = await votes.community(db, list(facts))
        known = _signals(facts.values(), community, readers, weights)
        scored = [ranking.score(signals, weights) for signals in known]
        return RankedIssue(found, {s.signals.paper_id: s for s in scored})
    known = await candidate_signals(db, period_start, slug, community, weights)
    ranked = ranking.rank(known, weights, cap)
    issue = issues.Issue(
        period_start, slug, None, tuple(s.signals.paper_id for s in ranked), frozen=False
    )
    if freeze:
        issue = await issues.freeze_topic(db, issue)
    return RankedIssue(issue, {s.signals.paper_id: s for s in ranked})


async def candidate_signals(
    db: Database,
    period_start: date,
    slug: str,
    community: dict[int, CommunitySignal] | None = None,
    weights: Weights | None = None,
) -> list[Signals]:
    """What the ranking knows of every paper that may enter the topic's issue, unordered."""
    weights = weights or ranking.load()
    if community is None:
        community = await community_of(db, period_start)
    candidates = await ranking_inputs.topic_candidates(db, period_start, slug)
    readers = await votes.community(db, [c.paper_id for c in candidates])
    return _signals(candidates, community, readers, weights)


async def community_of(db: Database, period_start: date) -> dict[int, CommunitySignal]:
    """The Daily Papers signal of the papers a period's issues may hold, by paper id."""
    end = period_start + timedelta(days=14)
    return await hf_signals.community_signal(db, period_start - SIGNAL_BEFORE, end + SIGNAL_AFTER)


def _signals(
    candidates: Iterable[Candidate],
    community: dict[int, CommunitySignal],
    readers: dict[int, votes.CommunityVotes],
    weights: Weights,
) -> list[Signals]:
    return [
        to_signals(c, community.get(c.paper_id), readers.get(c.paper_id), weights)
        for c in candidates
    ]


def to_signals(
    candidate: Candidate,
    community: CommunitySignal | None,
    readers: votes.CommunityVotes | None = None,
    weights: Weights | None = None,
) -> Signals:
    """The ranking's view of a stored candidate: an editor's heading is a certain fit, and a
    model's choice a near-certain one (`model_fit` of the weights)."""
    fit = candidate.fit
    if fit is not None and candidate.fit_source == "editor":
        fit = 1.0
    elif fit is not None and candidate.fit_source == "model":
        fit = (weights or ranking.load()).model_fit
    elif fit is not None:
        fit = max(0.0, min(1.0, fit))
    return Signals(
        paper_id=candidate.paper_id,
        announced=candidate.announced,
        pick_position=candidate.pick_position,
        fit=fit,
        importance=candidate.importance,
        community=community,
        votes=ranking.readers_verdict(readers.up, readers.down) if readers else 0.0,
    )
