"""The search service the bot and the CLI call: an arXiv id first, then full-text results in
both languages (the query's known terms also searched as the lexicon says them otherwise)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from bot import arxiv_ids
from bot.search.expand import expand
from bot.search.lexicon import Lexicon, shipped
from storage import papers
from storage import search as fulltext
from storage.db import Database
from storage.models import SearchHit, SearchPage

if TYPE_CHECKING:
    from bot.search.semantic import Semantic

# Tokens that may name a paper on their own: ids, `arXiv:` ids, URLs, in any position.
_TOKEN = re.compile(r"\S+")


def _named_paper(query: str) -> tuple[arxiv_ids.ArxivRef | None, str]:
    """The paper the query names, if any, and the rest of the query to search as text."""
    ref = arxiv_ids.parse(query)
    if ref is not None:
        return ref, ""
    for match in _TOKEN.finditer(query):
        ref = arxiv_ids.parse(match.group(0)) or arxiv_ids.find_in(match.group(0))
        if ref is not None:
            return ref, query[: match.start()] + " " + query[match.end() :]
    return None, query


def _text_window(pinned: bool, limit: int, offset: int) -> tuple[int, int]:
    """Limit and offset among the text results when a named paper holds the first place."""
    if not pinned:
        return limit, offset
    if offset == 0:
        return limit - 1, 0
    return limit, offset - 1


async def search(
    db: Database,
    query: str,
    *,
    lang: str | None = None,
    limit: int = 5,
    offset: int = 0,
    lexicon: Lexicon | None = None,
    cross_language: bool = True,
    semantic: Semantic | None = None,
) -> SearchPage:
    """One page of papers for a user's query, best first.

    A paper named by id or URL comes first, then the full-text matches without it. `lang` is
    the reader's language: its summaries weigh a little more, the other's still match. Known
    terms are searched in both languages through `lexicon` (the shipped one by default)
    unless `cross_language` is off. With `semantic`, the papers nearest the query's embedding
    are fused with the full-text matches, and a hit the words did not find says so.
    """
    query = query.strip()
    offset = max(offset, 0)
    if not query or limit <= 0:
        return SearchPage(query=query, total=0, hits=(), offset=offset)
    ref, text = _named_paper(query)
    named = await papers.get(db, ref.arxiv_id) if ref is not None else None
    text_limit, text_offset = _text_window(named is not None, limit, offset)
    expanded = expand(fulltext.clean(text), (lexicon or shipped()) if cross_language else None)
    exclude = named.id if named is not None else None
    rank = functools.partial(
        fulltext.ranked_rows,
        db,
        expanded.plain,
        lang=lang,
        exclude=exclude,
        alternatives=expanded.alternatives(),
    )
    if semantic is None:
        found = await rank(limit=text_limit, offset=text_offset)
    else:
        found = await semantic.fused_rows(
            db, fulltext.clean(text), expanded, rank, text_limit, text_offset, exclude
        )
    by_id = await papers.get_by_rowids(db, [rowid for rowid, _ in found.rows])
    hits = [
        SearchHit(by_id[rowid], score, rowid in found.by_meaning)
        for rowid, score in found.rows
        if rowid in by_id
    ]
    if named is not None and offset == 0:
        hits.insert(0, SearchHit(named, _named_score(hits)))
    total = found.total + (1 if named is not None else 0)
    translated = expanded.translations()
    return SearchPage(query, total, tuple(hits), offset, found.total_is_capped, translated)


def _named_score(hits: list[SearchHit]) -> float:
    """A score above every text match, so that the order and the scores agree."""
    return max((hit.score for hit in hits), default=0.0) + 1.0
