"""Papers as BibTeX, the way arXiv cites itself, for Zotero, Mendeley, EndNote and LaTeX.

Each paper is an `@misc` entry with `eprint`, `archivePrefix = {arXiv}`, `primaryClass` and the
abstract page as `url` (unversioned, as arXiv's own BibTeX). Text is UTF-8, non-ASCII names
included; LaTeX's special characters (& % $ # _ { } ~ ^ \\) are escaped, so a title reads the
same after import as on arXiv. A word with a capital after its first letter (LLM, GPT-4o,
LoRA) is braced, so that no bibliography style lowercases it. Citation keys are the first
author's surname, the year and the title's first word (`lecun2024deep`), in ASCII; a key
taken already gets a, b, c… (`lecun2024deepa`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import count
from string import ascii_lowercase

from bot.authors import fold
from bot.export.fields import first_word, person, year_of
from storage.models import Paper

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("|".join(re.escape(char) for char in _SPECIALS))
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def bibtex(papers: Iterable[Paper]) -> str:
    """The papers as a .bib file's text, in their order, each with a key of its own."""
    taken: set[str] = set()
    entries = []
    for paper in papers:
        key = _unique(_key(paper), taken)
        taken.add(key)
        entries.append(entry(paper, key))
    return "\n".join(entries)


def entry(paper: Paper, key: str) -> str:
    fields = [
        ("title", protect_capitals(paper.title)),
        ("author", " and ".join(_author(name) for name in paper.authors)),
        ("year", year_of(paper)),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category or ""),
        ("doi", escape(paper.doi or "")),
        ("url", f"https://arxiv.org/abs/{paper.arxiv_id}"),
        ("abstract", escape(" ".join(paper.abstract.split()))),
    ]
    lines = [f"  {name} = {{{value}}}" for name, value in fields if value]
    return f"@misc{{{key},\n" + ",\n".join(lines) + "\n}\n"


def escape(text: str) -> str:
    """Text with LaTeX's special characters escaped, whitespace collapsed."""
    return _escaped(" ".join(text.split()))


def protect_capitals(title: str) -> str:
    """The title escaped, each word with a capital after its first letter braced: {LLM}s."""
    out, last = [], 0
    text = " ".join(title.split())
    for match in _WORD.finditer(text):
        out.append(_escaped(text[last : match.start()]))
        word = match.group(0)
        out.append(f"{{{word}}}" if any(c.isupper() for c in word[1:]) else word)
        last = match.end()
    out.append(_escaped(text[last:]))
    return "".join(out)


def _escaped(text: str) -> str:
    return _SPECIAL.sub(lambda match: _SPECIALS[match.group(0)], text)


def _author(name: str) -> str:
    parsed = person(name)
    # A name that is no person's (a team, a consortium) is kept whole, braced.
    return escape(parsed.citation) if parsed is not None else f"{{{escape(name)}}}"


def _key(paper: Paper) -> str:
    first = paper.authors[0] if paper.authors else ""
    parsed = person(first)
    surname = _ascii(parsed.surname if parsed else first_word(first))
    return f"{surname or 'arxiv'}{year_of(paper)}{_ascii(first_word(paper.title))}"


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _unique(key: str, taken: set[str]) -> str:
    if key not in taken:
        return key
    return next(key + suffix for suffix in _suffixes() if key + suffix not in taken)


def _suffixes() -> Iterator[str]:
    yield from ascii_lowercase
    yield from (a + b for a in ascii_lowercase for b in ascii_lowercase)
    yield from (str(n) for n in count(1))
