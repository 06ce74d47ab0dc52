"""The rules that give a paper its topics: phrases found in its title and abstract, with its
arXiv categories as a supporting signal.

Per topic, each keyword found in the title scores TITLE_WEIGHT, and each sentence of the
abstract that holds a keyword scores 1 in an abstract of REFERENCE_SENTENCES sentences (more
in a shorter one, less in a longer one): a paper about the topic comes back to it, where one
that only mentions it in passing names it once. When some keyword was found, a paper whose
primary category is one of the topic's gets PRIMARY_CATEGORY_BONUS, one with it among the
others OTHER_CATEGORY_BONUS. The paper has the topic when the sum reaches the topic's
`min_score`. What makes a keyword not count:
- a topic's `requires` phrases: none of them anywhere in the paper;
- its `exclude` phrases: the keyword lies inside one ("sequence alignment");
- its `context` phrases, for a keyword that has some: none of them in the same sentence
  ("alignment" counts beside "human preferences", not beside "entity" or "modality");
- a longer keyword of the same topic around it: "retrieval-augmented" holding "retrieval"
  is one piece of evidence, not two.
A topic's `title_keywords` count only in the title, where they weigh as a keyword does, and,
when they have context phrases, only beside one of them in the title itself: a title that
sets out to evaluate language models is about them, where "we evaluate on LLaMA" in an
abstract is about the paper's method. A title holding one of the topic's `title_against`
phrases ("LLM-based", "LLMs for") loses one title keyword's weight: it names a model as the
means of the work, not its subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.topics.learned import TopicModel
from bot.topics.phrases import PhraseIndex, has_cjk
from storage.models import Paper, Topic, TopicMatch

DEFAULT_MIN_SCORE = 2.0
MAX_SCORE = 0.99  # an editor's pick scores 1.0
TITLE_WEIGHT = 2.0  # a phrase in the title says more than one in the abstract
PRIMARY_CATEGORY_BONUS = 1.0
OTHER_CATEGORY_BONUS = 0.5
# A sentence weighs REFERENCE_SENTENCES / (sentences in the abstract), within these bounds:
# naming a topic in 2 of 4 sentences is as squarely on it as in 4 of 12.
REFERENCE_SENTENCES = 6
MIN_SENTENCE_WEIGHT = 0.5
MAX_SENTENCE_WEIGHT = 1.5

_KEYWORD, _REQUIRE, _EXCLUDE, _CONTEXT = "keyword", "require", "exclude", "context"
_AGAINST = "against"
# A sentence ends at . ! ? followed by a space, or at a Chinese full stop.
_SENTENCE_END = re.compile(r"[.!?]\s+|[。！？；]")

_Hit = tuple[int, str, int, int, int]  # topic, kind, index, first word, word after the last


@dataclass(frozen=True, slots=True)
class ConfiguredTopic(Topic):
    """A topic as loaded from a topic file, with the rules only matching needs."""

    requires: tuple[str, ...] = ()  # at least one must appear, or the topic does not apply
    exclude: tuple[str, ...] = ()  # keyword matches inside these phrases do not count
    # (keyword, phrases): the keyword counts only in a sentence that holds one of the phrases
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_score: float = DEFAULT_MIN_SCORE
    title_keywords: tuple[str, ...] = ()  # count only in the title
    title_against: tuple[str, ...] = ()  # in the title, one takes a keyword's weight off
    learned: bool = False  # the learned model, when it knows the slug, files papers here


@dataclass(slots=True)
class _Found:
    """What one text says about one topic."""

    keywords: set[int] = field(default_factory=set)  # indices of the keywords that count
    sentences: int = 0  # sentences holding at least one of them
    required: bool = False
    against: set[int] = field(default_factory=set)  # title phrases against the topic


@dataclass(slots=True)
class _InSentence:
    """What one sentence (or the title) says about one topic."""

    keywords: set[int] = field(default_factory=set)
    required: bool = False
    sensed: set[int] = field(default_factory=set)  # keywords found with their context
    against: set[int] = field(default_factory=set)


class TopicMatcher:
    """Gives papers their topics by the topics' rules, compiled once."""

    def __init__(self, topics: Sequence[Topic], model: TopicModel | None = None) -> None:
        self._topics = tuple(topics)
        # The topics the learned model files (their topic file says so and it knows them).
        self._learned = frozenset(
            t.slug
            for t in self._topics
            if model is not None and getattr(t, "learned", False) and t.slug in model.topics
        )
        self._model = model if self._learned else None
        self._index = PhraseIndex()
        self._owners: dict[int, list[tuple[int, str, int]]] = {}  # phrase -> (topic, kind, i)
        # Phrases with Chinese characters, by topic: exclusions, then (needle, kind, index).
        self._substrings: dict[int, tuple[list[str], list[tuple[str, str, int]]]] = {}
        # (topic, keyword index) -> its context's id; keywords with one list share an id.
        self._context_of: dict[tuple[int, int], int] = {}
        groups: dict[tuple[int, tuple[str, ...]], int] = {}
        title_only: set[tuple[int, int]] = set()
        for t, topic in enumerate(self._topics):
            first = len(topic.keywords)
            title_only.update((t, first + j) for j in range(len(_title_keywords(topic))))
            for kind, index, phrase in _rule_phrases(topic):
                self._add(phrase, t, kind, index)
            for keyword, phrases in _contexts(topic):
                group = groups.get((t, phrases))
                if group is None:
                    group = groups[(t, phrases)] = len(groups)
                    for phrase in phrases:
                        self._add(phrase, t, _CONTEXT, group)
                self._context_of[(t, keyword)] = group
        self._needs_context = frozenset(self._context_of)
        self._title_only = frozenset(title_only)
        # Keywords whose sense the abstract can vouch for: title-only ones need their own.
        self._vouched = self._needs_context - self._title_only

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
        """The paper's topics in topic order, each with a score in (0, 1): bounded so that an
        editor's certain 1.0 stays above any rule's or model's guess."""
        evidence = self.evidence(paper)
        margins = self._model.margins(paper, evidence) if self._model is not None else {}
        matches = []
        for topic in self._topics:
            if topic.slug in self._learned:
                # At the bar the model gives 0.5, as the rules do at theirs.
                strength = 1 + margins[topic.slug] if margins[topic.slug] >= 0 else 0.0
            else:
                strength = evidence.get(topic.slug, 0.0)
            if strength >= 1:
                matches.append(TopicMatch(topic.slug, min(MAX_SCORE, round(1 - 0.5**strength, 3))))
        return matches

    def evidence(self, paper: Paper) -> dict[str, float]:
        """Per topic with any evidence, its score as a share of the topic's `min_score`
        (1 or more: the paper has the topic), also below the bar, for measuring the rules."""
        return {self._topics[t].slug: evidence for t, evidence in self._evidence_by_topic(paper)}

    def _evidence_by_topic(self, paper: Paper) -> Iterator[tuple[int, float]]:
        sentences = split_sentences(paper.abstract)
        in_abstract, senses = self._evidence(sentences)
        weight = min(
            MAX_SENTENCE_WEIGHT, max(MIN_SENTENCE_WEIGHT, REFERENCE_SENTENCES / len(sentences))
        )
        # A title is short: its word has its sense where the abstract uses it in that sense,
        # or where the abstract's own evidence confirms the topic.
        confirmed = {t for t, found in in_abstract.items() if found.keywords}
        senses |= {(t, i) for t, i in self._vouched if t in confirmed}
        in_title, _ = self._evidence([paper.title], senses, title=True)
        for t in in_title.keys() | in_abstract.keys():
            topic = self._topics[t]
            raw = _score(topic, in_title.get(t), in_abstract.get(t), paper.categories, weight)
            if raw:
                yield t, raw / getattr(topic, "min_score", DEFAULT_MIN_SCORE)

    def _evidence(
        self,
        sentences: Sequence[str],
        senses: frozenset[tuple[int, int]] = frozenset(),
        title: bool = False,
    ) -> tuple[dict[int, _Found], frozenset[tuple[int, int]]]:
        """Per topic, what the sentences say; and the keywords that needed context and had it.

        A keyword in `senses` counts without context: it was used in its sense elsewhere."""
        found: dict[int, _Found] = {}
        in_context: set[tuple[int, int]] = set()
        for sentence in sentences:
            for t, said in self._find(sentence, senses, title).items():
                entry = found.setdefault(t, _Found())
                entry.keywords |= said.keywords
                entry.sentences += bool(said.keywords)
                entry.required |= said.required
                entry.against |= said.against
                in_context.update((t, i) for i in said.sensed)
        return found, frozenset(in_context & self._needs_context)

    def _find(
        self, text: str, senses: frozenset[tuple[int, int]], title: bool = False
    ) -> dict[int, _InSentence]:
        """Per topic, what one sentence (the title when `title`) says."""
        hits: list[_Hit] = [
            (*owner, start, end)
            for phrase_id, start, end in self._index.find(text)
            for owner in self._owners[phrase_id]
        ]
        if self._substrings and has_cjk(text):
            hits.extend(self._substring_hits(text.casefold()))
        if not hits:
            return {}
        excluded = [(t, start, end) for t, kind, _, start, end in hits if kind == _EXCLUDE]
        contexts = {(t, group) for t, kind, group, _, _ in hits if kind == _CONTEXT}
        context_of = self._context_of
        found: dict[int, _InSentence] = {}
        keywords: list[_Hit] = []
        for hit in hits:
            t, kind, i, start, end = hit
            if kind in (_EXCLUDE, _CONTEXT) or _inside(excluded, t, start, end):
                continue
            if not title and (
                kind == _AGAINST or (kind == _KEYWORD and (t, i) in self._title_only)
            ):
                continue
            said = found.setdefault(t, _InSentence())
            if kind == _REQUIRE:
                said.required = True
            elif kind == _AGAINST:
                said.against.add(i)
            elif (t, i) not in context_of or (t, i) in senses or (t, context_of[t, i]) in contexts:
                keywords.append(hit)
                said.sensed.add(i)
        for t, i in _outermost(keywords):
            found[t].keywords.add(i)
        return found

    def _substring_hits(self, folded: str) -> list[_Hit]:
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


def split_sentences(text: str) -> list[str]:
    """The text's sentences (a sentence keeps its final stop)."""
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        sentences.append(text[start : end.end()])
        start = end.end()
    sentences.append(text[start:])
    return sentences


def _inside(spans: list[tuple[int, int, int]], topic: int, start: int, end: int) -> bool:
    return any(t == topic and s <= start and end <= e for t, s, e in spans) if spans else False


def _outermost(hits: list[_Hit]) -> Iterator[tuple[int, int]]:
    """(topic, keyword) of the hits not inside a longer (or earlier equal) hit of their topic."""
    claimed: list[tuple[int, int, int]] = []
    for t, _, i, start, end in sorted(hits, key=lambda hit: hit[3] - hit[4]):
        if start >= 0 and _inside(claimed, t, start, end):
            continue
        claimed.append((t, start, end))
        yield t, i


def _title_keywords(topic: Topic) -> tuple[str, ...]:
    return getattr(topic, "title_keywords", ())


def _rule_phrases(topic: Topic) -> Iterator[tuple[str, int, str]]:
    """(kind, keyword index or position, phrase); a plain Topic (as stored) has keywords only.
    Title keywords follow the keywords in one numbering."""
    for i, phrase in enumerate((*topic.keywords, *_title_keywords(topic))):
        yield _KEYWORD, i, phrase
    for kind, phrases in (
        (_REQUIRE, "requires"),
        (_EXCLUDE, "exclude"),
        (_AGAINST, "title_against"),
    ):
        for i, phrase in enumerate(getattr(topic, phrases, ())):
            yield kind, i, phrase


def _contexts(topic: Topic) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(keyword index, phrases one of which its sentence needs) of a ConfiguredTopic."""
    positions = {phrase: i for i, phrase in enumerate((*topic.keywords, *_title_keywords(topic)))}
    for keyword, phrases in getattr(topic, "context", ()):
        yield positions[keyword], phrases


def _score(
    topic: Topic,
    title: _Found | None,
    abstract: _Found | None,
    categories: Sequence[str],
    weight: float = 1.0,
) -> float:
    """Keyword evidence, plus the categories' support once some keyword was found."""
    requires = getattr(topic, "requires", ())
    if requires and not ((title and title.required) or (abstract and abstract.required)):
        return 0.0
    raw = TITLE_WEIGHT * (len(title.keywords) - bool(title.against)) if title else 0.0
    raw = max(0.0, raw + (abstract.sentences * weight if abstract else 0))
    if raw and categories and topic.categories:
        if categories[0] in topic.categories:
            raw += PRIMARY_CATEGORY_BONUS
        elif any(c in topic.categories for c in categories[1:]):
            raw += OTHER_CATEGORY_BONUS
    return raw
