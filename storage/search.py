"""Full-text search over papers: any user text as a safe FTS5 query, and ranked look-ups.

Every user word reaches MATCH inside double quotes, so FTS5 reads it as a string and never as
syntax: operators, column filters, parentheses and stray quotes typed by a user are words or
nothing. English words are stemmed by the index's porter tokenizer inside the quotes. Chinese
runs are written the way `storage.cjk` indexes them: a run of two or more characters is the
phrase of its bigrams, one character is the prefix of a bigram. A term the caller found in
another language (`Alternatives`) matches as the user's words or any of its other forms, each
form a quoted phrase.

Ranking is bm25 with the title weighted highest, and its cost is bounded twice. It scores the
most recent RANK_WINDOW matches only (row order is ingestion order, a fair stand-in for
recency), because FTS5 scores every match before it can return the best five; the count of
matches stops at the same bound. And it scores by the query's rarest words only, because
bm25 first reads every posting of each word it scores to learn its idf: words found in half
the papers or more, which bm25 weighs at almost nothing, are left out, and phrases are matched
whole but scored by their words.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import unicodedata
from dataclasses import dataclass

from storage.cjk import has_cjk, run_bigrams, split_runs
from storage.db import Database

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_TERMS = 12
# Terms of the any-word fallback, where every form of every translated term counts.
MAX_LOOSE_TERMS = 32
# Up to this many terms, the any-word fallback also takes the words of multi-word forms.
SHORT_QUERY_TERMS = 2
# bench/search.py at 200,000 papers: p50 1.9 ms with 1,000, 3.6 ms with 2,000 (p99 8.4 / 9.2 ms).
RANK_WINDOW = 1_000
# Terms in this share of the latest papers or more get almost no weight from bm25 (its idf
# is log((N - n + 0.5) / (n + 0.5)), clamped at zero), so ranking skips their costly idf pass.
COMMON_SHARE = 0.5
SHARE_SAMPLE = 1_000
# bm25 reads every posting of each ranked word once per query (its idf): about 25 ns each here.
RANK_POSTINGS = 120_000
# Chinese runs longer than this are split into their bigrams when the exact phrase finds nothing.
LONG_CHINESE_RUN = 4

# bm25 weights of title, authors, abstract, summary_en, summary_zh: a title states the subject
# in a few words and an author name is meant exactly; summaries condense the abstract, whose
# 150 words say much in passing. The reader's own summary counts a little more.
_WEIGHTS = {"title": 10.0, "authors": 5.0, "abstract": 1.0, "summary_en": 2.0, "summary_zh": 2.0}
_READER_BOOST = 1.5

# Words that narrow nothing; dropped unless the query holds nothing else.
_STOPWORDS_TEXT = (
    "a an and are as at be by for from in is it of on or the to with about into that this"
    " these those what which how paper papers"
)
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})

_PHRASE = re.compile(r'"([^"]*)"')
# A word, with its inner hyphens, apostrophes, dots and slashes (GPT-4, chain-of-thought, 3.5).
_WORD = re.compile(r"[^\W_]+(?:[-'’./][^\W_]+)*")
_TOKEN_CHAR = re.compile(r"[^\W_]")
_TOKEN_RUN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Alternatives:
    """The user's words for one term and the same term said otherwise (in the other language,
    an abbreviation, a variant): a paper matches with the words or with any one form."""

    said: str
    forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchQuery:
    """A user text as quoted FTS5 terms: every strict term, or failing that any loose one."""

    strict: tuple[str, ...]
    loose: tuple[str, ...]  # the same, with long Chinese runs split into their bigrams
    grouped: bool = False  # some strict terms are (words OR forms) groups
    # What ranks strict matches of a grouped query: per term, its alternatives' words.
    ranked_by: tuple[tuple[tuple[str, ...], ...], ...] = ()

    def ranking_words(self, all_terms: bool) -> tuple[str, ...]:
        if all_terms and self.ranked_by:
            found = (w for group in self.ranked_by for words in group for w in words)
        else:
            found = (w for t in (self.strict if all_terms else self.loose) for w in words_of(t))
        return tuple(dict.fromkeys(found))

    @property
    def all_terms(self) -> str:
        return " AND ".join(self.strict)

    @property
    def any_term(self) -> str | None:
        """None when it would find nothing that `all_terms` does not."""
        return " OR ".join(self.loose) if len(self.loose) > 1 else None


@dataclass(frozen=True, slots=True)
class RankedRows:
    """One page of matching paper row ids, best first, with scores (higher is better)."""

    rows: tuple[tuple[int, float], ...]
    total: int  # matches counted, at most RANK_WINDOW
    total_is_capped: bool
    matched_all_terms: bool  # False: the AND found nothing and the OR was used


EMPTY = RankedRows((), 0, False, True)


def clean(text: str) -> str:
    """The text without control, format and surrogate characters, cut to a sane length."""
    kept = (" " if unicodedata.category(ch)[0] == "C" else ch for ch in text[:MAX_QUERY_CHARS])
    return "".join(kept)


def _quoted(tokens: str) -> str:
    return '"' + tokens.replace('"', '""') + '"'


def _chinese(run: str, *, split_long: bool) -> list[str]:
    if len(run) == 1:
        return [_quoted(run) + " *"]  # every character begins some indexed bigram
    bigrams = run_bigrams(run)[:-1]  # the index's trailing single character is no word
    if split_long and len(run) > LONG_CHINESE_RUN:
        return [_quoted(bigram) for bigram in bigrams]
    return [_quoted(" ".join(bigrams))]


def _word_terms(word: str, *, split_long: bool) -> list[str]:
    terms: list[str] = []
    for is_chinese, piece in split_runs(word):
        if is_chinese:
            terms.extend(_chinese(piece, split_long=split_long))
        elif _TOKEN_CHAR.search(piece):
            terms.append(_quoted(piece))
    return terms


def _phrase_term(phrase: str) -> str | None:
    pieces = []
    for is_chinese, piece in split_runs(phrase):
        pieces.append(" ".join(run_bigrams(piece)[:-1] or [piece]) if is_chinese else piece)
    text = " ".join(pieces)
    return _quoted(text) if _TOKEN_CHAR.search(text) else None


def _loose_words(text: str, *, alone: bool) -> list[str]:
    words = _WORD.findall(text)
    meaningful = [w for w in words if w not in _OPERATORS and w.lower() not in _STOPWORDS]
    return meaningful or words if alone else meaningful


def terms(text: str, *, split_long_chinese: bool = False, alone: bool = True) -> list[str]:
    """The user text as quoted FTS5 terms (phrases, prefix queries), at most MAX_TERMS.

    Stopwords are searched only in a text of nothing else that is `alone` (no other terms).
    """
    text = clean(text)
    found: list[str] = []
    for phrase in _PHRASE.findall(text):
        if (term := _phrase_term(phrase)) is not None:
            found.append(term)
    loose = _PHRASE.sub(" ", text).replace('"', " ")
    for word in _loose_words(loose, alone=alone):
        found.extend(_word_terms(word, split_long=split_long_chinese))
    return list(dict.fromkeys(found))[:MAX_TERMS]


def _group(alternatives: Alternatives) -> str | None:
    """`((the user's words) OR "form" OR …)`, or None when nothing in it is searchable."""
    said = terms(alternatives.said)
    options = ["(" + " AND ".join(said) + ")"] if said else []
    options += [t for form in alternatives.forms if (t := _phrase_term(form)) is not None]
    return "(" + " OR ".join(options) + ")" if options else None


def _loose_alternatives(alternatives: Alternatives, *, by_words: bool) -> list[str]:
    """The term's forms as phrases, or `by_words`: a paper that says "alignment for safety"
    is an answer to 安全对齐 when no paper says "safety alignment"."""
    found = terms(alternatives.said, split_long_chinese=True)
    for form in alternatives.forms:
        if by_words:
            found += terms(form, split_long_chinese=True, alone=False)
        elif (term := _phrase_term(form)) is not None:
            found.append(term)
    return found


def to_match(text: str, alternatives: tuple[Alternatives, ...] = ()) -> MatchQuery | None:
    """The FTS5 MATCH expressions for a user text and the terms found in it otherwise said;
    None when they hold no searchable word."""
    groups = [g for a in alternatives[:MAX_TERMS] if (g := _group(a)) is not None]
    alone = not groups
    plain = terms(text, alone=alone)
    strict = list(dict.fromkeys(groups + plain))[:MAX_TERMS]
    if not strict:
        return None
    # A short query's few terms may be said in other words; a long one's phrases suffice.
    by_words = len(strict) <= SHORT_QUERY_TERMS
    loose = [t for a in alternatives[:MAX_TERMS] for t in _loose_alternatives(a, by_words=by_words)]
    loose += terms(text, split_long_chinese=True, alone=alone)
    loose = list(dict.fromkeys(loose))[:MAX_LOOSE_TERMS]
    # bm25 reads every posting of each ranked word: few words rank, all forms match.
    ranked = [((w,),) for t in plain for w in words_of(t)]
    ranked += [_ranking_group(a) for a in alternatives[:MAX_TERMS]]
    return MatchQuery(tuple(strict), tuple(loose), bool(groups), tuple(g for g in ranked if g))


def _ranking_group(alternatives: Alternatives) -> tuple[tuple[str, ...], ...]:
    """The reader's words, and for Chinese words the term's first English form, the language
    of most papers. Other forms match but never rank: their words would credit papers that
    share one of them (a bigram, a stem) above papers with the reader's own words."""
    said = tuple(w for t in terms(alternatives.said) for w in words_of(t))
    if not has_cjk(alternatives.said):
        return (said,) if said else ()
    english = [form for form in alternatives.forms if not has_cjk(form)][:1]
    found = [words_of(t) for form in english if (t := _phrase_term(form)) is not None]
    return tuple(words for words in (said, *found) if words)


def weights(lang: str | None) -> tuple[float, ...]:
    """bm25 column weights in index order, the reader's summary boosted."""
    boosted = dict(_WEIGHTS)
    if lang in ("en", "zh"):
        boosted[f"summary_{lang}"] *= _READER_BOOST
    return tuple(boosted.values())


_QUOTED = re.compile(r'"((?:[^"]|"")*)"( \*)?')


def words_of(term: str) -> tuple[str, ...]:
    """The one-token terms a term (or a group of them) is made of; a prefix query stays whole."""
    words: list[str] = []
    for match in _QUOTED.finditer(term):
        if match.group(2):
            words.append(match.group(0))
        else:
            words += [_quoted(word) for word in _TOKEN_RUN.findall(match.group(1))]
    return tuple(dict.fromkeys(words))


@dataclass(frozen=True, slots=True)
class _Plan:
    matching: str  # the expression papers must match
    ranking: str  # the words bm25 scores them by
    all_terms: bool


_SHARE_SQL = (
    "(SELECT count(*) FROM paper_fts WHERE paper_fts MATCH ?"
    " AND rowid > (SELECT coalesce(max(id), 0) FROM papers) - ?)"
)
_WINDOW_SQL = (
    "SELECT count(*), min(rowid), {ids} FROM (SELECT rowid FROM paper_fts"
    " WHERE paper_fts MATCH :matching AND rowid IS NOT :exclude ORDER BY rowid DESC LIMIT :window)"
)
_RANK_SQL = (
    "SELECT rowid, -bm25(paper_fts, :w0, :w1, :w2, :w3, :w4) AS score FROM paper_fts"
    " WHERE paper_fts MATCH :ranking AND rowid >= :boundary AND rowid IS NOT :exclude{within}"
    " ORDER BY score DESC, rowid DESC LIMIT :limit OFFSET :offset"
)
# `+rowid` keeps SQLite from handing the list to FTS5, which would then rank once per row.
_WITHIN = " AND +rowid IN (SELECT value FROM json_each(:ids))"


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


async def _selective(db: Database, words: tuple[str, ...]) -> tuple[str, ...]:
    """The words to rank by: the rare ones carry bm25's weight and cost it least."""
    if len(words) < 2:
        return words
    corpus, shares = await _shares(db, words)
    if corpus < SHARE_SAMPLE:  # too few papers to estimate from, and cheap to rank in full
        return words
    return _affordable(words, shares, corpus)


async def _plan(db: Database, query: MatchQuery, *, all_terms: bool) -> _Plan:
    """What to match and what to rank by: phrases are matched whole but ranked by their
    words, which costs bm25 one pass over each word's postings instead of a phrase search."""
    terms = query.strict if all_terms else query.loose
    words = await _selective(db, query.ranking_words(all_terms))
    if all_terms and query.ranked_by:
        return _Plan(" AND ".join(terms), _grouped_ranking(query.ranked_by, set(words)), True)
    if all_terms:
        return _Plan(" AND ".join(terms), " AND ".join(words), True)
    # Papers that share only common words with the query are no answer to it.
    kept = [term for term in terms if set(words_of(term)) & set(words)]
    return _Plan(" OR ".join(kept), " OR ".join(words), False)


def _grouped_ranking(groups: tuple[tuple[tuple[str, ...], ...], ...], kept: set[str]) -> str:
    """Every term by any of its ranked alternatives, each alternative by its kept words: an
    AND that bm25 walks as cheaply as the plain query's; a match it misses scores nothing."""
    parts = []
    for group in groups:
        options = [" AND ".join(w for w in words if w in kept) for words in group]
        if options := [f"({option})" for option in options if option]:
            parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


async def _ranked(
    db: Database, plan: _Plan, lang: str | None, limit: int, offset: int, exclude: int | None
) -> tuple[int, list[tuple[int, float]]]:
    narrowed = plan.ranking != plan.matching
    window_sql = _WINDOW_SQL.format(ids="json_group_array(rowid)" if narrowed else "NULL")
    window = {"matching": plan.matching, "exclude": exclude, "window": RANK_WINDOW}
    count, boundary, ids = await db.fetchone(window_sql, window)
    if count == 0 or offset >= count:
        return count, []
    params = {f"w{i}": weight for i, weight in enumerate(weights(lang))}
    params |= {"ranking": plan.ranking, "boundary": boundary, "exclude": exclude, "ids": ids}
    params |= {"limit": limit + offset, "offset": 0}
    rows = await db.fetchall(_RANK_SQL.format(within=_WITHIN if narrowed else ""), params)
    ranked = [(row[0], row[1]) for row in rows]
    if narrowed and len(ranked) < limit + offset:
        ranked += _unscored(json.loads(ids), ranked)
    return count, ranked[offset : offset + limit]


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
        count, rows = await _ranked(db, plan, lang, limit, offset, exclude)
        if count == 0 and query.any_term is not None:
            plan = await _plan(db, query, all_terms=False)
            count, rows = await _ranked(db, plan, lang, limit, offset, exclude)
    except sqlite3.OperationalError as exc:
        # Quoting leaves FTS5 no syntax to reject; should it still, the user gets no results.
        if not str(exc).startswith("fts5"):
            raise
        log.warning("search query %r rejected by FTS5: %s", text[:80], exc)
        return EMPTY
    return RankedRows(tuple(rows), count, count >= RANK_WINDOW, plan.all_terms)


async def check_index(db: Database) -> None:
    """Raise if the full-text index disagrees with the papers and summaries it indexes."""
    await db.conn.execute("INSERT INTO paper_fts (paper_fts, rank) VALUES ('integrity-check', 1)")
