"""Look-ups for papers like a given one, lexically: how common words are, and the papers that
share a paper's distinctive words, found through the full-text index.

Both are bounded at any corpus size: a word's frequency is counted among the latest
SHARE_SAMPLE papers only (FTS5 seeks to that rowid range), and candidates are ranked by bm25
over the rare words only, whose postings are few.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database

log = logging.getLogger(__name__)

SHARE_SAMPLE = 5_000

_SHARE_SQL = (
    "(SELECT count(*) FROM paper_fts"
    " WHERE paper_fts MATCH ? AND rowid > (SELECT max_id FROM m) - ?)"
)
# bm25 weights of title, authors, abstract, summary_en, summary_zh: authors say nothing of the
# subject, and summaries repeat the abstract.
_CANDIDATES_SQL = (
    "SELECT rowid, -bm25(paper_fts, 3.0, 0.0, 1.0, 0.5, 0.0) AS score FROM paper_fts"
    " WHERE paper_fts MATCH ? AND rowid <> ? ORDER BY score DESC LIMIT ?"
)
# bm25 reads every posting of its words first; FTS5 streams matches in row order without it.
_NEWEST_SQL = (
    "SELECT rowid FROM paper_fts WHERE paper_fts MATCH ? AND rowid <> ? ORDER BY rowid DESC LIMIT ?"
)


@dataclass(frozen=True, slots=True)
class Corpus:
    """How many papers there are, and each asked word's share of the latest ones."""

    size: int
    shares: dict[str, float]


@dataclass(frozen=True, slots=True)
class PaperText:
    id: int
    arxiv_id: str
    title: str
    abstract: str


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


async def word_shares(db: Database, words: Sequence[str]) -> Corpus:
    """The corpus size and the share of the latest SHARE_SAMPLE papers holding each word."""
    if not words:
        row = await db.fetchone("SELECT coalesce(max(id), 0) FROM papers")
        return Corpus(row[0], {})
    sql = "WITH m AS (SELECT coalesce(max(id), 0) AS max_id FROM papers) SELECT max_id, "
    sql += ", ".join([_SHARE_SQL] * len(words)) + " FROM m"
    params: list[object] = []
    for word in words:
        params += [_quoted(word), SHARE_SAMPLE]
    size, *counts = await db.fetchone(sql, params)
    sample = min(size, SHARE_SAMPLE)
    shares = {w: c / sample if sample else 0.0 for w, c in zip(words, counts, strict=True)}
    return Corpus(size, shares)


async def sharing_papers(
    db: Database, words: Sequence[str], exclude: int, limit: int, *, ranked: bool = True
) -> list[int]:
    """Row ids of the papers holding any of `words`, `exclude` left out: the best by bm25, or
    (not `ranked`, when the words are too common for bm25 to read their postings soon) the
    newest."""
    if not words:
        return []
    expression = " OR ".join(_quoted(word) for word in words)
    try:
        sql = _CANDIDATES_SQL if ranked else _NEWEST_SQL
        rows = await db.fetchall(sql, (expression, exclude, limit))
    except sqlite3.OperationalError as exc:
        if not str(exc).startswith("fts5"):
            raise
        log.warning("similar papers: FTS5 rejected %r: %s", expression[:80], exc)
        return []
    return [row[0] for row in rows]


async def texts(db: Database, ids: Sequence[int]) -> list[PaperText]:
    """Titles and abstracts of these papers, in no particular order."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(
        f"SELECT id, arxiv_id, title, abstract FROM papers WHERE id IN ({marks})", list(ids)
    )
    return [PaperText(row[0], row[1], row[2], row[3]) for row in rows]
