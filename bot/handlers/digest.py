"""`/digest [topic] [previous]`: the fortnight's digest now, as the push would write it."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.digest.compose import compose
from bot.digest.periods import period_of
from bot.handlers.context import chat_language, now, runtime
from bot.i18n import _, use
from bot.render.digest import render_digest
from bot.render.digest_buttons import digest_keyboard
from bot.render.papers import escape
from bot.topics.config import resolve
from storage import chats, subscriptions

PREVIOUS = frozenset({"previous", "prev", "last", "上期", "上一期", "上次"})


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest [topic] [previous]: this fortnight so far, or the last closed one."""
    rt = runtime(context)
    lang = await chat_language(update, context)
    words = [word.casefold() for word in context.args]
    previous = any(word in PREVIOUS for word in words)
    named = " ".join(word for word in words if word not in PREVIOUS)
    with use(lang):
        topic = resolve(rt.topics, named) if named else None
        if named and topic is None:
            usage = _(
                "Unknown topic “{topic}”. Usage: /digest [topic] [previous]; /topics lists them."
            )
            await _reply(update, escape(usage.format(topic=named[:40])))
            return
        chat = await chats.get(rt.db, update.effective_chat.id)
        subs = await subscriptions.for_chat(rt.db, chat.id)
        slugs = [topic.slug] if topic else [s.topic_slug for s in subs if s.topic_slug]
        queries = [] if topic else [s.query for s in subs if s.query]
        if not slugs and not queries:
            hint = _("This chat has no subscriptions yet: try /digest rag, or choose in /topics.")
            await _reply(update, escape(hint))
            return
        period = period_of(now(context), rt.settings.epoch)
        if previous:
            period = period.previous()
        found = await compose(
            rt.db,
            period,
            rt.topics,
            topic_slugs=slugs,
            queries=queries,
            chat_id=chat.id,
            cap=rt.settings.issue_size,
        )
        parts = render_digest(found, lang, empty_topics=chat.empty_topics)
        if not parts:
            nothing = _("Nothing for this fortnight yet. Try /digest previous, or /search.")
            await _reply(update, escape(nothing))
            return
    for part in parts:
        await _reply(update, part, digest_keyboard(part))


async def _reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    thread = message.message_thread_id if message.is_topic_message else None
    await message.get_bot().send_message(
        message.chat_id, text, message_thread_id=thread, reply_markup=keyboard
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("digest", digest))
