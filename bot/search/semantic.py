"""Semantic search beside the lexical one, when an embeddings endpoint is configured: the query
is embedded (a short deadline, no retry), its nearest papers found in the vector index, and
both rankings fused (see `fusion`).

The words search runs while the query is embedded and scanned, so with a core free for each
a fused search costs about the slower of the two. Whatever the endpoint does, the reader gets
an answer: a failure, a timeout or a broken vector leaves the lexical results alone, and after
a failure queries are not sent for a minute, so a down endpoint costs no search its deadline.
Readers searching the same words at once share one request for their vector. Paging a search
again reuses the query's vector and its nearest papers, as long as no new embedding came in.

Nor does a reader wait for the vector index's first load (seconds for a large library, at
start-up): until it is done, searches answer from the words alone, as if no endpoint were
configured, and similar papers come from the words too.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import numpy as np

from bot.runtime import Runtime
from bot.search import fusion
from bot.search.embedding_run import client_for, configured
from bot.search.embeddings_client import EmbeddingError, EmbeddingsClient
from bot.search.expand import Expanded
from bot.search.vectors import VectorIndex, index_for
from storage import papers
from storage import search as fulltext
from storage.db import Database
from storage.search import RankedRows

log = logging.getLogger(__name__)

QUERY_DEADLINE = 2.0  # seconds for a query's vector; the reader is waiting
REST_AFTER_FAILURE = 60.0  # seconds of lexical-only searches after the endpoint failed one
CACHED_QUERIES = 256
FIRST_LOAD_WAIT = 0.25  # seconds a search waits for the index's first load: a small one is done
SMALL_LOAD = 5_000  # rows loaded well within FIRST_LOAD_WAIT; a larger load is not waited for
DEPTH = 50  # results of each kind fused, at least

Ranker = Callable[..., Awaitable[RankedRows]]


class _Near(NamedTuple):
    """A query's nearest papers as the index stood at `version`, `depth` of them looked for."""

    version: int
    depth: int
    rows: list[tuple[int, float]]


class Semantic:
    """One database's semantic search: the query client, the vector index, their state."""

    def __init__(self, rt: Runtime) -> None:
        self.settings = rt.settings
        self.min_score = rt.settings.embeddings_min_score  # nearer than this, or not near
        self.index: VectorIndex = index_for(rt.db, rt.settings.embeddings_model or "")
        self._client: EmbeddingsClient | None = None
        self._resting_until = 0.0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._asked: dict[str, asyncio.Task[np.ndarray | None]] = {}  # being embedded now
        self._loading: asyncio.Task[None] | None = None  # the index's first load
        self._said_loading = False
        self.first_load_wait: float | None = FIRST_LOAD_WAIT  # None: as long as it takes
        self._near: OrderedDict[tuple[str, int | None], _Near] = OrderedDict()

    async def close(self) -> None:
        for asked in self._asked.values():
            asked.cancel()
        if self._loading is not None:
            self._loading.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def ready(self, db: Database) -> bool:
        """Whether the index has taken in what is stored. Its first load is started if nobody
        started it, and waited for `first_load_wait` at most when it is small (not at all once
        it counted more rows): it goes on after a search gives up."""
        if self.index.loaded:
            return True
        if self._loading is None or self._loading.done():
            self._loading = asyncio.create_task(self._first_load(db))
        wait = self.first_load_wait
        if wait is None or self.index.expected <= SMALL_LOAD:
            await asyncio.wait({self._loading}, timeout=wait)
        if not self.index.loaded and not self._said_loading:
            self._said_loading = True
            log.info("the vector index is still loading: searches use the words alone till then")
        return self.index.loaded

    async def _first_load(self, db: Database) -> None:
        try:
            await self.index.refresh(db)
        except Exception as exc:  # the next search tries again; the words answer meanwhile
            log.warning("the vector index could not be loaded: %s", exc)

    async def query_vector(self, text: str) -> np.ndarray | None:
        """The query's embedding, or None when the endpoint cannot give it now."""
        key = _key(text)
        if (cached := self._vectors.get(key)) is not None:
            self._vectors.move_to_end(key)
            return cached
        if not key or time.monotonic() < self._resting_until:
            return None
        asked = self._asked.get(key)
        if asked is None:
            asked = self._asked[key] = asyncio.create_task(self._embedded(key, text))
            asked.add_done_callback(lambda _: self._asked.pop(key, None))
        # Shielded: a reader who gives up does not take the vector from the others waiting.
        return await asyncio.shield(asked)

    async def _embedded(self, key: str, text: str) -> np.ndarray | None:
        """The query's vector asked of the endpoint, and kept; None when it failed."""
        if self._client is None:
            options = {"timeout": QUERY_DEADLINE, "max_attempts": 1}
            self._client = client_for(self.settings, dimensions=self.index.dimensions, **options)
        try:
            vector = (await self._client.embed([text]))[0]
        except EmbeddingError as exc:
            self._resting_until = time.monotonic() + REST_AFTER_FAILURE
            log.warning("query embedding failed, searching words only for a minute: %s", exc)
            return None
        _remember(self._vectors, key, vector)
        return vector

    async def nearest(
        self, db: Database, text: str, depth: int, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        """Row ids and cosines of the papers nearest the query; none when there are none, or
        while the index is loading."""
        if not await self.ready(db):
            return []
        if not len(self.index):  # nothing embedded when it was loaded: look again before asking
            await self.index.refresh(db)
            if not len(self.index):  # nothing embedded: do not make the reader wait
                return []
            vector = await self.query_vector(text)
        else:  # the rows written since the last search are read while the query is embedded
            vector, _ = await asyncio.gather(self.query_vector(text), self.index.refresh(db))
        if vector is None:
            return []
        key = (_key(text), exclude)
        known = self._near.get(key)
        if known is not None and known.version == self.index.version and known.depth >= depth:
            self._near.move_to_end(key)
            return known.rows[:depth]
        version = self.index.version
        left_out = frozenset() if exclude is None else frozenset({exclude})
        near = await self.index.nearest_loaded(vector, depth, left_out)
        rows = [(rowid, score) for rowid, score in near if score >= self.min_score]
        _remember(self._near, key, _Near(version, depth, rows))
        return rows

    async def fused_rows(
        self,
        db: Database,
        text: str,
        expanded: Expanded,
        rank: Ranker,
        limit: int,
        offset: int,
        exclude: int | None,
    ) -> RankedRows:
        """The lexical ranking `rank` gives, fused with the nearest papers; one page of it."""
        depth = max(DEPTH, limit + offset)
        # The words search runs in SQLite's thread while the query is embedded and scanned.
        near_task = asyncio.create_task(self.nearest(db, text, depth, exclude))
        try:
            lexical = await rank(limit=depth, offset=0)
            lexical_ids = [rowid for rowid, _ in lexical.rows]
            # Titles are read for the title-first rule, unless no paper came near already.
            found_none = near_task.done() and not near_task.cancelled() and _empty(near_task)
            titles = {} if found_none else await papers.titles_by_rowids(db, lexical_ids)
            near = await near_task
        finally:
            near_task.cancel()  # when the words search failed: nothing is to wait for it
        if not near:
            rows = lexical.rows[offset : offset + limit]
            return RankedRows(
                rows, lexical.total, lexical.total_is_capped, lexical.matched_all_terms
            )
        terms = _terms(expanded)
        titled = [i for i in lexical_ids if i in titles and fusion.title_holds(titles[i], terms)]
        fused = fusion.fuse(lexical_ids, [rowid for rowid, _ in near], titled)
        added = len(set(rowid for rowid, _ in near) - set(lexical_ids))
        total = lexical.total + added
        page = tuple(fused[offset : offset + limit])
        by_meaning = await _by_meaning(db, expanded, lexical, [rowid for rowid, _ in page])
        capped, all_terms = lexical.total_is_capped, lexical.matched_all_terms
        return RankedRows(page, total, capped, all_terms, by_meaning)


async def _by_meaning(
    db: Database, expanded: Expanded, lexical: RankedRows, shown: list[int]
) -> frozenset[int]:
    """The rows shown that the words did not find. The words' ranking was read to a depth: a
    row past it is asked of the full-text index, lest a paper with the words say otherwise."""
    read = {rowid for rowid, _ in lexical.rows}
    unread = [rowid for rowid in shown if rowid not in read]
    if unread and lexical.total > len(read):
        with_words = await fulltext.matching_among(
            db,
            expanded.plain,
            unread,
            alternatives=expanded.alternatives(),
            all_terms=lexical.matched_all_terms,
        )
        unread = [rowid for rowid in unread if rowid not in with_words]
    return frozenset(unread)


def _empty(task: asyncio.Task) -> bool:
    return task.exception() is None and not task.result()


def _key(text: str) -> str:
    """A query as the caches know it: case and spacing aside."""
    return " ".join(text.split()).casefold()


def _remember(cache: OrderedDict, key: object, value: object) -> None:
    cache[key] = value
    cache.move_to_end(key)
    if len(cache) > CACHED_QUERIES:
        cache.popitem(last=False)


def _terms(expanded: Expanded) -> list[list[str]]:
    """Each term of the query in the forms a title may say it."""
    terms = [[word] for word in fusion.words_in(expanded.plain)]
    for said, entry in expanded.terms:
        terms.append([said, *entry.english, *entry.chinese])
    return terms


_BY_DB: weakref.WeakKeyDictionary[Database, Semantic] = weakref.WeakKeyDictionary()


def for_runtime(rt: Runtime) -> Semantic | None:
    """This database's semantic search, or None when no embeddings endpoint is configured."""
    if not configured(rt.settings):
        return None
    found = _BY_DB.get(rt.db)
    if found is None:
        found = _BY_DB[rt.db] = Semantic(rt)
    return found


def wait_for_index(rt: Runtime) -> None:
    """Let this database's searches wait for the vector index's whole first load: a one-off
    command's, which no reader waits behind."""
    if (found := for_runtime(rt)) is not None:
        found.first_load_wait = None


async def close(rt: Runtime) -> None:
    """Close the query client of this database's semantic search, if it opened one."""
    found = _BY_DB.pop(rt.db, None)
    if found is not None:
        await found.close()
