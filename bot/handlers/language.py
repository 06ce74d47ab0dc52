"""The chat's language: `/lang [zh|en]`, or the 中文 / English buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import i18n
from bot.handlers.context import (
    chat_language,
    edit_unless_unchanged,
    refused_outside_chat,
    runtime,
)
from bot.handlers.permissions import may_change
from bot.i18n import _, use
from bot.render import callbacks
from bot.render.papers import escape
from bot.render.topics import language_keyboard
from storage import chats


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang [zh|en]: set the chat's language; without an argument, the two buttons."""
    current = await chat_language(update, context, adopt=False)
    choice = context.args[0].lower() if len(context.args) == 1 else None
    with use(current):
        if not context.args:
            await update.effective_message.reply_text(
                escape(_("Choose the language of this chat:")), reply_markup=language_keyboard()
            )
            return
        if choice not in i18n.LANGUAGES:
            await update.effective_message.reply_text(escape(_("Usage: /lang zh or /lang en")))
            return
        if not await may_change(update, context):
            await update.effective_message.reply_text(
                escape(_("Only the group's admins can change its settings."))
            )
            return
    await chats.set_language(runtime(context).db, update.effective_chat.id, choice)
    with use(choice):
        await update.effective_message.reply_text(escape(_("This chat now reads English.")))


async def lang_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """中文 / English: set the chat's language, answering in the new one."""
    query = update.callback_query
    if await refused_outside_chat(update, context):
        return
    request = callbacks.parse(query.data)
    with use(await chat_language(update, context, adopt=False)):
        if not isinstance(request, callbacks.SetLanguage):
            await query.answer(_("This button has expired."))
            return
        if not await may_change(update, context):
            await query.answer(_("Only the group's admins can change its settings."))
            return
    await chats.set_language(runtime(context).db, update.effective_chat.id, request.lang)
    with use(request.lang):
        await query.answer()
        await edit_unless_unchanged(query, escape(_("This chat now reads English.")), None)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("lang", lang_command))
    app.add_handler(CallbackQueryHandler(lang_button, pattern=r"^lang:set:"))
