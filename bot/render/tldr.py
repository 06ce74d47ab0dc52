"""A paper's TL;DR for a digest: the first sentences of its summary, at most about two lines
on a phone, cut at a sentence boundary (or, for one long sentence, at a clause or a word,
never inside one).

Pure text in, text out; escaping is the caller's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Two lines of a message bubble, in widths of a Latin letter (a CJK character is two).
LINE_WIDTH = 60
BUDGET = 2 * LINE_WIDTH
ELLIPSIS = "…"

# A sentence ends at 。！？ (Chinese) or at .!? followed by a space and a capital, a digit or
# an opening quote; common abbreviations (e.g., et al., Fig.) do not end one.
_SENTENCE_END = re.compile(r"(?<=[。！？])\s*|(?<=[.!?])\s+(?=[\"“(A-Z0-9])|(?<=[!?])\s+")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|et al|etc|vs|Fig|Eq|Sec|cf|al|No)\.|\b[A-Z]\.)$")
_CLAUSE_END = re.compile(r"[，；：,;:]")


@lru_cache(maxsize=4096)  # a push writes the same papers' TL;DRs for thousands of chats
def tldr(summary: str, lang: str) -> str:
    """The summary's first sentences within two lines; one long sentence cut cleanly with "…"."""
    text = " ".join(summary.split())
    if width(text) <= BUDGET:
        return text
    kept = ""
    for sentence in sentences(text):
        if width(kept + sentence.rstrip()) > BUDGET:
            break
        kept += sentence
    return kept.strip() if kept.strip() else _cut_sentence(text, BUDGET)


def width(text: str) -> int:
    """How wide `text` shows, in Latin letters: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def sentences(text: str) -> list[str]:
    """`text` in sentences, each with its end mark and the space after it."""
    found: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end <= start or _ABBREVIATION.search(text[start:end].rstrip()):
            continue
        found.append(text[start:end])
        start = end
    if start < len(text):
        found.append(text[start:])
    return [piece for piece in found if piece.strip()]


def _cut_sentence(text: str, budget: int) -> str:
    head = _head_within(text, budget - width(ELLIPSIS))
    clauses = [m.end() for m in _CLAUSE_END.finditer(head)]
    if clauses and clauses[-1] > len(head) // 2:
        return head[: clauses[-1] - 1].rstrip() + ELLIPSIS
    space = head.rfind(" ")
    if space > len(head) // 2:
        return head[:space].rstrip(" ,;:") + ELLIPSIS
    # Chinese has no spaces: any character boundary is a word boundary good enough here.
    return head.rstrip() + ELLIPSIS


def _head_within(text: str, budget: int) -> str:
    used = 0
    for index, char in enumerate(text):
        used += width(char)
        if used > budget:
            return text[:index]
    return text
