"""The topics a summary model chooses for a paper: how they are asked for, and what of the
answer is kept. Pure.

The model picks among the configured topics by slug. Its choice is read strictly: an entry
that is no configured slug is dropped and said; a list naming more than `MAX_TOPICS` topics,
or only topics that do not exist, is no choice at all (the keyword rules keep the paper);
an empty list is a choice: the paper is on none of the topics. Whatever the value,
`read_choice` raises nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.models import Topic

MAX_TOPICS = 3
# A model that lists dozens of entries has not chosen; reading them all would be work for nothing.
_MAX_ENTRIES = 20
_SHOWN_CHARS = 20

TOPICS_PROMPT = (
    'Also add "topics": a JSON list of the slugs of at most {most} topics below that the paper '
    "is squarely about, most central first; [] when none fits. A topic the abstract mentions "
    "only in passing does not count.\n{options}"
)


@dataclass(frozen=True, slots=True)
class TopicChoice:
    """What is kept of the model's topics: the slugs (None: no usable choice) and why not all."""

    slugs: tuple[str, ...] | None
    notes: tuple[str, ...] = ()


def prompt(topics: Sequence[Topic]) -> str:
    """The instruction that asks for topics, one line per configured topic."""
    options = "\n".join(_option(topic) for topic in topics)
    return TOPICS_PROMPT.format(most=MAX_TOPICS, options=options)


def _option(topic: Topic) -> str:
    line = f"- {topic.slug}: {topic.name_en}"
    return f"{line} ({topic.description})" if topic.description else line


def _shown(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= _SHOWN_CHARS else f"{shown[:_SHOWN_CHARS]}…"


def read_choice(answer: dict, topics: Sequence[Topic]) -> TopicChoice:
    """The configured topics the answer's "topics" names, or no choice and the reason."""
    if "topics" not in answer:
        return TopicChoice(None, ("no topics given",))
    value = answer["topics"]
    if not isinstance(value, list):
        return TopicChoice(None, (f"topics {_shown(value)} is not a list",))
    if len(value) > _MAX_ENTRIES:
        return TopicChoice(None, (f"{len(value)} topics listed, at most {MAX_TOPICS} wanted",))
    known = {topic.slug for topic in topics}
    chosen: list[str] = []
    notes: list[str] = []
    for entry in value:
        slug = entry.strip().lower() if isinstance(entry, str) else None
        if slug in known:
            if slug not in chosen:
                chosen.append(slug)
        else:
            notes.append(f"unknown topic {_shown(entry)} dropped")
    if value and not chosen:
        return TopicChoice(None, (*notes, "no configured topic named"))
    if len(chosen) > MAX_TOPICS:
        return TopicChoice(None, (*notes, f"{len(chosen)} topics chosen, at most {MAX_TOPICS}"))
    return TopicChoice(tuple(chosen), tuple(notes))
