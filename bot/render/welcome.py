"""The first words: `/start`'s welcome with its buttons (language, topics, this fortnight's
digest), what `/start` says in a group, and the note a group gets when it adds the bot.

Callback data of the welcome's buttons:

    start:lang:<zh|en>    the chat's language, the welcome redrawn in it
    start:topics          the topic picker
    start:digest          this fortnight's digest of the chat's topics (every topic if none)
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _, use
from bot.render.callbacks import LANGUAGES, MAX_BYTES
from bot.render.papers import LANGUAGE_NAMES, RenderedMessage, escape

TOPICS = "start:topics"
DIGEST = "start:digest"
_LANGUAGE = "start:lang:"


@dataclass(frozen=True, slots=True)
class WelcomeLanguage:
    lang: str


def parse(data: object) -> WelcomeLanguage | str | None:
    """The button pressed: a language, TOPICS or DIGEST; None for anything else."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    if data in (TOPICS, DIGEST):
        return data
    lang = data.removeprefix(_LANGUAGE)
    return WelcomeLanguage(lang) if data.startswith(_LANGUAGE) and lang in LANGUAGES else None


def private_welcome(name: str, lang: str) -> RenderedMessage:
    """Hello by name, what the bot does, and the three ways to begin."""
    with use(lang):
        text = _(
            "Hello, {name}! Every fortnight I send a digest of the AI and LLM papers "
            "that matter, grouped by topic, in Chinese or English. /help lists what I can do."
        ).format(name=escape(name))
        begin = _("Choose your topics to receive the digest, or read this fortnight's now.")
        languages = [
            InlineKeyboardButton(
                f"✅ {LANGUAGE_NAMES[code]}" if code == lang else LANGUAGE_NAMES[code],
                callback_data=f"{_LANGUAGE}{code}",
            )
            for code in ("zh", "en")
        ]
        keyboard = InlineKeyboardMarkup(
            [
                languages,
                [InlineKeyboardButton(_("📚 Choose topics"), callback_data=TOPICS)],
                [InlineKeyboardButton(_("📰 This fortnight's digest"), callback_data=DIGEST)],
            ]
        )
        return RenderedMessage(f"{text}\n\n{escape(begin)}", keyboard)


def group_start(lang: str) -> str:
    """/start in a group: what the bot does there, and who chooses."""
    with use(lang):
        return escape(
            _(
                "Every fortnight I post a digest of the AI and LLM papers that matter here, "
                "grouped by topic. Everyone can use /digest, /search and /paper; the group's "
                "admins choose its topics with /topics and its language with /lang."
            )
        )


def group_welcome(lang: str) -> str:
    """The note a group gets once, when it adds the bot."""
    with use(lang):
        thanks = _("Thanks for adding me!")
        return f"👋 {escape(thanks)} {group_start(lang)}"
