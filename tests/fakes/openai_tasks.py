"""What the fake OpenAI-compatible endpoint answers beyond summaries: the topics it chooses when
the prompt lists some, and translations of an editor's summary, in good and hostile modes."""

from __future__ import annotations

import json
import re

TASK_MODES = ("empty", "garbage_topics", "all_topics")
_OPTION = re.compile(r"^- ([a-z][a-z0-9_-]*): (.+?)(?: \(.*\))?$", re.MULTILINE)
_SUMMARY = re.compile(
    r"^Summary \((?:Simplified Chinese|English)\): (.*)", re.MULTILINE | re.DOTALL
)
_TARGET = re.compile(r'\{"(zh|en)": "…"\}')
_EN_SENTENCE = "The editor describes the method of this paper and what it finds on benchmarks. "
_ZH_SENTENCE = "编者介绍了这篇论文的方法及其在基准上的发现。"


def topic_options(system: str) -> list[tuple[str, str]]:
    """(slug, English name) of each topic the prompt offers; none when it asks for no topics."""
    if '"topics"' not in system:
        return []
    return _OPTION.findall(system)


def chosen_topics(
    system: str, title: str, mode: str, choices: list[tuple[str, list[str]]]
) -> list | None:
    """The "topics" the model answers: a choice set for a title word, else the offered topics
    whose slug or name the title holds; None when the prompt asks for no topics."""
    options = topic_options(system)
    if not options:
        return None
    if mode == "garbage_topics":
        return ["not-a-topic", 42, {"slug": "rag"}, "../../etc/passwd"]
    if mode == "all_topics":
        return [slug for slug, _ in options]
    for word, slugs in choices:
        if word in title:
            return list(slugs)
    lowered = title.lower()
    return [slug for slug, name in options if slug in lowered or name.lower() in lowered][:3]


def is_translation(system: str) -> bool:
    return system.startswith("You translate")


def translation_content(system: str, user: str, mode: str) -> str:
    """The answer to a translation request: about as long as the source, in the language asked
    for; or, in a hostile mode, empty, with a link, or in the source's language."""
    target = _TARGET.search(system)
    lang = target.group(1) if target else "en"
    match = _SUMMARY.search(user)
    source = match.group(1).strip() if match else ""
    if lang == "en":
        text = (_EN_SENTENCE * (2 * len(source) // len(_EN_SENTENCE) + 1)).strip()
    else:
        text = _ZH_SENTENCE * (len(source) // 3 // len(_ZH_SENTENCE) + 1)
    if mode == "empty":
        text = ""
    elif mode == "url":
        text = f"{text} Code: https://evil.example/payload"
    elif mode == "wrong_language":
        text = source
    answer = json.dumps({lang: text}, ensure_ascii=False)
    return f"```json\n{answer}\n```" if mode == "fenced" else answer
