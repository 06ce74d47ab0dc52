"""What a search will cost, estimated before it runs: how often each word and each part of the
query occurs among the newest papers, which words bm25 can afford to rank by, and whether
filling the ranking window could mean walking most of the index.

FTS5 pays for a word in proportion to its postings: bm25 reads all of them to learn a ranked
word's idf, and a query whose every part is common but which few papers match as a whole walks
them until it has its window. Both are estimated from the SHARE_SAMPLE newest papers, in one
statement, because counting a word's postings exactly costs what reading them does.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database

# Terms in this share of the latest papers or more get almost no weight from bm25 (its idf
# is log((N - n + 0.5) / (n + 0.5)), clamped at zero), so ranking skips their costly idf pass.
COMMON_SHARE = 0.5
SHARE_SAMPLE = 1_000
# bm25 reads every posting of each ranked word once per query (its idf): about 20 ns each here.
RANK_POSTINGS = 120_000
# The window's walk is led by the query's sparsest part (FTS5 leaps between its matches): up to
# this many of its postings are read in full, more only from the newest papers first.
WALK_POSTINGS = 50_000

_SHARE_SQL = (
    "(SELECT count(*) FROM paper_fts WHERE paper_fts MATCH ?"
    " AND rowid > (SELECT coalesce(max(id), 0) FROM papers) - ?)"
)


@dataclass(frozen=True, slots=True)
class Estimate:
    ranking: tuple[str, ...]  # the words to rank by: the rare ones carry bm25's weight
    affordable: bool  # False: even the rarest word has more postings than bm25 reads in time
    long_walk: bool  # the sparsest part of the query is common: the walk needs a bound
    corpus: int  # the newest paper's row id


async def _shares(db: Database, words: tuple[str, ...]) -> tuple[int, list[float]]:
    """The corpus size, and each word's share of the latest papers (its estimated frequency)."""
    sql = "SELECT coalesce(max(id), 0), " + ", ".join([_SHARE_SQL] * len(words))
    params: list[object] = []
    for word in words:
        params += [word, SHARE_SAMPLE]
    corpus, *counts = await db.fetchone(sql + " FROM papers", params)
    sample = min(corpus, SHARE_SAMPLE)
    return corpus, [count / sample if sample else 0.0 for count in counts]


def _affordable(words: tuple[str, ...], shares: list[float], corpus: int) -> tuple[str, ...]:
    """The rarest words, whose postings bm25 can read within the budget; at least one."""
    budget = RANK_POSTINGS
    kept: set[str] = set()
    for share, word in sorted(zip(shares, words, strict=True)):
        postings = share * corpus
        if kept and (share >= COMMON_SHARE or postings > budget):
            break
        kept.add(word)
        budget -= postings
    return tuple(word for word in words if word in kept)


async def estimate(
    db: Database, words: tuple[str, ...], groups: tuple[tuple[tuple[str, ...], ...], ...]
) -> Estimate:
    """The cost of ranking by `words` and of walking the AND of `groups`, each one or more
    alternatives of words (none: an OR, whose walk ends as soon as its commonest part's)."""
    if not words:
        return Estimate(words, True, False, 0)
    corpus, shares = await _shares(db, words)
    if corpus < SHARE_SAMPLE:  # too few papers to estimate from, and cheap to search in full
        return Estimate(words, True, False, corpus)
    share = dict(zip(words, shares, strict=True))
    # FTS5 leaps between the rarest word's matches in an AND and reads every OR'd alternative.
    walked = [sum(min(share[w] for w in option) for option in group if option) for group in groups]
    return Estimate(
        ranking=_affordable(words, shares, corpus),
        affordable=min(shares) * corpus <= RANK_POSTINGS,
        long_walk=bool(walked) and min(walked) * corpus > WALK_POSTINGS,
        corpus=corpus,
    )
