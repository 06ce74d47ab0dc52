"""An editor's summary translated into the other language by the summary model: the request
and what of the answer is kept. Pure.

The editor wrote the summary a reader of the other language should read too, so it is
translated rather than summarized again from the abstract. A translation is kept only when it
is the one JSON object asked for, in the language asked for, plain text (no link, no markup,
no refusal) and about as long as what it translates; otherwise `RejectedAnswer` says why and
the reader keeps the editor's summary, labelled with its language.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.summarize.llm_answer import (
    PROMPT_TITLE_CHARS,
    GlossaryTerm,
    RejectedAnswer,
    clean_text,
    glossary_for,
    read_object,
)
from storage.cjk import chinese_share
from storage.summaries import MAX_CHARS

LANGUAGES = {"zh": "Simplified Chinese", "en": "English"}
# Chinese says in one character what English says in three or four letters; a translation
# far outside these bounds of its source's length is a summary of something else, or nothing.
_SHORTEST = {"en": 1.0, "zh": 0.1}  # of the source's length in characters, at least
_LONGEST = {"en": 8.0, "zh": 1.2}  # and at most, plus a little for a very short source
_SLACK = 40
_OTHER_SCRIPT = 0.2  # a Chinese text names English terms; an English one, no Chinese

SYSTEM_PROMPT = (
    "You translate an editor's summary of an AI research paper for a bilingual digest. Write "
    'one JSON object and nothing else: {"{lang}": "…"}, the summary translated faithfully into '
    "{language}: the same claims, nothing added or left out, no comment of your own, names of "
    "methods, models and data sets kept as they are."
)
# The glossary both ways, so a term reads the same in a translation as in a model's summary.
_GLOSSARY_INTRO = "In {language}, write these terms exactly so:"


@dataclass(frozen=True, slots=True)
class Translation:
    lang: str
    text: str
    cleaned: tuple[str, ...] = ()  # what was removed from the text, if anything


def target_of(source_lang: str) -> str:
    """The language a summary in `source_lang` is translated into."""
    return "en" if source_lang == "zh" else "zh"


def build_messages(
    title: str, text: str, source_lang: str, glossary: tuple[GlossaryTerm, ...]
) -> list[dict[str, str]]:
    """The chat messages asking for the translation of one editor's summary."""
    lang = target_of(source_lang)
    text = text[:MAX_CHARS]
    system = SYSTEM_PROMPT.replace("{lang}", lang).replace("{language}", LANGUAGES[lang])
    if lang == "zh":
        pairs = [(t.english, t.chinese) for t in glossary_for(text, glossary)]
    else:
        pairs = _backwards(text, glossary)
    if pairs:
        lines = "\n".join(f"- {said} → {written}" for said, written in pairs)
        system += f"\n{_GLOSSARY_INTRO.format(language=LANGUAGES[lang])}\n{lines}"
    user = f"Title: {title[:PROMPT_TITLE_CHARS]}\n\nSummary ({LANGUAGES[source_lang]}): {text}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _backwards(text: str, glossary: tuple[GlossaryTerm, ...]) -> list[tuple[str, str]]:
    """(Chinese, English) of the glossary's Chinese terms in the text; one English term each,
    the glossary's first (RAG before its long form)."""
    found: dict[str, str] = {}
    for term in glossary:
        if term.chinese in text:
            found.setdefault(term.chinese, term.english)
    return list(found.items())


def parse_translation(content: str | None, source: str, source_lang: str) -> Translation:
    """The translation of `source`, or RejectedAnswer saying what is wrong with the answer."""
    lang = target_of(source_lang)
    obj = read_object(content)
    longest = _LONGEST[lang] * len(source) + _SLACK
    text, removed = clean_text(obj.get(lang), lang, longest)
    if len(text) > longest:
        raise RejectedAnswer(f"{lang} text has {len(text)} characters, far over {int(longest)}")
    if len(text) < _SHORTEST[lang] * len(source) - _SLACK:
        raise RejectedAnswer(f"{lang} text has {len(text)} characters, far too few")
    share = chinese_share(text)
    if lang == "zh" and share < _OTHER_SCRIPT:
        raise RejectedAnswer("zh text is not Chinese")
    if lang == "en" and share > _OTHER_SCRIPT:
        raise RejectedAnswer("en text is mostly Chinese")
    return Translation(lang, text, tuple(removed))
