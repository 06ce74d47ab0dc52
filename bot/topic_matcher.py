"""The rules that give a paper its topics: phrases found in its title and abstract, with its
arXiv categories as a supporting signal.

Per topic, each keyword found in the title scores TITLE_WEIGHT, in the abstract 1 (plus
REPEAT_WEIGHT for further occurrences); when some keyword was found, a paper whose primary
category is one of the topic's gets PRIMARY_CATEGORY_BONUS, one with it among the others
OTHER_CATEGORY_BONUS. A topic with `requires` phrases applies only if one of them appears;
keywords inside an `exclude` phrase do not count. The paper has the topic when the sum
reaches the topic's `min_score`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.topic_phrases import PhraseIndex, has_cjk
from storage.models import Paper, Topic, TopicMatch

DEFAULT_MIN_SCORE = 2.0
TITLE_WEIGHT = 2.0  # a phrase in the title says more than one in the abstract
REPEAT_WEIGHT = 0.5  # each further occurrence in the abstract, at most MAX_REPEATS of them
MAX_REPEATS = 2
PRIMARY_CATEGORY_BONUS = 1.0
OTHER_CATEGORY_BONUS = 0.5

_KEYWORD, _REQUIRE, _EXCLUDE = "keyword", "require", "exclude"


@dataclass(frozen=True, slots=True)
class ConfiguredTopic(Topic):
    """A topic as loaded from a topic file, with the rules only matching needs."""

    requires: tuple[str, ...] = ()  # at least one must appear, or the topic does not apply
    exclude: tuple[str, ...] = ()  # keyword matches inside these phrases do not count
    min_score: float = DEFAULT_MIN_SCORE


@dataclass(slots=True)
class _Found:
    """What one text says about one topic."""

    keywords: dict[int, int]  # keyword index -> occurrences
    required: bool = False


class TopicMatcher:
    """Gives papers their topics by the topics' rules, compiled once."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self._topics = tuple(topics)
        self._index = PhraseIndex()
        self._owners: dict[int, list[tuple[int, str, int]]] = {}  # phrase -> (topic, kind, i)
        # Phrases with Chinese characters, by topic: exclusions, then (needle, kind, index).
        self._substrings: dict[int, tuple[list[str], list[tuple[str, str, int]]]] = {}
        for t, topic in enumerate(self._topics):
            for kind, phrases in _rule_phrases(topic):
                for i, phrase in enumerate(phrases):
                    self._add(phrase, t, kind, i)

    def _add(self, phrase: str, topic: int, kind: str, index: int) -> None:
        if has_cjk(phrase):
            excluded, needles = self._substrings.setdefault(topic, ([], []))
            if kind == _EXCLUDE:
                excluded.append(phrase.casefold())
            else:
                needles.append((phrase.casefold(), kind, index))
            return
        self._owners.setdefault(self._index.add(phrase), []).append((topic, kind, index))

    def match(self, paper: Paper) -> list[TopicMatch]:
        """The paper's topics in topic order, each with a score in (0, 1]."""
        in_title = self._find(paper.title)
        in_abstract = self._find(paper.abstract)
        matches = []
        for t in in_title.keys() | in_abstract.keys():
            topic = self._topics[t]
            raw = _score(topic, in_title.get(t), in_abstract.get(t), paper.categories)
            min_score = getattr(topic, "min_score", DEFAULT_MIN_SCORE)
            if raw >= min_score:
                # Bounded so that an editor's certain 1.0 stays above any rule's guess.
                matches.append((t, TopicMatch(topic.slug, round(1 - 0.5 ** (raw / min_score), 3))))
        return [match for _, match in sorted(matches)]

    def _find(self, text: str) -> dict[int, _Found]:
        hits = [
            (*owner, start, end)
            for phrase_id, start, end in self._index.find(text)
            for owner in self._owners[phrase_id]
        ]
        if self._substrings and has_cjk(text):
            hits.extend(self._substring_hits(text.casefold()))
        excluded = [(t, start, end) for t, kind, _, start, end in hits if kind == _EXCLUDE]
        found: dict[int, _Found] = {}
        for t, kind, i, start, end in hits:
            if kind == _EXCLUDE or (
                excluded and any(t == et and es <= start and end <= ee for et, es, ee in excluded)
            ):
                continue
            entry = found.get(t)
            if entry is None:
                entry = found[t] = _Found({})
            if kind == _REQUIRE:
                entry.required = True
            else:
                entry.keywords[i] = entry.keywords.get(i, 0) + 1
        return found

    def _substring_hits(self, folded: str) -> list[tuple[int, str, int, int, int]]:
        """Hits of the Chinese phrases, their exclusions cut out of the text first."""
        hits = []
        for topic, (excluded, needles) in self._substrings.items():
            text = folded
            for phrase in excluded:
                text = text.replace(phrase, " ")
            for needle, kind, i in needles:
                # The span (-1, -1) lies inside no word exclusion's span.
                hits.extend((topic, kind, i, -1, -1) for _ in range(text.count(needle)))
        return hits


def _rule_phrases(topic: Topic) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A plain Topic (as stored) has keywords only; a ConfiguredTopic has all three kinds."""
    return (
        (_KEYWORD, topic.keywords),
        (_REQUIRE, getattr(topic, "requires", ())),
        (_EXCLUDE, getattr(topic, "exclude", ())),
    )


def _score(
    topic: Topic, title: _Found | None, abstract: _Found | None, categories: Sequence[str]
) -> float:
    """Keyword evidence, plus the categories' support once some keyword was found."""
    requires = getattr(topic, "requires", ())
    if requires and not ((title and title.required) or (abstract and abstract.required)):
        return 0.0
    raw = TITLE_WEIGHT * len(title.keywords) if title else 0.0
    if abstract:
        raw += sum(1 + REPEAT_WEIGHT * min(n - 1, MAX_REPEATS) for n in abstract.keywords.values())
    if raw and categories and topic.categories:
        if categories[0] in topic.categories:
            raw += PRIMARY_CATEGORY_BONUS
        elif any(c in topic.categories for c in categories[1:]):
            raw += OTHER_CATEGORY_BONUS
    return raw
