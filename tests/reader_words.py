"""Words a reader must never be shown: topic slugs, English setting keys in Chinese, stored
setting values, raw URLs, Python identifiers and tracebacks. Shared by the catalog scan and the
chat scenarios that read what the bot sends."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The English words of the settings a Chinese reader must never be asked to type.
SETTING_KEYS = re.compile(r"\b(timezone|tz|weekday|hour|empty|skip|line|previous)\b", re.I)
STORED_VALUES_AS_WORDS = re.compile(r"/settings empty (line|skip)\b")
RAW_URL = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:org|com|net|io|me)/", re.I)
HREF = re.compile(r"""href=(["'])\{\w+\}\1""")
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
TRACEBACK = re.compile(r"Traceback|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|File \"")
COMMAND_ARGUMENT = re.compile(r"/[a-z]+(?:@\w+)?\s+([a-z][a-z0-9_-]*)")
PLACEHOLDER = re.compile(r"\{\w*(?:[:!][^}]*)?\}")
TAG = re.compile(r"<[^>]+>")


@cache
def slugs() -> tuple[tuple[str, str], ...]:
    """Each topic's slug and English name, from the packaged topics."""
    with (ROOT / "bot" / "data" / "topics.toml").open("rb") as fh:
        topics = tomllib.load(fh)["topic"]
    return tuple((t["slug"], t["name_en"]) for t in topics)


def slug_problems(text: str, lang: str) -> list[str]:
    """Slugs in `text`: after a command, anywhere in Chinese, and slugs no English word reads
    as (`rag`, `llm`, `finetuning`)."""
    bare = PLACEHOLDER.sub(" ", TAG.sub(" ", text))
    after_command = set(COMMAND_ARGUMENT.findall(bare))
    problems = []
    for slug, name in slugs():
        if slug in after_command:
            problems.append(f"topic slug {slug!r} after a command")
        elif re.search(rf"(?<![\w/-]){re.escape(slug)}(?![\w-])", bare):
            word_of_name = re.search(rf"\b{re.escape(slug)}\b", name, re.I)
            is_acronym = word_of_name is not None and word_of_name[0].isupper()
            if lang == "zh" or word_of_name is None or is_acronym:
                problems.append(f"topic slug {slug!r}")
    return problems


def wording_problems(text: str, lang: str) -> list[str]:
    problems = slug_problems(text, lang)
    bare = PLACEHOLDER.sub(" ", text)
    if lang == "zh" and (key := SETTING_KEYS.search(TAG.sub(" ", bare))):
        problems.append(f"English setting key {key[0]!r}")
    if key := STORED_VALUES_AS_WORDS.search(bare):
        problems.append(f"stored setting value {key[1]!r}")
    if url := RAW_URL.search(HREF.sub(" ", bare)):
        problems.append(f"raw URL {url[0]!r}")
    if name := IDENTIFIER.search(TAG.sub(" ", bare)):
        problems.append(f"identifier {name[0]!r}")
    if trace := TRACEBACK.search(bare):
        problems.append(f"traceback {trace[0]!r}")
    return problems
