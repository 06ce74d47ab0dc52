"""What the summary model is asked and what of its answer is kept: prompts and validation, pure.

One request per paper asks for both languages and an importance score as one JSON object, and,
given the configured topics, the paper's topics among them (see `topic_choice`). An
answer is kept only when it is that object, written in the right languages, within about the
length asked for (words and characters), plain text, and no refusal; otherwise
`RejectedAnswer` says why, and nothing is stored; topics that cannot be used are dropped, and
the summaries kept. Whatever the answer holds, `parse_answer` raises nothing else.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import ascii_letters

from bot.endpoint import bounded_json
from bot.summarize import answer_text, topic_choice
from bot.summarize.topic_choice import TopicChoice
from storage.cjk import chinese_share
from storage.models import Topic

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "data" / "glossary.toml"
ZH_CHARS = 200
EN_WORDS = 60
# "About" 200 characters or 60 words: a little over is fine, half again over is no summary.
_OVERRUN = 1.5
# Words of ten characters on average is already jargon; one 2 MB "word" is no summary.
EN_CHARS = int(EN_WORDS * _OVERRUN * 10)
# A good answer is well under 2,000 characters; the cap keeps parsing cheap whatever comes.
MAX_ANSWER_CHARS = 32_000
_MAX_DEPTH = 8  # the answer is one flat object; a little room for a model's extra fields
# arXiv allows 1,920 characters of abstract; a feed's 20 MB one must not become the prompt.
PROMPT_TITLE_CHARS = 500
PROMPT_ABSTRACT_CHARS = 6_000

_OTHER_SCRIPT = 0.2  # a Chinese summary names English terms; an English one, no Chinese
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
    cleaned: tuple[str, ...] = ()  # what was removed from the texts, if anything
    topics: TopicChoice | None = None  # None: no topics were asked for

    @property
    def notes(self) -> tuple[str, ...]:
        """What of the answer was removed or dropped, for the ledger."""
        cleaned = (f"cleaned: {'; '.join(self.cleaned)}",) if self.cleaned else ()
        dropped = self.topics.notes if self.topics else ()
        return (*cleaned, *(f"topics: {note}" for note in dropped))


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
    title: str,
    abstract: str,
    glossary: tuple[GlossaryTerm, ...],
    topics: Sequence[Topic] = (),
) -> list[dict[str, str]]:
    """The chat messages for one paper: instructions with its glossary terms (and the topics to
    choose from, if any), then the paper.

    Title and abstract are bounded, so that no stored paper can make a request of any size.
    """
    title, abstract = title[:PROMPT_TITLE_CHARS], abstract[:PROMPT_ABSTRACT_CHARS]
    system = SYSTEM_PROMPT.replace("{zh_chars}", str(ZH_CHARS)).replace("{en_words}", str(EN_WORDS))
    if topics:
        system += "\n" + topic_choice.prompt(topics)
    terms = glossary_for(f"{title}\n{abstract}", glossary)
    if terms:
        lines = "\n".join(f"- {t.english} → {t.chinese}" for t in terms)
        system += f"\n{_GLOSSARY_INTRO}\n{lines}"
    user = f"Title: {title}\n\nAbstract: {abstract}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _unfenced(content: str) -> str:
    """The JSON inside a ```json fence, or the content as it is; no regex, so no backtracking."""
    text = content.strip()
    if len(text) < 6 or not (text.startswith("```") and text.endswith("```")):
        return content
    inner = text[3:-3]
    return inner[len(inner) - len(inner.lstrip(ascii_letters)) :].strip()


def _text(obj: dict, key: str, notes: list[str]) -> str:
    cap = ZH_CHARS * _OVERRUN if key == "zh" else EN_CHARS
    text, removed = clean_text(obj.get(key), key, cap)
    notes.extend(note for note in removed if note not in notes)
    return text


def _shown(value: object) -> str:
    """A value as the ledger may quote it: short, whatever it is."""
    shown = repr(value)
    return shown if len(shown) <= 20 else f"{shown[:20]}…"


def _importance(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RejectedAnswer(f"importance {_shown(value)} is not a number")
    if not 1 <= value <= 5 or value != int(value):
        raise RejectedAnswer(f"importance {_shown(value)} is not a whole number from 1 to 5")
    return int(value)


def _check_languages(zh: str, en: str) -> None:
    if chinese_share(zh) < _OTHER_SCRIPT:
        raise RejectedAnswer("zh text is not Chinese")
    if chinese_share(en) > _OTHER_SCRIPT:
        raise RejectedAnswer("en text is mostly Chinese")


def _check_lengths(zh: str, en: str) -> None:
    # Chinese has no spaces between words: its length is in characters.
    if len(zh) > ZH_CHARS * _OVERRUN:
        raise RejectedAnswer(f"zh text has {len(zh)} characters, far over {ZH_CHARS}")
    words = len(en.split())
    if words > EN_WORDS * _OVERRUN:
        raise RejectedAnswer(f"en text has {words} words, far over {EN_WORDS}")
    if len(en) > EN_CHARS:
        raise RejectedAnswer(f"en text has {len(en)} characters, far over {EN_CHARS}")


def read_object(content: str | None) -> dict:
    """The one JSON object an answer should be, or RejectedAnswer (empty, a refusal, no JSON)."""
    if not isinstance(content, str) or not content.strip():
        raise RejectedAnswer("empty answer")
    if len(content) > MAX_ANSWER_CHARS:
        raise RejectedAnswer(f"answer too long ({len(content)} characters)")
    if _REFUSAL.search(content):
        raise RejectedAnswer("refusal")
    try:
        obj = bounded_json.loads(
            _unfenced(content), max_chars=MAX_ANSWER_CHARS, max_depth=_MAX_DEPTH
        )
    except bounded_json.UnreadableJSON as exc:
        raise RejectedAnswer(str(exc)) from None
    if not isinstance(obj, dict):
        raise RejectedAnswer("the answer is not a JSON object")
    return obj


def clean_text(value: object, key: str, cap: float) -> tuple[str, list[str]]:
    """A text of the answer made safe to show, and what was removed; RejectedAnswer when it is
    missing, far over `cap` characters, or carries a link or markup."""
    if not isinstance(value, str) or not value.strip():
        raise RejectedAnswer(f"empty {key} text")
    # Checked before any pattern runs over the text: twice the cap leaves room for what cleaning
    # removes, and keeps every scan over a summary short.
    if len(value) > 2 * cap:
        raise RejectedAnswer(f"{key} text has {len(value)} characters, far over {int(cap)}")
    try:
        text, removed = answer_text.clean(value)
    except answer_text.UnsafeText as exc:
        raise RejectedAnswer(f"{key} text {exc}") from None
    if not text:
        raise RejectedAnswer(f"empty {key} text")
    return text, removed


def parse_answer(content: str | None, topics: Sequence[Topic] = ()) -> SummaryAnswer:
    """The answer as a summary pair (with the topics chosen among `topics` when given), or
    RejectedAnswer saying what is wrong with it."""
    obj = read_object(content)
    notes: list[str] = []
    zh, en = _text(obj, "zh", notes), _text(obj, "en", notes)
    importance = _importance(obj.get("importance"))
    _check_lengths(zh, en)
    _check_languages(zh, en)
    chosen = topic_choice.read_choice(obj, topics) if topics else None
    return SummaryAnswer(zh, en, importance, tuple(notes), chosen)
