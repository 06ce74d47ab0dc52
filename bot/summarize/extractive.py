"""The honest offline English summary: the key sentences of an abstract, whole and in order.

It runs for every paper at ingest, so it is cheap: one pass to find sentence ends, one
substring search per cue over the whole abstract and a few compiled regexes per sentence to
score it, no model, no tokenizer.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

MAX_WORDS = 60
# A whole sentence a little over the budget says more than nothing, and a cut one would
# misquote the authors; past half again the budget it is no longer a summary: None.
_OVERRUN = 1.5
_MAX_SENTENCES = 3
# A sentence weighs its words, or its characters over ten when longer: a 1 MB "word" (a
# formula, a run of symbols) weighs what it would take a reader to read.
_CHARS_PER_WORD = 10
MAX_CHARS = int(MAX_WORDS * _OVERRUN * _CHARS_PER_WORD)
_WORTH_ADDING = 1.5  # a second or third sentence must carry a contribution or a result

_LATEX_COMMAND = re.compile(
    r"\\(?:emph|textbf|textit|textsc|texttt|textrm|text|mathrm|mathbf|mathit|mathcal)\{([^{}]*)\}"
)
_LATEX_DROPPED = re.compile(r"\\(?:cite[pt]?|ref|eqref|label|footnote)\{[^{}]*\}")
_INLINE_MATH = re.compile(r"\$([^$]+)\$")
# A sentence ends at . ? ! (closing quotes or brackets allowed) before a capital or digit.
_END = re.compile(r"[.?!][\"'”’)\]]*\s+(?=[\"'“(\[]?[A-Z0-9\\$])")
_NEVER_FINAL = frozenset(
    [
        "e.g.",
        "i.e.",
        "vs.",
        "fig.",
        "figs.",
        "eq.",
        "eqs.",
        "sec.",
        "secs.",
        "tab.",
        "cf.",
        "approx.",
        "resp.",
        "ref.",
        "refs.",
        "no.",
        "dr.",
        "mr.",
        "ms.",
        "prof.",
        "ch.",
        "vol.",
        "pp.",
        "viz.",
        "ca.",
        "incl.",
        "thm.",
        "def.",
        "app.",
        "appx.",
        "alg.",
        "eqn.",
    ]
)
_MAYBE_FINAL = frozenset(
    [
        "al.",
        "etc.",
        "u.s.",
        "u.k.",
        "e.u.",
        "inc.",
        "ltd.",
        "co.",
    ]
)
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}")
_STARTERS = frozenset(
    [
        "We",
        "Our",
        "This",
        "These",
        "The",
        "In",
        "To",
        "Finally",
        "Moreover",
        "Furthermore",
        "However",
        "Experiments",
        "Results",
        "Code",
        "Extensive",
        "Empirically",
        "Additionally",
    ]
)

# Cues are plain substrings where possible: `in` costs a fraction of a regex alternation
# tried at every position, and this runs for every sentence of every paper.
_SUBJECT_PHRASES = re.compile(
    r"\b(?:this (?:paper|work|study|article|report|letter)"
    r"|our (?:method|approach|model|framework|system|results|analysis|experiments|findings))"
)
_CONTRIBUTION_VERB = re.compile(
    r"\b(?:propos|present|introduc|develop|design|show|demonstrat|find|found|stud|investigat"
    r"|explor|analy[sz]|describ|releas|buil|construct|formulat|provid|offer|report|reveal"
    r"|establish|prov|argu|evaluat|identif)"
)
_RESULT_NUMBER = re.compile(r"\d\s*(?:%|x\b|×|points?\b|times\b)")
_RESULT_WORDS = (
    "outperform",
    "achiev",
    "improv",
    "surpass",
    "reduc",
    "state-of-the-art",
    "significant",
    "better than",
)
_METHOD_WORDS = (
    "method",
    "approach",
    "framework",
    "algorithm",
    "architecture",
    "pipeline",
    "based on",
    "by using",
)
_BACKGROUND_OPENERS = (
    "in recent years",
    "recent",
    "over the past",
    "with the rapid",
    "with the growing",
    "with the increasing",
    "large language model",
    "llms ",
    "despite",
    "however",
    "although",
    "while",
    "existing",
    "current",
    "prior",
    "previous",
    "traditional",
    "conventional",
)
_BACKGROUND_CLAIMS = (
    "has become",
    "have become",
    "has shown",
    "have shown",
    "has emerged",
    "have emerged",
    "has attracted",
    "have attracted",
    "has gained",
    "have gained",
    "remains challenging",
    "remains unclear",
)
_BOILERPLATE_WORDS = (
    "http",
    "github",
    "available at",
    "publicly available",
    "will be released",
    "open-source our",
    "accepted at",
    "accepted to",
)


def summarize(abstract: str, *, max_words: int = MAX_WORDS) -> str | None:
    """The abstract's key sentences, at most `max_words` words, whole and in their order.

    Long words count as several, so the summary is also at most ten characters a word.
    """
    text = _plain(abstract)
    if not text:
        return None
    sentences = split_sentences(text)
    scores, words = _scores(sentences)
    chosen = _choose(words, scores, max_words)
    if chosen is None:
        return None
    return " ".join(sentences[i] for i in sorted(chosen))


def _plain(abstract: str) -> str:
    """One line of text; LaTeX markup reduced to what a reader sees."""
    text = " ".join(abstract.split())
    if "\\" in text or "$" in text:
        text = _LATEX_DROPPED.sub("", text)
        text = _LATEX_COMMAND.sub(r"\1", text)
        text = _INLINE_MATH.sub(r"\1", text)
        text = " ".join(text.replace(" .", ".").split())
    return text


def split_sentences(text: str) -> list[str]:
    """Sentences of a one-line text, abbreviations, decimals, initials and URLs kept whole."""
    sentences = []
    start = 0
    for end in _END.finditer(text):
        if text[end.start()] == "." and not _ends_sentence(text, end.start(), end.end()):
            continue
        sentences.append(text[start : end.end()].rstrip())
        start = end.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _ends_sentence(text: str, dot: int, next_word: int) -> bool:
    """Whether the period at `dot` ends a sentence rather than an abbreviation or initial."""
    token = text[text.rfind(" ", 0, dot) + 1 : dot + 1].lstrip("([\"'")
    lowered = token.lower()
    if lowered in _NEVER_FINAL or (len(token) == 2 and token[0].isupper()):
        return False
    if lowered in _MAYBE_FINAL or _DOTTED.fullmatch(token):
        following = text[next_word : text.find(" ", next_word)]
        return following.strip("\"'“(") in _STARTERS
    return True


def _scores(sentences: list[str]) -> tuple[list[float], list[int]]:
    """What a researcher wants from each sentence (the contribution, the result, the method),
    and each sentence's length in words (long words counting as several)."""
    lowered = [sentence.lower() for sentence in sentences]
    # One search per cue over all sentences rather than one per sentence: this runs for every
    # paper at ingest. Sentences hold no newline (the text is one line), so no cue spans two.
    joined = "\n".join(lowered)
    starts = list(accumulate((len(sentence) + 1 for sentence in lowered), initial=0))
    result = _having(joined, starts, _RESULT_WORDS)
    method = _having(joined, starts, _METHOD_WORDS)
    background = _having(joined, starts, _BACKGROUND_CLAIMS)
    boilerplate = _having(joined, starts, _BOILERPLATE_WORDS)
    scores, lengths = [], []
    for i, sentence in enumerate(lowered):
        words = sentence.split()
        score = 0.0
        if "we" in words or "here" in words or "here," in words or _has_subject(sentence):
            score += 3.0 if _CONTRIBUTION_VERB.search(sentence) else 1.0
        if i in result or _RESULT_NUMBER.search(sentence):
            score += 2.0
        if i in method:
            score += 0.5
        if score < 3.0 and (i in background or sentence.startswith(_BACKGROUND_OPENERS)):
            score -= 2.0
        if i in boilerplate:
            score -= 4.0
        scores.append(score - 0.01 * i)  # among equals, the earlier sentence
        lengths.append(max(len(words), -(-len(sentence) // _CHARS_PER_WORD)))
    return scores, lengths


def _having(joined: str, starts: list[int], phrases: tuple[str, ...]) -> set[int]:
    """Which sentences (by the offsets they start at in `joined`) contain one of the phrases."""
    found = set()
    for phrase in phrases:
        at = joined.find(phrase)
        while at >= 0:
            i = bisect_right(starts, at) - 1
            found.add(i)
            at = joined.find(phrase, starts[i + 1])  # the rest of this sentence is settled
    return found


def _has_subject(sentence: str) -> bool:
    # The plain test first: the pattern cannot match without one of these.
    return ("this " in sentence or "our " in sentence) and bool(_SUBJECT_PHRASES.search(sentence))


def _choose(words: list[int], scores: list[float], max_words: int) -> list[int] | None:
    """The best sentences that fit, fewest first; or the shortest key one a little over."""
    ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
    chosen: list[int] = []
    total = 0
    for i in ranked:
        if total + words[i] > max_words or len(chosen) == _MAX_SENTENCES:
            continue
        if chosen and scores[i] < _WORTH_ADDING:
            continue
        chosen.append(i)
        total += words[i]
    if chosen and (scores[chosen[0]] > 0 or scores[ranked[0]] <= 0):
        return chosen
    key = [i for i in ranked if scores[i] > 0] or ranked
    shortest = min(key, key=lambda i: words[i])
    if words[shortest] <= max_words * _OVERRUN:
        return [shortest]
    return chosen or None
