"""Full-text search over papers: ranked look-ups of a user's text, made a safe FTS5 query by
`storage.search_terms` (every user word quoted before it reaches MATCH).

Ranking is bm25 with the title weighted highest, and its cost is bounded three ways:

- It scores the most recent RANK_WINDOW matches only (row order is ingestion order, a fair
  stand-in for recency), because FTS5 scores every match before it can return the best five;
  the count of matches stops at the same bound.
- It scores by the query's rarest words only, because bm25 first reads every posting of each
  word it scores to learn its idf: words found in half the papers or more, which bm25 weighs
  at almost nothing, are left out, and phrases are matched whole but scored by their words.
  When even the rarest word has more postings than bm25 can read in time (a lone common word
  in a large corpus), the window is ordered without bm25: matches in the title first, then
  the rest, newest first within each.
- A query whose every part is common but which few papers match as a whole would walk most
  of the index to fill its window: its window is filled from the newest SCAN_SPAN papers when
  they hold a page of matches, the count then reading "at least"; older papers are searched
  when a page needs them. A query with a rare part is searched in full, as FTS5 skips
  between that part's few matches.

The costs are estimated beforehand by `storage.search_cost`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from storage.db import Database
from storage.search_cost import estimate
from storage.search_terms import (  # noqa: F401 (callers elsewhere import these from here)
    MAX_TERMS,
    Alternatives,
    MatchQuery,
    clean,
    to_match,
    words_of,
)

log = logging.getLogger(__name__)

# bench/search.py at 200,000 papers: p50 1.9 ms with 1,000, 3.6 ms with 2,000 (p99 8.4 / 9.2 ms).
RANK_WINDOW = 1_000
# A window whose walk would be long is filled from the newest SCAN_SPAN papers first.
SCAN_SPAN = 50_000
_EVERY_ROW = 2**63 - 1  # above any row id
# The score of a title match when the window is ordered without bm25; other matches score 0.
_TITLE_MATCH = 1.0
# Title matches are looked for among this many newest papers, which hold a window of common
# words; a sparse window's would cost a walk as long as its own.
TITLE_SPAN = 2_000

# bm25 weights of title, authors, abstract, summary_en, summary_zh: a title states the subject
# in a few words and an author name is meant exactly; summaries condense the abstract, whose
# 150 words say much in passing. The reader's own summary counts a little more.
_WEIGHTS = {"title": 10.0, "authors": 5.0, "abstract": 1.0, "summary_en": 2.0, "summary_zh": 2.0}
_READER_BOOST = 1.5


@dataclass(frozen=True, slots=True)
class RankedRows:
    """One page of matching paper row ids, best first, with scores (higher is better)."""

    rows: tuple[tuple[int, float], ...]
    total: int  # matches counted, at most RANK_WINDOW
    total_is_capped: bool  # more papers may match: the window was full, or older ones unread
    matched_all_terms: bool  # False: the AND found nothing and the OR was used
    by_meaning: frozenset[int] = frozenset()  # rows only the query's embedding found (fused)


EMPTY = RankedRows((), 0, False, True)


def weights(lang: str | None) -> tuple[float, ...]:
    """bm25 column weights in index order, the reader's summary boosted."""
    boosted = dict(_WEIGHTS)
    if lang in ("en", "zh"):
        boosted[f"summary_{lang}"] *= _READER_BOOST
    return tuple(boosted.values())


@dataclass(frozen=True, slots=True)
class _Plan:
    matching: str  # the expression papers must match
    ranking: str  # the words bm25 scores them by; empty: too costly, title matches first
    all_terms: bool
    newer_than: int  # row id after which a long walk looks first; 0: all papers at once


_WINDOW_SQL = (
    "SELECT count(*), min(rowid), max(rowid), {ids} FROM (SELECT rowid FROM paper_fts"
    " WHERE paper_fts MATCH :matching AND rowid > :low AND rowid <= :high"
    " AND rowid IS NOT :exclude ORDER BY rowid DESC LIMIT :window)"
)
_RANK_SQL = (
    "SELECT rowid, -bm25(paper_fts, :w0, :w1, :w2, :w3, :w4) AS score FROM paper_fts"
    " WHERE paper_fts MATCH :ranking AND rowid >= :boundary AND rowid IS NOT :exclude{within}"
    " ORDER BY score DESC, rowid DESC LIMIT :limit OFFSET :offset"
)
# In rowid order: read newest first, a column filter that rejects rows walks past the bound.
_TITLE_SQL = (
    "SELECT rowid FROM paper_fts WHERE paper_fts MATCH :title"
    " AND rowid BETWEEN :boundary AND :newest AND rowid IS NOT :exclude"
)
# `+rowid` keeps SQLite from handing the list to FTS5, which would then rank once per row.
_WITHIN = " AND +rowid IN (SELECT value FROM json_each(:ids))"


async def _plan(db: Database, query: MatchQuery, *, all_terms: bool) -> _Plan:
    """What to match and what to rank by: phrases are matched whole but ranked by their
    words, which costs bm25 one pass over each word's postings instead of a phrase search."""
    terms = query.strict if all_terms else query.loose
    cost = await estimate(db, query.ranking_words(all_terms), query.ranked_by if all_terms else ())
    words = cost.ranking
    if all_terms:
        matching = " AND ".join(terms)
        if not cost.affordable:
            ranking = ""
        elif query.ranked_by:
            ranking = _grouped_ranking(query.ranked_by, set(words))
        else:
            ranking = " AND ".join(words)
        newer_than = max(cost.corpus - SCAN_SPAN, 0) if cost.long_walk else 0
        return _Plan(matching, ranking, True, newer_than)
    # Papers that share only common words with the query are no answer to it.
    kept = [term for term in terms if set(words_of(term)) & set(words)]
    return _Plan(" OR ".join(kept), " OR ".join(words) if cost.affordable else "", False, 0)


def _grouped_ranking(groups: tuple[tuple[tuple[str, ...], ...], ...], kept: set[str]) -> str:
    """Every term by any of its ranked alternatives, each alternative by its kept words: an
    AND that bm25 walks as cheaply as the plain query's; a match it misses scores nothing."""
    parts = []
    for group in groups:
        options = [" AND ".join(w for w in words if w in kept) for words in group]
        if options := [f"({option})" for option in options if option]:
            parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


@dataclass(frozen=True, slots=True)
class _Window:
    count: int  # matches in it, at most RANK_WINDOW
    boundary: int  # its oldest row id: every match from there on is in it
    newest: int
    ids: str | None  # its row ids as a JSON array, when the ranking needs them
    partial: bool  # older papers were not searched


async def _window(db: Database, plan: _Plan, exclude: int | None, needed: int) -> _Window:
    """The newest RANK_WINDOW matches; for a long walk, from the newest SCAN_SPAN papers when
    they hold at least `needed`."""
    narrowed = plan.ranking != plan.matching
    sql = _WINDOW_SQL.format(ids="json_group_array(rowid)" if narrowed else "NULL")
    params = {"matching": plan.matching, "exclude": exclude}
    split = plan.newer_than
    newer = params | {"low": split, "high": _EVERY_ROW, "window": RANK_WINDOW}
    count, boundary, newest, ids = await db.fetchone(sql, newer)
    if split == 0 or count >= RANK_WINDOW:
        return _Window(count, boundary, newest, ids, False)
    if count >= needed:
        return _Window(count, boundary, newest, ids, True)
    # Too few for the page: the older papers too, without walking the newer ones again.
    older = params | {"low": 0, "high": split, "window": RANK_WINDOW - count}
    more, older_boundary, older_newest, older_ids = await db.fetchone(sql, older)
    if more == 0:
        return _Window(count, boundary, newest, ids, False)
    if narrowed:
        ids = json.dumps(json.loads(ids) + json.loads(older_ids))
    return _Window(count + more, older_boundary, newest or older_newest, ids, False)


async def _ranked(
    db: Database, plan: _Plan, lang: str | None, limit: int, offset: int, exclude: int | None
) -> tuple[_Window, list[tuple[int, float]]]:
    window = await _window(db, plan, exclude, limit + offset)
    if window.count == 0 or offset >= window.count:
        return window, []
    if plan.ranking:
        ranked = await _scored(db, plan, lang, limit + offset, window, exclude)
    else:
        ranked = await _titled(db, plan, limit + offset, window, exclude)
    if plan.ranking != plan.matching and len(ranked) < limit + offset:
        ranked += _unscored(json.loads(window.ids), ranked)
    return window, ranked[offset : offset + limit]


async def _scored(
    db: Database, plan: _Plan, lang: str | None, limit: int, window: _Window, exclude: int | None
) -> list[tuple[int, float]]:
    """The window's best matches by bm25 over the plan's ranking words, highest first."""
    narrowed = plan.ranking != plan.matching
    params = {f"w{i}": weight for i, weight in enumerate(weights(lang))}
    params |= {"ranking": plan.ranking, "boundary": window.boundary, "ids": window.ids}
    params |= {"exclude": exclude, "limit": limit, "offset": 0}
    rows = await db.fetchall(_RANK_SQL.format(within=_WITHIN if narrowed else ""), params)
    return [(row[0], row[1]) for row in rows]


async def _titled(
    db: Database, plan: _Plan, limit: int, window: _Window, exclude: int | None
) -> list[tuple[int, float]]:
    """The window's newest matches in the title, among its newest TITLE_SPAN papers: every
    match in the window's span of row ids is in it, so no list of its rows is needed."""
    since = max(window.boundary, window.newest - TITLE_SPAN)
    params = {"title": f"{{title}} : ({plan.matching})", "boundary": since}
    params |= {"newest": window.newest, "exclude": exclude}
    rows = await db.fetchall(_TITLE_SQL, params)
    newest = sorted((row[0] for row in rows), reverse=True)[:limit]
    return [(rowid, _TITLE_MATCH) for rowid in newest]


def _unscored(window: list[int], ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Matches without a ranked word (a translation's words can all be common), newest first
    after every scored one: a match is a result even when bm25 has nothing to say of it."""
    scored = {rowid for rowid, _ in ranked}
    return [(rowid, 0.0) for rowid in sorted(window, reverse=True) if rowid not in scored]


async def ranked_rows(
    db: Database,
    text: str,
    *,
    lang: str | None = None,
    limit: int = 5,
    offset: int = 0,
    exclude: int | None = None,
    alternatives: tuple[Alternatives, ...] = (),
) -> RankedRows:
    """Papers matching every term of the text and of `alternatives`, or failing that any, best
    first.

    `exclude` is a paper row id left out (one shown already by other means).
    """
    query = to_match(text, alternatives)
    if query is None or limit <= 0:
        return EMPTY
    offset = max(offset, 0)
    try:
        plan = await _plan(db, query, all_terms=True)
        window, rows = await _ranked(db, plan, lang, limit, offset, exclude)
        if window.count == 0 and query.any_term is not None:
            plan = await _plan(db, query, all_terms=False)
            window, rows = await _ranked(db, plan, lang, limit, offset, exclude)
    except sqlite3.OperationalError as exc:
        # Quoting leaves FTS5 no syntax to reject; should it still, the user gets no results.
        if not str(exc).startswith("fts5"):
            raise
        log.warning("search query %r rejected by FTS5: %s", text[:80], exc)
        return EMPTY
    capped = window.count >= RANK_WINDOW or window.partial
    return RankedRows(tuple(rows), window.count, capped, plan.all_terms)


_AMONG_SQL = (
    "SELECT rowid FROM paper_fts WHERE paper_fts MATCH :matching"
    " AND rowid IN (SELECT value FROM json_each(:ids))"
)


async def matching_among(
    db: Database,
    text: str,
    rowids: Iterable[int],
    *,
    alternatives: tuple[Alternatives, ...] = (),
    all_terms: bool = True,
) -> set[int]:
    """Which of `rowids` the text's words match, every term (or any, with `all_terms` off) as
    `ranked_rows` reads them: a look-up of those rows, however many papers match."""
    ids = list(rowids)
    query = to_match(text, alternatives)
    if query is None or not ids:
        return set()
    try:
        plan = await _plan(db, query, all_terms=all_terms)
        params = {"matching": plan.matching, "ids": json.dumps(ids)}
        return {row[0] for row in await db.fetchall(_AMONG_SQL, params)}
    except sqlite3.OperationalError as exc:
        if not str(exc).startswith("fts5"):
            raise
        log.warning("search query %r rejected by FTS5: %s", text[:80], exc)
        return set()


async def check_index(db: Database) -> None:
    """Raise if the full-text index disagrees with the papers and summaries it indexes."""
    await db.conn.execute("INSERT INTO paper_fts (paper_fts, rank) VALUES ('integrity-check', 1)")
