"""Delivery settings: `/settings` shows them with buttons; `/settings 时区 上海` changes one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import settings_words
from bot.dates import weekday_name
from bot.handlers.context import (
    chat_language,
    edit_unless_unchanged,
    next_push_text,
    now,
    refused_outside_chat,
    runtime,
    schedule_changed,
)
from bot.handlers.permissions import may_change
from bot.handlers.settings_change import Change, ChangeRefused, read_arguments
from bot.i18n import _, use
from bot.render.papers import RenderedMessage, escape
from bot.render.settings import empty_label, hour_label, parse, render_settings, zone_label
from storage import chats, subscriptions
from storage.chat_models import Chat
from storage.db import Database

_PICKERS = {"timezone": "tz", "weekday": "day", "hour": "hour"}


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings [setting] [value]: the settings with buttons, or one of them changed."""
    rt = runtime(context)
    lang = await chat_language(update, context)
    chat_id = update.effective_chat.id
    args = context.args or []
    if not args:
        await _send(update, context, await chats.get(rt.db, chat_id), lang)
        return
    picker = _PICKERS.get(settings_words.setting_named(args[0])) if len(args) == 1 else None
    if picker is not None:  # `/settings 时区`: that setting's buttons
        await _send(update, context, await chats.get(rt.db, chat_id), lang, picker)
        return
    with use(lang):
        try:
            change = read_arguments(args)
        except ChangeRefused as refused:
            await _reply(update, refused.reply)
            return
        if not await may_change(update, context):
            await _reply(update, _("Only the group's admins can change its settings."))
            return
    chat = await _apply(rt.db, chat_id, change)
    lang = chat.language or lang
    await schedule_changed(update, context)
    await _send(update, context, chat, lang, done=_confirmation(chat, change, lang, context))


async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A settings button: open a picker, or change one setting, editing the message in place."""
    query = update.callback_query
    if await refused_outside_chat(update, context):
        return
    lang = await chat_language(update, context)
    press = parse(query.data)
    with use(lang):
        if press is None:
            await query.answer(_("This button has expired."))
            return
        if not await may_change(update, context):
            await query.answer(_("Only the group's admins can change its settings."))
            return
    rt = runtime(context)
    chat_id = update.effective_chat.id
    if press.field == "view":
        await query.answer()
        shown = await _rendered(context, await chats.get(rt.db, chat_id), lang, str(press.value))
        await edit_unless_unchanged(query, shown.text, shown.keyboard)
        return
    change = Change(press.field, press.value)
    chat = await _apply(rt.db, chat_id, change)
    lang = chat.language or lang
    await schedule_changed(update, context)
    await query.answer(_confirmation(chat, change, lang, context))
    shown = await _rendered(context, chat, lang)
    await edit_unless_unchanged(query, shown.text, shown.keyboard)


async def _apply(db: Database, chat_id: int, change: Change) -> Chat:
    if change.setting == "timezone":
        return await chats.set_timezone(db, chat_id, str(change.value))
    if change.setting == "weekday":
        return await chats.set_delivery(db, chat_id, weekday=int(change.value))
    if change.setting == "hour":
        return await chats.set_delivery(db, chat_id, hour=int(change.value))
    if change.setting == "empty":
        return await chats.set_empty_topics(db, chat_id, str(change.value))
    return await chats.set_language(db, chat_id, str(change.value))


def _confirmation(chat: Chat, change: Change, lang: str, context: ContextTypes.DEFAULT_TYPE) -> str:
    """What just changed, in the reader's words (also the button's short answer)."""
    with use(lang):
        if change.setting == "timezone":
            return _("The timezone is now {tz}.").format(
                tz=zone_label(chat.timezone, now(context), lang)
            )
        if change.setting == "weekday":
            return _("Digests now arrive on {day}.").format(
                day=weekday_name(chat.delivery_weekday, lang)
            )
        if change.setting == "hour":
            return _("Digests now arrive at {time}.").format(time=hour_label(chat.delivery_hour))
        if change.setting == "empty":
            return _("A topic with nothing new now gets: {what}.").format(what=empty_label(chat))
        return _("This chat now reads English.")


async def _rendered(
    context: ContextTypes.DEFAULT_TYPE,
    chat: Chat,
    lang: str,
    view: str = "main",
    done: str | None = None,
) -> RenderedMessage:
    subs = await subscriptions.for_chat(runtime(context).db, chat.id)
    when = await next_push_text(context, chat, subs, lang)
    return render_settings(chat, lang, now(context), next_push=when, view=view, done=done)


async def _send(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    chat: Chat,
    lang: str,
    view: str = "main",
    done: str | None = None,
) -> None:
    shown = await _rendered(context, chat, lang, view, done)
    await update.effective_message.reply_text(shown.text, reply_markup=shown.keyboard)


async def _reply(update: Update, text: str) -> None:
    await update.effective_message.reply_text(escape(text))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("settings", settings_command))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=r"^set:"))
