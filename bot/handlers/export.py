"""`/export bibtex` | `/export ris`: the chat's saved papers as a file for a reference manager
(Zotero, Mendeley, EndNote, JabRef), named `digestbot-saved-YYYY-MM-DD.bib` / `.ris` after the
chat's day; `/export` alone offers both. In a group, the group's saved papers, for any member.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.export.bibtex import bibtex
from bot.export.ris import ris
from bot.handlers.context import chat_language, now, refused_outside_chat, runtime
from bot.i18n import _, use
from bot.render import saved as saved_view
from bot.render.papers import escape
from storage import chats, saved

WRITERS = {"bibtex": (bibtex, "bib"), "ris": (ris, "ris")}


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export [bibtex|ris]: the saved papers as a file; without a format, a button for each."""
    lang = await chat_language(update, context)
    words = [word.lower().lstrip(".") for word in context.args]
    message = update.effective_message
    if not words:
        choice = saved_view.export_choice(lang)
        await message.reply_text(choice.text, reply_markup=choice.keyboard)
        return
    if len(words) != 1 or words[0] not in WRITERS:
        with use(lang):
            await message.reply_text(escape(_("Usage: /export bibtex or /export ris")))
        return
    await send_export(update, context, words[0], lang)


async def export_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """BibTeX or RIS under `/export`: the file, sent below."""
    if await refused_outside_chat(update, context):
        return
    await update.callback_query.answer()
    kind = update.callback_query.data.removeprefix("export:")
    await send_export(update, context, kind, await chat_language(update, context))


async def send_export(
    update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str, lang: str
) -> None:
    """The chat's saved papers in `kind` as a document, or how to save some when there are none."""
    rt = runtime(context)
    chat = update.effective_chat
    found = await saved.all_papers(rt.db, chat.id)
    message = update.effective_message
    thread = message.message_thread_id if message.is_topic_message else None
    if not found:
        empty = saved_view.render_saved(0, (), 1, lang)
        await context.bot.send_message(chat.id, empty.text, message_thread_id=thread)
        return
    write, suffix = WRITERS[kind]
    stored = await chats.get(rt.db, chat.id)
    day = now(context).astimezone(ZoneInfo(stored.timezone)).date()
    await context.bot.send_document(
        chat.id,
        write(found).encode("utf-8"),
        filename=f"digestbot-saved-{day.isoformat()}.{suffix}",
        caption=saved_view.export_caption(len(found), kind, lang),
        message_thread_id=thread,
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CallbackQueryHandler(export_button, pattern=r"^export:(bibtex|ris)$"))
