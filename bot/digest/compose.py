"""A chat's digest for a period: its subscribed topics' issues and its saved queries' issues,
with the papers, summaries and each topic paper's score to show. Rendering is
bot.render.digest's; the ranking is bot.digest.ranking's.

A digest a reader finishes: a chat of several topics sees fewer papers of each (about
`DIGEST_PAPERS` in all, never fewer than `MIN_PER_SECTION` a section, every editor's pick).
A paper shows once in a digest: when several of the chat's topics hold it, it stays in the
one where it scores best and the others show the next papers of their issue (each topic's
issue keeps as many papers again in reserve). A chat of one topic sees its issue as frozen, or
its own when its votes gave it a taste (bot.digest.personal).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.digest import issues as issue_ranking
from bot.digest import library, personal
from bot.digest.issues import RankedIssue
from bot.digest.periods import Period
from bot.digest.personal import ChatTaste, TasteCache
from bot.digest.ranking import Score, Weights
from storage import issues, papers, summaries
from storage.db import Database
from storage.models import Paper, Summary, Topic

DIGEST_PAPERS = 20  # about two messages of Telegram for a Chinese reader
MIN_PER_SECTION = 3


@dataclass(frozen=True, slots=True)
class Section:
    topic: Topic | None  # exactly one of topic and query is set
    query: str | None
    papers: tuple[Paper, ...]
    scores: tuple[Score | None, ...] = ()  # beside papers, for a topic's section: why each is in


@dataclass(frozen=True, slots=True)
class Digest:
    period: Period
    sections: tuple[Section, ...]
    summaries: dict[int, dict[str, Summary]] = field(default_factory=dict)
    followed: tuple[tuple[Paper, str], ...] = ()  # by followed authors: (paper, author as written)
    updated: tuple[tuple[Paper, int], ...] = ()  # saved, with a new version: (paper, version known)
    by_followed: dict[int, str] = field(default_factory=dict)  # topics' papers: followed author

    @property
    def is_empty(self) -> bool:
        has_own = self.followed or self.updated
        return not has_own and not any(section.papers for section in self.sections)


@dataclass
class IssueCache:
    """Topic issues already looked up in one pass: ten thousand chats share a handful."""

    topics: dict[tuple[date, str], RankedIssue] = field(default_factory=dict)
    papers: dict[int, Paper] = field(default_factory=dict)
    summaries: dict[int, dict[str, Summary]] = field(default_factory=dict)
    authors: dict[date, library.AuthorIndex] = field(default_factory=dict)
    with_additions: set[int] | None = None  # chats with a library section, once looked up
    taste: TasteCache = field(default_factory=TasteCache)


async def compose(
    db: Database,
    period: Period,
    topics: Sequence[Topic],
    *,
    topic_slugs: Sequence[str],
    queries: Sequence[str] = (),
    chat_id: int | None = None,
    cap: int = issues.DEFAULT_CAP,
    freeze: bool = False,
    cache: IssueCache | None = None,
    weights: Weights | None = None,
    taste: ChatTaste | None = None,
) -> Digest:
    """The digest of some topics (in the configured order), then a chat's saved queries.

    With `freeze`, issues assembled now are stored so that every chat gets the same. A chat's
    digest (`chat_id`) ends with its followed authors' papers and its saved papers' new
    versions, which `freeze` marks told. With the chat's `taste`, each topic's issue is the
    chat's own (bot.digest.personal).
    """
    cache = cache if cache is not None else IssueCache()
    wanted = set(topic_slugs)
    found: list[tuple[Topic | None, str | None, RankedIssue]] = []
    for topic in sorted((t for t in topics if t.slug in wanted), key=lambda t: t.position):
        key = (period.start, topic.slug)
        ranked = cache.topics.get(key)
        if ranked is None or (freeze and not ranked.issue.frozen):
            ranked = await issue_ranking.topic_issue(
                db, period.start, topic.slug, cap=cap * 2, freeze=freeze, weights=weights
            )
            cache.topics[key] = ranked
        if taste is not None:
            ranked = await personal.own_issue(db, ranked, topic.slug, taste, cache.taste, cap * 2)
        found.append((topic, None, ranked))
    for query in queries if chat_id is not None else ():
        issue = await issues.query_issue(db, period.start, chat_id, query, cap=cap, freeze=freeze)
        ranked = RankedIssue(issue)
        found.append((None, query, personal.without_voted_down(ranked, taste) if taste else ranked))
    await _load(db, cache, [p for *_, ranked in found for p in ranked.issue.paper_ids])
    shares = _share_out(
        [ranked for *_, ranked in found],
        [t is not None for t, *_ in found],
        section_cap(cap, len(found)),
    )
    sections = tuple(
        _section(topic, query, ranked, share, cache)
        for (topic, query, ranked), share in zip(found, shares, strict=True)
    )
    shown = {paper.id for section in sections for paper in section.papers}
    own = library.Additions()
    # A pass that looked up which chats have additions asks no other chat for them
    with_additions = cache.with_additions
    if chat_id is not None and (with_additions is None or chat_id in with_additions):
        own = await library.additions(db, period, chat_id, shown, cache.authors, mark_told=freeze)
        await _load(db, cache, [p for p, _ in own.followed] + [p for p, _ in own.updated])
    hidden = taste.voted_down if taste is not None else frozenset()
    followed = tuple(
        (cache.papers[p], who) for p, who in own.followed if p in cache.papers and p not in hidden
    )
    updated = tuple((cache.papers[p], seen) for p, seen in own.updated if p in cache.papers)
    shown |= {paper.id for paper, _ in (*followed, *updated)}
    summaries_shown = {p: cache.summaries.get(p, {}) for p in shown}
    return Digest(period, sections, summaries_shown, followed, updated, dict(own.marked))


async def has_additions(db: Database, chat_id: int, cache: IssueCache) -> bool:
    """Whether the chat's digest holds papers of its own (followed authors' papers, saved
    papers' new versions), so that no other chat's digest is the same as its."""
    if cache.with_additions is None:
        cache.with_additions = await library.chats_with_additions(db)
    return chat_id in cache.with_additions


def section_cap(cap: int, sections: int) -> int:
    """How many papers each of `sections` shows, at most `cap`: the digest's share of each."""
    if sections <= 1:
        return cap
    return min(cap, max(MIN_PER_SECTION, math.ceil(DIGEST_PAPERS / sections)))


def _share_out(ranked: Sequence[RankedIssue], shared: Sequence[bool], cap: int) -> list[list[int]]:
    """Each section's papers in its issue's order, none shown in two `shared` sections; an
    editor's picks all show, past `cap` if need be."""
    excluded: list[set[int]] = [set() for _ in ranked]
    while True:
        shown = [
            [p for p in r.issue.paper_ids if p not in ex][: max(cap, _picks(r))]
            for r, ex in zip(ranked, excluded, strict=True)
        ]
        where: dict[int, list[int]] = defaultdict(list)
        for index, ids in enumerate(shown):
            if shared[index]:
                for paper_id in ids:
                    where[paper_id].append(index)
        clashes = {p: found for p, found in where.items() if len(found) > 1}
        if not clashes:
            return shown
        for paper_id, found in clashes.items():
            keep = min(found, key=lambda i: _claim(ranked[i], paper_id, i))
            for index in found:
                if index != keep:
                    excluded[index].add(paper_id)


def _picks(ranked: RankedIssue) -> int:
    return sum(1 for score in ranked.scores.values() if score and score.picked)


def _claim(ranked: RankedIssue, paper_id: int, index: int) -> tuple:
    """How strongly a section holds a paper: an editor's pick, then the score, then the first."""
    score = ranked.scores.get(paper_id)
    return (not (score and score.picked), -(score.total if score else 0.0), index)


def _section(
    topic: Topic | None,
    query: str | None,
    ranked: RankedIssue,
    share: list[int],
    cache: IssueCache,
) -> Section:
    shown = [p for p in share if p in cache.papers]
    scores = tuple(ranked.scores.get(p) for p in shown) if topic is not None else ()
    return Section(topic, query, tuple(cache.papers[p] for p in shown), scores)


async def _load(db: Database, cache: IssueCache, paper_ids: list[int]) -> None:
    missing = sorted({p for p in paper_ids if p not in cache.papers})
    if not missing:
        return
    cache.papers.update(await papers.get_by_rowids(db, missing))
    cache.summaries.update(await summaries.for_papers(db, missing))
