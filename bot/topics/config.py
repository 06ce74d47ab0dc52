"""Topics: the packaged default set, an operator's topic file in its place, and finding the
topic a heading or a subscriber's word names.

A topic file is TOML (the packaged `bot/data/topics.toml` documents the format in its
header): an optional `[phrases]` table of named phrase lists, then one `[[topic]]` table per
topic in display order. `load` validates strictly, and every error names the file, the
topic and the key, because an operator has to find the mistake from one log line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.data_files import read_toml
from bot.topics import learned
from bot.topics.matcher import DEFAULT_MIN_SCORE, ConfiguredTopic, TopicMatcher
from bot.topics.phrases import PhraseError, check_phrase
from storage.models import Topic

__all__ = ["ConfiguredTopic", "TopicMatcher", "TopicsError", "load", "matcher", "resolve"]

DEFAULT_FILE = "topics.toml"
_SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")  # cs.CL, q-bio.GN, hep-th
_PHRASE_LIST_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"phrases", "topic"}
MAX_DESCRIPTION = 300  # one line a summary model reads for each topic
_LIST_KEYS = (
    "aliases",
    "keywords",
    "title_keywords",
    "categories",
    "requires",
    "exclude",
    "title_against",
)
_PHRASE_KEYS = ("keywords", "title_keywords", "requires", "exclude", "title_against")
_TOPIC_KEYS = {
    "slug",
    "name_zh",
    "name_en",
    "description",
    "min_score",
    "context",
    "learned",
    *_LIST_KEYS,
}


class TopicsError(Exception):
    """A topic file that cannot be used; the message names the file, the topic and the key."""


def load(path: Path | None = None) -> tuple[Topic, ...]:
    """The topics of a file, or the packaged defaults when no path is given."""
    source, document = read_toml(path, DEFAULT_FILE, TopicsError)
    return _topics(source, document)


def matcher(topics: Sequence[Topic]) -> TopicMatcher:
    """The matcher the bot files papers with: the topics' rules, and the packaged learned
    model for the topics whose file asks for it."""
    if any(getattr(topic, "learned", False) for topic in topics):
        return TopicMatcher(topics, learned.packaged())
    return TopicMatcher(topics)


def _topics(source: str, document: dict[str, Any]) -> tuple[Topic, ...]:
    for key in document:
        if key not in _TOP_KEYS:
            raise TopicsError(f"{source}: unknown key {key!r} (expected [phrases] and [[topic]])")
    phrase_lists = _phrase_lists(source, document.get("phrases", {}))
    tables = document.get("topic")
    if not isinstance(tables, list) or not tables:
        raise TopicsError(f"{source}: no topics: add at least one [[topic]] table")
    topics: list[ConfiguredTopic] = []
    for position, table in enumerate(tables):
        topic = _topic(source, position, table, phrase_lists)
        if any(t.slug == topic.slug for t in topics):
            raise TopicsError(f"{source}: topic {topic.slug!r}: 'slug' is used twice")
        topics.append(topic)
    _check_names_unique(source, topics)
    return tuple(topics)


def _phrase_lists(source: str, table: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise TopicsError(f"{source}: 'phrases' must be a table of phrase lists")
    written = {}
    for name, phrases in table.items():
        where = f"{source}: phrases: {name!r}"
        if not _PHRASE_LIST_NAME.match(name):
            raise TopicsError(f"{where}: a name is lowercase letters, digits and '_'")
        written[name] = _strings(where, phrases)
    lists: dict[str, tuple[str, ...]] = {}
    for name in written:
        _resolve_list(source, name, written, lists, ())
    return lists


def _resolve_list(
    source: str,
    name: str,
    written: dict[str, tuple[str, ...]],
    resolved: dict[str, tuple[str, ...]],
    including: tuple[str, ...],
) -> tuple[str, ...]:
    """A phrase list with the lists it names (`@name`) replaced by their phrases."""
    if name in resolved:
        return resolved[name]
    where = f"{source}: phrases: {(including or (name,))[0]!r}"
    phrases: dict[str, None] = {}
    for phrase in written[name]:
        if not phrase.startswith("@"):
            _check_phrase(where, phrase)
            phrases[phrase] = None
        elif phrase[1:] not in written:
            raise TopicsError(f"{where}: {phrase!r} names no list in [phrases]")
        elif phrase[1:] in (*including, name):
            raise TopicsError(f"{where}: {phrase!r} includes itself")
        else:
            included = _resolve_list(source, phrase[1:], written, resolved, (*including, name))
            phrases.update(dict.fromkeys(included))
    resolved[name] = tuple(phrases)
    return resolved[name]


def _topic(
    source: str, position: int, table: object, phrase_lists: dict[str, tuple[str, ...]]
) -> ConfiguredTopic:
    if not isinstance(table, dict):
        raise TopicsError(f"{source}: topic #{position + 1}: must be a [[topic]] table")
    slug = table.get("slug")
    name = repr(slug) if isinstance(slug, str) else f"#{position + 1}"
    where = f"{source}: topic {name}"
    for key in table:
        if key not in _TOPIC_KEYS:
            raise TopicsError(f"{where}: unknown key {key!r}")
    for key in ("slug", "name_zh", "name_en"):
        value = table.get(key)
        if value is None:
            raise TopicsError(f"{where}: {key!r} is missing")
        if not isinstance(value, str) or not value.strip():
            raise TopicsError(f"{where}: {key!r} must be a non-empty string")
    if not _SLUG.match(slug):
        raise TopicsError(
            f"{where}: 'slug' must be lowercase ASCII letters, digits, '-' or '_',"
            " starting with a letter (at most 32)"
        )
    lists = {key: _strings(f"{where}: {key!r}", table.get(key, [])) for key in _LIST_KEYS}
    for key in _PHRASE_KEYS:
        lists[key] = _expand(f"{where}: {key!r}", lists[key], phrase_lists)
    for category in lists["categories"]:
        if not _CATEGORY.match(category):
            raise TopicsError(f"{where}: 'categories': {category!r} is not an arXiv category")
    if not lists["keywords"]:
        raise TopicsError(f"{where}: 'keywords' is missing or empty: no paper could match")
    twice = sorted(set(lists["keywords"]) & set(lists["title_keywords"]))
    if twice:
        raise TopicsError(f"{where}: 'title_keywords': {twice[0]!r} is also in 'keywords'")
    context = _context(f"{where}: 'context'", table.get("context", {}), lists, phrase_lists)
    return ConfiguredTopic(
        slug=slug,
        name_zh=table["name_zh"].strip(),
        name_en=table["name_en"].strip(),
        description=_description(where, table.get("description", "")),
        position=position,
        min_score=_min_score(where, table.get("min_score", DEFAULT_MIN_SCORE)),
        context=context,
        learned=_learned(where, table.get("learned", False)),
        **lists,
    )


def _description(where: str, value: object) -> str:
    if not isinstance(value, str) or "\n" in value.strip() or len(value) > MAX_DESCRIPTION:
        raise TopicsError(
            f"{where}: 'description' must be one line of at most {MAX_DESCRIPTION} characters"
        )
    return value.strip()


def _context(
    where: str,
    table: object,
    lists: dict[str, tuple[str, ...]],
    phrase_lists: dict[str, tuple[str, ...]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each keyword named in the table, with the phrases one of which its sentence needs."""
    if not isinstance(table, dict):
        raise TopicsError(f"{where} must be a table: keyword = [phrases]")
    context = []
    for keyword, phrases in table.items():
        if keyword not in (*lists["keywords"], *lists["title_keywords"]):
            raise TopicsError(f"{where}: {keyword!r} is not one of the topic's keywords")
        expanded = _expand(
            f"{where}: {keyword!r}", _strings(f"{where}: {keyword!r}", phrases), phrase_lists
        )
        if not expanded:
            raise TopicsError(f"{where}: {keyword!r} has no phrases: it could never count")
        context.append((keyword, expanded))
    return tuple(context)


def _strings(where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TopicsError(f"{where} must be a list of strings")
    if any(not v.strip() for v in value):
        raise TopicsError(f"{where} has an empty string")
    return tuple(v.strip() for v in value)


def _expand(
    where: str, phrases: tuple[str, ...], phrase_lists: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """Phrases with each `@name` replaced by that [phrases] list, duplicates dropped."""
    expanded: dict[str, None] = {}
    for phrase in phrases:
        if phrase.startswith("@"):
            if phrase[1:] not in phrase_lists:
                raise TopicsError(f"{where}: {phrase!r} names no list in [phrases]")
            expanded.update(dict.fromkeys(phrase_lists[phrase[1:]]))
        else:
            _check_phrase(where, phrase)
            expanded[phrase] = None
    return tuple(expanded)


def _check_phrase(where: str, phrase: str) -> None:
    try:
        check_phrase(phrase)
    except PhraseError as exc:
        raise TopicsError(f"{where}: {phrase!r} {exc}") from None


def _min_score(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise TopicsError(f"{where}: 'min_score' must be a positive number")
    return float(value)


def _learned(where: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TopicsError(f"{where}: 'learned' must be true or false")
    return value


def _check_names_unique(source: str, topics: Sequence[Topic]) -> None:
    """Refuse a name or alias two topics share: a heading would not know its topic."""
    owners: dict[str, str] = {}
    for topic in topics:
        for name in _names(topic):
            owner = owners.setdefault(name, topic.slug)
            if owner != topic.slug:
                raise TopicsError(
                    f"{source}: topic {topic.slug!r}: 'aliases': {name!r} already names"
                    f" topic {owner!r}"
                )


def resolve(topics: Sequence[Topic], word: str) -> Topic | None:
    """The topic a slug, name or alias names, in either language; None when none does."""
    key = heading_key(word)
    if not key:
        return None
    for topic in topics:
        if key in _names(topic):
            return topic
    return None


def heading_key(text: str) -> str:
    """Text reduced to what tells headings apart: case, spacing and punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    return "".join(ch for ch in text if ch.isalnum())


@lru_cache(maxsize=1024)
def _names(topic: Topic) -> frozenset[str]:
    names = (topic.slug, topic.name_zh, topic.name_en, *topic.aliases)
    return frozenset(key for key in map(heading_key, names) if key)
