"""Phrases of topic rules, and finding them in a paper's text quickly.

A phrase is one or more words matched as whole words, ignoring case, with the usual English
plural endings tolerated (`agent` finds `agents`, `query` finds `queries`); hyphens and
spaces between words are alike. A word written with two or more capitals (`RAG`, `MoE`,
`LoRA`) must match its case, so `rag` or `moe` in ordinary prose do not count. A final `*`
matches any ending (`quantiz*`). A phrase with Chinese characters is found as a substring.

Finding runs for every ingested paper. Trying a regular expression per phrase costs
hundreds of microseconds for an abstract, so instead the text is split into words once,
each phrase is looked for only where its longest (so likely rarest) word occurs, and what
a word satisfies is worked out once and remembered across papers.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z0-9]+")
_PHRASE_WORD = re.compile(r"[A-Za-z0-9]+\*?")
_CJK = re.compile("[\u2e80-\U0010ffff]")
_REMEMBERED_WORDS = 200_000  # distinct words remembered before starting afresh
_NONE: frozenset[int] = frozenset()
# Words in nearly every abstract: a phrase is looked for where its other words occur.
_COMMON_WORDS = frozenset(
    "a an and as at based by data evaluation for framework from generation in into is large"  # noqa: SIM905 - one word a line fills a page
    " language learning method model models network of on performance question answering"
    " task text the to training using via with context image system".split()
)
_Anchor = tuple[int, int, int, tuple[tuple[int, int], ...]]


class PhraseError(ValueError):
    """A phrase that cannot be matched as written."""


def check_phrase(phrase: str) -> None:
    """Raise PhraseError when a phrase could never match or is ambiguous."""
    if not phrase.strip():
        raise PhraseError("is empty")
    if "*" in phrase and not (phrase.count("*") == 1 and phrase.rstrip().endswith("*")):
        raise PhraseError("may have '*' only at its very end")
    if has_cjk(phrase):
        return
    words = _PHRASE_WORD.findall(phrase)
    if not words:
        raise PhraseError("has no letters or digits")
    if words[-1].endswith("*") and len(words[-1]) < 4:
        raise PhraseError("needs at least 3 letters before '*'")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def _rarity(word: str) -> tuple[bool, int]:
    """How rare a word likely is in abstracts: an uncommon word first, then a longer one."""
    stem = word.rstrip("*").lower()
    return stem not in _COMMON_WORDS, len(stem)


def _singulars(word: str) -> tuple[str, ...]:
    """The word and what it could be the plural of."""
    forms = [word]
    if word.endswith("s") and len(word) > 2:
        forms.append(word[:-1])
        if word.endswith("es"):
            forms.append(word[:-2])
        if word.endswith("ies"):
            forms.append(word[:-3] + "y")
    return tuple(forms)


class PhraseIndex:
    """Phrases in Latin script as sequences of word patterns; `find` gives where they occur."""

    def __init__(self) -> None:
        self._exact: dict[str, int] = {}  # word patterns by kind -> pattern id
        self._cased: dict[str, int] = {}
        self._prefixes: dict[str, int] = {}
        self._phrase_ids: dict[tuple[int, ...], int] = {}
        # pattern -> (phrase, anchor's offset in it, (offset from anchor, pattern) of the rest)
        self._anchored: dict[int, list[_Anchor]] = {}
        self._seen: set[str] = set()
        self._patterns_of: dict[str, frozenset[int]] = {}  # only words with some pattern
        self._anchors_of: dict[str, tuple[_Anchor, ...]] = {}  # only words anchoring some

    def add(self, phrase: str) -> int:
        """The phrase's id; the same phrase added twice has one id."""
        words = _PHRASE_WORD.findall(phrase)
        pattern = tuple(self._pattern_id(word) for word in words)
        if pattern in self._phrase_ids:
            return self._phrase_ids[pattern]
        phrase_id = self._phrase_ids[pattern] = len(self._phrase_ids)
        anchor = max(range(len(words)), key=lambda i: _rarity(words[i]))
        rest = tuple((i - anchor, p) for i, p in enumerate(pattern) if i != anchor)
        entry = (phrase_id, anchor, len(pattern), rest)
        self._anchored.setdefault(pattern[anchor], []).append(entry)
        self._forget()  # what words satisfy has changed
        return phrase_id

    def _pattern_id(self, word: str) -> int:
        if word.endswith("*"):
            table, key = self._prefixes, word[:-1].lower()
        elif sum(ch.isupper() for ch in word) >= 2:
            table, key = self._cased, word
        else:
            table, key = self._exact, word.lower()
        return table.setdefault(key, len(self._exact) + len(self._cased) + len(self._prefixes))

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(phrase id, first word, word after the last) of every occurrence in the text."""
        words = _WORD.findall(text)
        distinct = set(words)
        for word in distinct.difference(self._seen):
            self._learn(word)
        anchors_of = self._anchors_of
        if distinct.isdisjoint(anchors_of):
            return []
        patterns_of, count = self._patterns_of, len(words)
        hits = []
        for i in [i for i, word in enumerate(words) if word in anchors_of]:
            for phrase_id, offset, length, rest in anchors_of[words[i]]:
                start = i - offset
                if not rest:
                    hits.append((phrase_id, i, i + 1))
                elif (
                    start >= 0
                    and start + length <= count
                    and all(p in patterns_of.get(words[i + d], _NONE) for d, p in rest)
                ):
                    hits.append((phrase_id, start, start + length))
        return hits

    def _learn(self, word: str) -> None:
        if len(self._seen) >= _REMEMBERED_WORDS:
            self._forget()
        self._seen.add(word)
        lower = word.lower()
        ids = {self._exact[f] for f in _singulars(lower) if f in self._exact}
        ids.update(self._cased[f] for f in _singulars(word) if f in self._cased)
        ids.update(i for stem, i in self._prefixes.items() if lower.startswith(stem))
        if not ids:
            return
        self._patterns_of[word] = frozenset(ids)
        anchors = tuple(anchor for i in ids for anchor in self._anchored.get(i, ()))
        if anchors:
            self._anchors_of[word] = anchors

    def _forget(self) -> None:
        self._seen.clear()
        self._patterns_of.clear()
        self._anchors_of.clear()
