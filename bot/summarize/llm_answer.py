"""What the summary model is asked and what of its answer is kept: prompts and validation, pure.

One request per paper asks for both languages and an importance score as one JSON object. An
answer is kept only when it is that object, written in the right languages, within about the
length asked for, and no refusal; otherwise `RejectedAnswer` says why, and nothing is stored.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from storage.cjk import chinese_share

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "data" / "glossary.toml"
ZH_CHARS = 200
EN_WORDS = 60
# "About" 200 characters or 60 words: a little over is fine, half again over is no summary.
_OVERRUN = 1.5

_OTHER_SCRIPT = 0.2  # a Chinese summary names English terms; an English one, no Chinese
_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)
_REFUSAL = re.compile(
    r"I['’]m sorry|I am sorry|I cannot|I can['’]t|I am unable|I['’]m unable|as an AI\b"
    r"|作为一个\s*AI|作为\s*AI|作为人工智能|我无法|我不能|很抱歉|抱歉，",
    re.IGNORECASE,
)

SYSTEM_PROMPT = (
    "You summarize AI research papers for a fortnightly bilingual digest. From the title and "
    "abstract you are given, write one JSON object and nothing else: "
    '{"zh": "…", "en": "…", "importance": n}. '
    '"zh" is a summary in Simplified Chinese of at most {zh_chars} characters; '
    '"en" is a summary in English of at most {en_words} words. Both say what the paper does '
    "and finds, faithful to the abstract: no claims it does not make, no hype, no first "
    'person. "importance" is a whole number from 1 (minor) to 5 (a major result) for readers '
    "following large language models."
)
_GLOSSARY_INTRO = "In Chinese, write these terms exactly so:"


class RejectedAnswer(ValueError):
    """The model's answer cannot be stored; the message is the reason kept in the ledger."""


@dataclass(frozen=True, slots=True)
class SummaryAnswer:
    zh: str
    en: str
    importance: int


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    english: str
    chinese: str
    pattern: re.Pattern[str]


def _term_pattern(term: str) -> re.Pattern[str]:
    """Whole words, any case (but acronyms' case), a plural, hyphens and spaces alike."""
    parts = [re.escape(part) for part in re.split(r"[-\s]+", term)]
    body = r"[-\s]?".join(parts)
    capitals = sum(ch.isupper() for ch in term)
    flags = 0 if capitals >= 2 else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}(?:s|es)?(?![\w])", flags)


@functools.cache
def load_glossary(path: Path = GLOSSARY_FILE) -> tuple[GlossaryTerm, ...]:
    """The glossary shipped as data: English term -> Chinese term, in file order."""
    with path.open("rb") as handle:
        terms = tomllib.load(handle)["terms"]
    return tuple(GlossaryTerm(en, zh, _term_pattern(en)) for en, zh in terms.items())


def glossary_for(text: str, glossary: tuple[GlossaryTerm, ...]) -> list[GlossaryTerm]:
    """The glossary entries whose English term occurs in the text."""
    return [term for term in glossary if term.pattern.search(text)]


def build_messages(
    title: str, abstract: str, glossary: tuple[GlossaryTerm, ...]
) -> list[dict[str, str]]:
    """The chat messages for one paper: instructions with its glossary terms, then the paper."""
    system = SYSTEM_PROMPT.replace("{zh_chars}", str(ZH_CHARS)).replace("{en_words}", str(EN_WORDS))
    terms = glossary_for(f"{title}\n{abstract}", glossary)
    if terms:
        lines = "\n".join(f"- {t.english} → {t.chinese}" for t in terms)
        system += f"\n{_GLOSSARY_INTRO}\n{lines}"
    user = f"Title: {title}\n\nAbstract: {abstract}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _unfenced(content: str) -> str:
    match = _FENCE.match(content)
    return match.group(1) if match else content


def _text(obj: dict, key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RejectedAnswer(f"empty {key} text")
    return " ".join(value.split())


def _importance(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RejectedAnswer(f"importance {value!r} is not a number")
    if value != int(value) or not 1 <= value <= 5:
        raise RejectedAnswer(f"importance {value!r} is not a whole number from 1 to 5")
    return int(value)


def _check_languages(zh: str, en: str) -> None:
    if chinese_share(zh) < _OTHER_SCRIPT:
        raise RejectedAnswer("zh text is not Chinese")
    if chinese_share(en) > _OTHER_SCRIPT:
        raise RejectedAnswer("en text is mostly Chinese")


def _check_lengths(zh: str, en: str) -> None:
    if len(zh) > ZH_CHARS * _OVERRUN:
        raise RejectedAnswer(f"zh text has {len(zh)} characters, far over {ZH_CHARS}")
    words = len(en.split())
    if words > EN_WORDS * _OVERRUN:
        raise RejectedAnswer(f"en text has {words} words, far over {EN_WORDS}")


def parse_answer(content: str | None) -> SummaryAnswer:
    """The answer as a summary pair, or RejectedAnswer saying what is wrong with it."""
    if not content or not content.strip():
        raise RejectedAnswer("empty answer")
    if _REFUSAL.search(content):
        raise RejectedAnswer("refusal")
    try:
        obj = json.loads(_unfenced(content))
    except json.JSONDecodeError:
        raise RejectedAnswer("invalid JSON") from None
    if not isinstance(obj, dict):
        raise RejectedAnswer("the answer is not a JSON object")
    zh, en = _text(obj, "zh"), _text(obj, "en")
    importance = _importance(obj.get("importance"))
    _check_languages(zh, en)
    _check_lengths(zh, en)
    return SummaryAnswer(zh, en, importance)
