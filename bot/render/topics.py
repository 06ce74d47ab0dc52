"""Topics and a chat's subscriptions as Telegram HTML, with the ✅ / ➕ toggle buttons."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _, use
from bot.render import callbacks
from bot.render.papers import RenderedMessage, escape
from storage.models import Topic

BUTTONS_PER_ROW = 2


def render_topics(
    topics: Sequence[Topic], subscribed: Collection[str], lang: str
) -> RenderedMessage:
    """Every topic, marked ✅ when the chat receives it, each a button that toggles it."""
    with use(lang):
        title = escape(_("Topics"))
        lines = [f"<b>{title}</b>"]
        lines += [f"{_mark(t, subscribed)} {escape(t.name(lang))}" for t in topics]
        lines += ["", escape(_("Tap a topic to subscribe or unsubscribe this chat."))]
        buttons = [
            InlineKeyboardButton(
                f"{_mark(t, subscribed)} {t.name(lang)}",
                callback_data=callbacks.pack_topic_toggle(t.slug),
            )
            for t in topics
        ]
        rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
        return RenderedMessage("\n".join(lines), InlineKeyboardMarkup(rows))


def _mark(topic: Topic, subscribed: Collection[str]) -> str:
    return "✅" if topic.slug in subscribed else "➕"


def render_subscriptions(
    topics: Sequence[Topic],
    subscribed: Collection[str],
    queries: Sequence[str],
    lang: str,
    next_push: str | None = None,
) -> str:
    """What this chat receives: its topics in topic order, then its saved keyword queries,
    and when the next digest is due (`next_push`, already formatted for the chat)."""
    with use(lang):
        chosen = [t for t in topics if t.slug in subscribed]
        if not chosen and not queries:
            return escape(_("This chat has no subscriptions yet. /topics shows what there is."))
        title = escape(_("This chat receives"))
        lines = [f"<b>{title}</b>"]
        lines += [f"• {escape(t.name(lang))}" for t in chosen]
        lines += [f"• 🔎 “{escape(q)}”" for q in queries]
        if next_push:
            when = _("Next digest: {when}").format(when=next_push)
            lines += ["", f"🗓 {escape(when)}"]
        return "\n".join(lines)


def language_keyboard() -> InlineKeyboardMarkup:
    """中文 and English, each named in its own language."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("中文", callback_data=callbacks.pack_set_language("zh")),
                InlineKeyboardButton("English", callback_data=callbacks.pack_set_language("en")),
            ]
        ]
    )
