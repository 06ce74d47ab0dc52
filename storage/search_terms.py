"""A user's text as safe FTS5 MATCH expressions: quoted terms, phrases, groups of alternatives.

Every user word reaches MATCH inside double quotes, so FTS5 reads it as a string and never as
syntax: operators, column filters, parentheses and stray quotes typed by a user are words or
nothing. English words are stemmed by the index's porter tokenizer inside the quotes. Chinese
runs are written the way `storage.cjk` indexes them: a run of two or more characters is the
phrase of its bigrams, one character is the prefix of a bigram. A term the caller found in
another language (`Alternatives`) matches as the user's words or any of its other forms, each
form a quoted phrase.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from storage.cjk import has_cjk, run_bigrams, split_runs

MAX_QUERY_CHARS = 500
MAX_TERMS = 12
# Terms of the any-word fallback, where every form of every translated term counts.
MAX_LOOSE_TERMS = 32
# Up to this many terms, the any-word fallback also takes the words of multi-word forms.
SHORT_QUERY_TERMS = 2

# Chinese runs longer than this are split into their bigrams when the exact phrase finds nothing.
LONG_CHINESE_RUN = 4

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
    """`((the user's words) OR (form's words) OR …)`, or None when nothing in it is searchable."""
    options = [_all_of(terms(alternatives.said))]
    options += [_form_option(form) for form in alternatives.forms]
    kept = [option for option in options if option]
    return "(" + " OR ".join(kept) + ")" if kept else None


def _all_of(found: list[str]) -> str:
    return "(" + " AND ".join(found) + ")" if found else ""


def _form_option(form: str) -> str:
    """An English form as all of its words, as a user's own words are matched: FTS5 proves a
    phrase of common words absent only by reading their every posting; Chinese as a phrase."""
    if has_cjk(form):
        return _phrase_term(form) or ""
    return _all_of(terms(form, alone=False))


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


# Readers repeat searches (pages, inline queries as they type): building one costs ~0.3 ms.
@functools.lru_cache(maxsize=1024)
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
