"""Subscriptions: `/topics` with toggle buttons, `/subscribe`, `/unsubscribe`, `/subscriptions`."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.handlers.context import (
    chat_language,
    edit_unless_unchanged,
    next_push_text,
    refused_outside_chat,
    runtime,
    schedule_changed,
)
from bot.handlers.permissions import may_change
from bot.i18n import _, use
from bot.render import callbacks
from bot.render.papers import escape
from bot.render.topics import render_subscriptions, render_topics
from bot.runtime import Runtime
from bot.topics.config import resolve
from storage import chats, subscriptions
from storage.chat_models import InvalidQuery
from storage.models import Topic

_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”')
_LIST_SEPARATORS = re.compile(r"\s*[,，、;；]\s*")
UNKNOWN_SHOWN = 3


def _arguments(update: Update) -> str:
    parts = (update.effective_message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def parse_choice(text: str, topics: tuple[Topic, ...]) -> tuple[list[Topic], list[str], list[str]]:
    """Topics named (by slug or alias), quoted keyword queries, and the words that are neither."""
    queries = [a or b for a, b in _QUOTED.findall(text)]
    rest = _QUOTED.sub(" ", text).replace('"', " ").strip()
    if not rest:
        return [], queries, []
    whole = resolve(topics, rest)  # an alias may have spaces: "Safety & Alignment"
    if whole is not None:
        return [whole], queries, []
    words = _LIST_SEPARATORS.split(rest) if _LIST_SEPARATORS.search(rest) else rest.split()
    found = [(word, resolve(topics, word)) for word in words if word]
    unknown = [word for word, topic in found if topic is None]
    return [topic for _, topic in found if topic is not None], queries, unknown


async def _subscribed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> set[str]:
    rows = await subscriptions.for_chat(runtime(context).db, update.effective_chat.id)
    return {row.topic_slug for row in rows if row.topic_slug}


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topics: every topic with ✅ / ➕ buttons."""
    lang = await chat_language(update, context)
    shown = render_topics(runtime(context).topics, await _subscribed(update, context), lang)
    await update.effective_message.reply_text(shown.text, reply_markup=shown.keyboard)


async def toggle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A topic button: subscribe or unsubscribe, and redraw the buttons in place."""
    query = update.callback_query
    if await refused_outside_chat(update, context):
        return
    lang = await chat_language(update, context)
    request = callbacks.parse(query.data)
    rt = runtime(context)
    known = {t.slug for t in rt.topics}
    with use(lang):
        if not isinstance(request, callbacks.TopicToggle) or request.slug not in known:
            await query.answer(_("This button has expired."))
            return
        if not await may_change(update, context):
            await query.answer(_("Only the group's admins can change its subscriptions."))
            return
    chat_id = update.effective_chat.id
    if request.slug in await _subscribed(update, context):
        await subscriptions.remove_topic(rt.db, chat_id, request.slug)
    else:
        message = update.effective_message
        thread = message.message_thread_id if message.is_topic_message else None
        await subscriptions.add_topic(
            rt.db,
            chat_id,
            request.slug,
            thread_id=thread,
            created_by=query.from_user.id,
            language=lang,
        )
    await query.answer()
    await schedule_changed(update, context)
    shown = render_topics(rt.topics, await _subscribed(update, context), lang)
    await edit_unless_unchanged(query, shown.text, shown.keyboard)


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe <topic…|"keyword query">: without arguments, the topic buttons."""
    await _change(update, context, adding=True)


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe <topic…|"keyword query">: without arguments, the topic buttons."""
    await _change(update, context, adding=False)


async def _change(update: Update, context: ContextTypes.DEFAULT_TYPE, *, adding: bool) -> None:
    text = _arguments(update)
    if not text:
        await topics_command(update, context)
        return
    rt = runtime(context)
    lang = await chat_language(update, context)
    chosen, queries, unknown = parse_choice(text, rt.topics)
    with use(lang):
        if not await may_change(update, context):
            await _reply(update, _("Only the group's admins can change its subscriptions."))
            return
        if unknown or not (chosen or queries):
            shown = ", ".join(f"“{w[:40]}”" for w in unknown[:UNKNOWN_SHOWN])
            await _reply(
                update, _("Unknown topic: {words}. /topics lists them all.").format(words=shown)
            )
            return
        try:
            await _apply(update, rt, chosen, queries, adding=adding, lang=lang)
        except InvalidQuery:
            await _reply(update, _("A keyword query needs 1 to 200 characters between quotes."))
            return
    await schedule_changed(update, context)
    await subscriptions_command(update, context)


async def _apply(
    update: Update,
    rt: Runtime,
    chosen: list[Topic],
    queries: list[str],
    *,
    adding: bool,
    lang: str,
) -> None:
    chat_id = update.effective_chat.id
    message = update.effective_message
    thread = message.message_thread_id if message.is_topic_message else None
    user = update.effective_user.id if update.effective_user else None
    for query in queries:  # validated first: a bad query changes nothing
        subscriptions.normalize_query(query)
    for topic in chosen:
        if adding:
            await subscriptions.add_topic(
                rt.db, chat_id, topic.slug, thread_id=thread, created_by=user, language=lang
            )
        else:
            await subscriptions.remove_topic(rt.db, chat_id, topic.slug)
    for query in queries:
        if adding:
            await subscriptions.add_query(
                rt.db, chat_id, query, thread_id=thread, created_by=user, language=lang
            )
        else:
            await subscriptions.remove_query(rt.db, chat_id, query)


async def subscriptions_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscriptions: what this chat receives."""
    rt = runtime(context)
    lang = await chat_language(update, context)
    chat = await chats.get(rt.db, update.effective_chat.id)
    rows = await subscriptions.for_chat(rt.db, chat.id)
    slugs = {row.topic_slug for row in rows if row.topic_slug}
    queries = [row.query for row in rows if row.query]
    shown = render_subscriptions(
        rt.topics, slugs, queries, lang, await next_push_text(context, chat, rows, lang)
    )
    await _reply(update, shown, escaped=True)


async def _reply(update: Update, text: str, *, escaped: bool = False) -> None:
    await update.effective_message.reply_text(text if escaped else escape(text))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("topics", topics_command))
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CommandHandler("subscriptions", subscriptions_command))
    app.add_handler(CallbackQueryHandler(toggle, pattern=r"^topic:toggle:"))
