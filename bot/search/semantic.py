"""Semantic search beside the lexical one, when an embeddings endpoint is configured: the query
is embedded (a short deadline, no retry), its nearest papers found in the vector index, and
both rankings fused (see `fusion`).

Whatever the endpoint does, the reader gets an answer: a failure, a timeout or a broken vector
leaves the lexical results alone, and after a failure queries are not sent for a minute, so a
down endpoint costs no search its deadline. Paging a search again reuses the query's vector.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import numpy as np

from bot.runtime import Runtime
from bot.search import fusion
from bot.search.embedding_run import client_for, configured
from bot.search.embeddings_client import EmbeddingError, EmbeddingsClient
from bot.search.expand import Expanded
from bot.search.vectors import VectorIndex, index_for
from storage import papers
from storage.db import Database
from storage.search import RankedRows

log = logging.getLogger(__name__)

QUERY_DEADLINE = 2.0  # seconds for a query's vector; the reader is waiting
REST_AFTER_FAILURE = 60.0  # seconds of lexical-only searches after the endpoint failed one
CACHED_QUERIES = 256
DEPTH = 50  # results of each kind fused, at least

Ranker = Callable[..., Awaitable[RankedRows]]


class Semantic:
    """One database's semantic search: the query client, the vector index, their state."""

    def __init__(self, rt: Runtime) -> None:
        self.settings = rt.settings
        self.min_score = rt.settings.embeddings_min_score  # nearer than this, or not near
        self.index: VectorIndex = index_for(rt.db, rt.settings.embeddings_model or "")
        self._client: EmbeddingsClient | None = None
        self._resting_until = 0.0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def query_vector(self, text: str) -> np.ndarray | None:
        """The query's embedding, or None when the endpoint cannot give it now."""
        key = " ".join(text.split()).casefold()
        if (cached := self._vectors.get(key)) is not None:
            self._vectors.move_to_end(key)
            return cached
        if not key or time.monotonic() < self._resting_until:
            return None
        if self._client is None:
            options = {"timeout": QUERY_DEADLINE, "max_attempts": 1}
            self._client = client_for(self.settings, dimensions=self.index.dimensions, **options)
        try:
            vector = (await self._client.embed([text]))[0]
        except EmbeddingError as exc:
            self._resting_until = time.monotonic() + REST_AFTER_FAILURE
            log.warning("query embedding failed, searching words only for a minute: %s", exc)
            return None
        self._vectors[key] = vector
        if len(self._vectors) > CACHED_QUERIES:
            self._vectors.popitem(last=False)
        return vector

    async def nearest(
        self, db: Database, text: str, depth: int, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        """Row ids and cosines of the papers nearest the query; none when there are none."""
        await self.index.refresh(db)
        if not len(self.index):  # nothing embedded yet: do not make the reader wait
            return []
        vector = await self.query_vector(text)
        if vector is None:
            return []
        left_out = frozenset() if exclude is None else frozenset({exclude})
        near = await self.index.nearest(db, vector, depth, left_out)
        return [(rowid, score) for rowid, score in near if score >= self.min_score]

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
        lexical, near = await asyncio.gather(
            rank(limit=depth, offset=0), self.nearest(db, text, depth, exclude)
        )
        if not near:
            rows = lexical.rows[offset : offset + limit]
            return RankedRows(
                rows, lexical.total, lexical.total_is_capped, lexical.matched_all_terms
            )
        lexical_ids = [rowid for rowid, _ in lexical.rows]
        by_id = await papers.get_by_rowids(db, lexical_ids)
        terms = _terms(expanded)
        titled = [
            i for i in lexical_ids if i in by_id and fusion.title_holds(by_id[i].title, terms)
        ]
        fused = fusion.fuse(lexical_ids, [rowid for rowid, _ in near], titled)
        added = len(set(rowid for rowid, _ in near) - set(lexical_ids))
        total = lexical.total + added
        page = tuple(fused[offset : offset + limit])
        return RankedRows(page, total, lexical.total_is_capped, lexical.matched_all_terms)


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


async def close(rt: Runtime) -> None:
    """Close the query client of this database's semantic search, if it opened one."""
    found = _BY_DB.pop(rt.db, None)
    if found is not None:
        await found.close()
