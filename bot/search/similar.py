"""Papers like a given one, never the paper itself: its nearest embeddings when an embeddings
endpoint is configured and the paper has one, else the cosine of TF-IDF vectors over title
and abstract, which works offline.

The lexical way stays fast at any corpus size: the paper's most distinctive words (by tf-idf,
their frequency estimated on the latest papers) find a few dozen candidates through the
full-text index, and only those are compared with the paper.
"""

from __future__ import annotations

import statistics

from bot.runtime import Runtime
from bot.search import semantic, tfidf
from bot.search.vectors import unpacked
from storage import embeddings, papers
from storage import similar as lookups
from storage.db import Database
from storage.models import Paper, SearchHit

LOOKED_UP_WORDS = 40  # the paper's most frequent words whose rarity is asked of the index
QUERY_WORDS = 12  # distinctive words that find the candidates
QUERY_POSTINGS = 60_000  # estimated postings the candidates' query may read
CANDIDATES = 80
# When even the rarest distinctive word is too common for bm25 (a corpus of look-alike papers),
# the newest papers holding any of them are compared instead.
NEWEST_CANDIDATES = 100


async def similar(rt: Runtime, paper: Paper, limit: int) -> list[SearchHit]:
    """Up to `limit` papers like `paper`, best first, never `paper` itself."""
    vectors = semantic.for_runtime(rt)
    if vectors is not None and (found := await nearest(rt.db, vectors, paper, limit)):
        return found
    return await lexical(rt.db, paper, limit)


async def nearest(
    db: Database, vectors: semantic.Semantic, paper: Paper, limit: int
) -> list[SearchHit]:
    """The papers whose embeddings are nearest this paper's; none when it has none yet, or
    while the index is loading."""
    stored = await embeddings.vectors(db, vectors.index.model, [paper.id]) if paper.id else {}
    if paper.id not in stored or not await vectors.ready(db):
        return []
    nearest_first = await vectors.index.nearest(
        db, unpacked(stored[paper.id]), limit + 2, frozenset({paper.id})
    )
    near = [(rowid, score) for rowid, score in nearest_first if score >= vectors.min_score]
    by_id = await papers.get_by_rowids(db, [rowid for rowid, _ in near])
    hits = [
        SearchHit(by_id[rowid], round(score, 4))
        for rowid, score in near
        if rowid in by_id and not _same_work(paper, _text_of(by_id[rowid]))
    ]
    return hits[:limit]


def _text_of(paper: Paper) -> lookups.PaperText:
    return lookups.PaperText(paper.id or 0, paper.arxiv_id, paper.title, paper.abstract)


async def lexical(db: Database, paper: Paper, limit: int) -> list[SearchHit]:
    """Up to `limit` papers by TF-IDF cosine with `paper`, best first, the paper left out."""
    counts = tfidf.term_counts(paper.title, paper.abstract)
    if not counts or paper.id is None or limit <= 0:
        return []
    asked = [word for word, _ in counts.most_common(LOOKED_UP_WORDS)]
    corpus = await lookups.word_shares(db, asked)
    idfs = {word: tfidf.idf(share, corpus.size) for word, share in corpus.shares.items()}
    unknown = statistics.fmean(idfs.values()) if idfs else 1.0
    query, postings = _affordable(tfidf.distinctive(counts, idfs, QUERY_WORDS), corpus)
    ranked = postings <= QUERY_POSTINGS
    wanted = CANDIDATES if ranked else NEWEST_CANDIDATES
    ids = await lookups.sharing_papers(db, query, paper.id, wanted, ranked=ranked)
    mine = tfidf.weigh(counts, idfs, unknown)
    scored = []
    for other in await lookups.texts(db, ids):
        if _same_work(paper, other):
            continue
        theirs = tfidf.weigh(tfidf.term_counts(other.title, other.abstract), idfs, unknown)
        if (score := tfidf.cosine(mine, theirs)) > 0:
            scored.append((score, other.id))
    scored.sort(key=lambda pair: (-pair[0], -pair[1]))
    best = scored[:limit]
    by_id = await papers.get_by_rowids(db, [rowid for _, rowid in best])
    return [SearchHit(by_id[rowid], round(score, 4)) for score, rowid in best if rowid in by_id]


def _affordable(words: list[str], corpus: lookups.Corpus) -> tuple[list[str], float]:
    """The distinctive words, in order, while their postings fit the budget (at least one),
    and their estimated postings."""
    chosen, postings = [], 0.0
    for word in words:
        cost = corpus.shares.get(word, 0.0) * corpus.size
        if chosen and postings + cost > QUERY_POSTINGS:
            continue
        chosen.append(word)
        postings += cost
    return chosen, postings


def _same_work(paper: Paper, other: lookups.PaperText) -> bool:
    """The paper itself under another row, or a copy of it: never a paper "like" it."""
    same_title = " ".join(paper.title.casefold().split()) == " ".join(
        other.title.casefold().split()
    )
    return other.id == paper.id or other.arxiv_id == paper.arxiv_id or same_title
