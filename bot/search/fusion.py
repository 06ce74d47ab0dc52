"""Lexical and semantic results merged into one ranking, by reciprocal rank fusion. Pure.

Each list gives a paper 1 / (RRF_K + its rank); a paper both lists found adds both. Papers
whose title holds every term of the query come first, by their fused score among themselves:
a reader who typed a title's words expects that paper on top, whatever the vectors say.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

RRF_K = 60  # the usual constant: a rank's weight falls slowly, so both lists count
TITLE_BONUS = 1.0  # above any fused score (at most 2 / (RRF_K + 1)), so scores keep the order
_WORD = re.compile(r"[^\W_]+")


def fuse(
    lexical: Sequence[int], semantic: Sequence[int], title_matches: Iterable[int] = ()
) -> list[tuple[int, float]]:
    """Row ids with their fused scores, best first."""
    scores: dict[int, float] = {}
    for ranking in (lexical, semantic):
        for rank, rowid in enumerate(ranking, start=1):
            scores[rowid] = scores.get(rowid, 0.0) + 1.0 / (RRF_K + rank)
    for rowid in title_matches:
        if rowid in scores:
            scores[rowid] += TITLE_BONUS
    return sorted(scores.items(), key=lambda pair: (-pair[1], -pair[0]))


def words_in(text: str) -> list[str]:
    """The words of a text, as the title check reads them."""
    return _WORD.findall(text)


def _words(text: str) -> set[str]:
    return {word.removesuffix("s") for word in _WORD.findall(text.casefold())}


def title_holds(title: str, terms: Sequence[Sequence[str]]) -> bool:
    """Whether the title says every term, each in one of its forms (whole words, any case,
    a plural `s` aside); Chinese forms as they are written."""
    if not terms:
        return False
    words, folded = _words(title), title.casefold()
    return all(any(_says(form, words, folded) for form in forms) for forms in terms)


def _says(form: str, words: set[str], folded: str) -> bool:
    wanted, written = _form(form)
    if not wanted:
        return False
    if written is not None:
        return written in folded
    return wanted <= words


@functools.lru_cache(maxsize=4096)  # a query's forms are checked against fifty titles
def _form(form: str) -> tuple[frozenset[str], str | None]:
    """A form's words, and the form itself when it is Chinese (matched as it is written)."""
    return frozenset(_words(form)), None if form.isascii() else form.casefold()
