"""A reader's query read against the lexicon: which of its words are terms known in both
languages, and what else those terms are called.

Chinese runs are segmented by forward maximum matching against the lexicon's Chinese forms
(the longest known term at each position, so 红队测试 is one term and 安全对齐 is 安全对齐, not
安全 + 对齐 unless only those are known); English words are matched the same way, the longest
run of words that is a known form. What is not found stays the reader's words, searched as
before. A quoted phrase is meant exactly and is never expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.search.lexicon import Entry, Lexicon, english_key, fold
from storage.cjk import has_cjk, split_runs
from storage.search_terms import Alternatives

# Forms searched besides the reader's words, for one term: enough for the variants that
# matter, few enough to keep a query of a dozen terms fast.
MAX_FORMS = 2
# Chinese words that only join others (based on, through, a kind of): never a search term.
_GLUE_TEXT = (
    "基于 通过 利用 使用 用于 一种 一个 面向 针对 关于 以及 及其 对于 中的 如何 什么 我们 进行"
    " 提出 实现 之间 其中 可以 能够 以便 并且 或者 还是 以上 以下"
)
_CHINESE_GLUE = frozenset(_GLUE_TEXT.split())
_PHRASE = re.compile(r'"[^"]*"')
_WORD = re.compile(r"[^\W_]+(?:[-'’./][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Expanded:
    """A query split into the reader's plain words and the terms known in both languages."""

    plain: str  # searched as the reader wrote it
    terms: tuple[tuple[str, Entry], ...]  # (the reader's words, the entry they name)

    def alternatives(self) -> tuple[Alternatives, ...]:
        return tuple(Alternatives(said, _other_forms(said, entry)) for said, entry in self.terms)

    def translations(self) -> tuple[tuple[str, str], ...]:
        """Each known term and its first form in the other language, for the reader to see."""
        shown = []
        for said, entry in self.terms:
            other = entry.english if has_cjk(said) else entry.chinese
            if english_key(other[0]) != english_key(said):
                shown.append((said, other[0]))
        return tuple(dict.fromkeys(shown))


def _other_forms(said: str, entry: Entry) -> tuple[str, ...]:
    """The entry's forms but the one said, the other language's first, one of each stem."""
    if has_cjk(said):
        ordered = (*entry.english, *entry.chinese)
    else:
        ordered = (*entry.chinese, *entry.english)
    seen = {_stem(fold(said))}
    forms = []
    for form in ordered:
        if (stem := _stem(form)) not in seen:  # the index stems: LLMs is LLM, models is model
            seen.add(stem)
            forms.append(form)
    return tuple(forms[:MAX_FORMS])


def _stem(form: str) -> str:
    return " ".join(word.removesuffix("s") for word in english_key(form).split())


def expand(query: str, lexicon: Lexicon | None) -> Expanded:
    """The query's known terms and the rest of it; everything plain without a lexicon."""
    if lexicon is None:
        return Expanded(query, ())
    plain: list[str] = _PHRASE.findall(query)
    found: list[tuple[str, Entry]] = []
    for is_chinese, piece in split_runs(_PHRASE.sub(" ", query).replace('"', " ")):
        if is_chinese:
            _chinese_terms(fold(piece), lexicon, plain, found)
        else:
            _english_terms(_WORD.findall(piece), lexicon, plain, found)
    return Expanded(" ".join(plain), tuple(dict.fromkeys(found)))


def _chinese_terms(
    run: str, lexicon: Lexicon, plain: list[str], found: list[tuple[str, Entry]]
) -> None:
    """Forward maximum matching; unknown stretches stay plain, glue words and lone
    characters inside a longer run are dropped (a lone character alone is kept)."""
    shortest = 1 if len(run) == 1 else 2
    unknown = ""
    start = 0
    while start < len(run):
        for size in range(min(lexicon.longest_chinese, len(run) - start), shortest - 1, -1):
            entry = lexicon.chinese(run[start : start + size])
            if entry is not None:
                _keep_unknown(unknown, run, plain)
                unknown = ""
                found.append((run[start : start + size], entry))
                start += size
                break
        else:
            unknown += run[start]
            start += 1
    _keep_unknown(unknown, run, plain)


def _keep_unknown(unknown: str, run: str, plain: list[str]) -> None:
    if unknown and unknown not in _CHINESE_GLUE and (len(unknown) > 1 or unknown == run):
        plain.append(unknown)


def _english_terms(
    words: list[str], lexicon: Lexicon, plain: list[str], found: list[tuple[str, Entry]]
) -> None:
    """The longest run of words at each position that is a known form."""
    start = 0
    while start < len(words):
        for size in range(min(lexicon.longest_english, len(words) - start), 0, -1):
            said = " ".join(words[start : start + size])
            entry = lexicon.english(said)
            if entry is not None:
                found.append((said, entry))
                start += size
                break
        else:
            plain.append(words[start])
            start += 1
