"""Search in chat: `/search <query>`, five results a page, ◀ ▶ buttons that page in place; and
a card's similar papers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.handlers.context import (
    chat_language,
    edit_unless_unchanged,
    refused_outside_chat,
    runtime,
)
from bot.i18n import _, use
from bot.render import callbacks
from bot.render.papers import escape, render_search_page
from bot.render.similar import render_similar
from bot.search.semantic import for_runtime as semantic_search
from bot.search.service import search as search_papers
from bot.search.similar import similar
from storage import search_sessions
from storage.models import Paper

PER_PAGE = 5
SIMILAR_SHOWN = 5
MAX_QUERY = search_sessions.MAX_QUERY_CHARS


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/search <query>: the first page of results, each opening its card."""
    await search_for(update, context, " ".join(context.args))


async def search_for(update: Update, context: ContextTypes.DEFAULT_TYPE, query: str) -> None:
    """Reply with the first page of results for `query`, or say why nothing was searched."""
    lang = await chat_language(update, context)
    query = query.strip()
    if not query:
        with use(lang):
            await update.effective_message.reply_text(
                escape(
                    _(
                        "Usage: /search <words, an author or an arXiv id>, for example "
                        "/search retrieval augmented generation"
                    )
                )
            )
        return
    if len(query) > MAX_QUERY:
        with use(lang):
            await update.effective_message.reply_text(
                escape(
                    _("A search can be at most {n} characters long. Nothing was searched.").format(
                        n=MAX_QUERY
                    )
                )
            )
        return
    rt = runtime(context)
    # The query waits in the database: a 300-character query fits no 64-byte button.
    token = await search_sessions.save(rt.db, update.effective_chat.id, query, lang)
    semantic = semantic_search(rt)
    page = await search_papers(rt.db, query, lang=lang, limit=PER_PAGE, semantic=semantic)
    shown = render_search_page(page, query, token, 1, lang, PER_PAGE)
    await update.effective_message.reply_text(shown.text, reply_markup=shown.keyboard)


async def show_similar(update: Update, context: ContextTypes.DEFAULT_TYPE, paper: Paper) -> None:
    """Papers like this one, never itself, each a button to its card."""
    chat = update.effective_chat
    if chat is None:  # a card shared inline: there is no chat to answer in
        return
    lang = await chat_language(update, context)
    hits = await similar(runtime(context), paper, SIMILAR_SHOWN)
    shown = render_similar(paper, hits, lang)
    await context.bot.send_message(
        chat.id, shown.text, reply_markup=shown.keyboard, message_thread_id=_thread_of(update)
    )


def _thread_of(update: Update) -> int | None:
    message = update.effective_message
    return message.message_thread_id if message is not None and message.is_topic_message else None


async def page_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ or ▶: another page of the same search, in place; another chat's token is refused."""
    query = update.callback_query
    if await refused_outside_chat(update, context):
        return
    request = callbacks.parse(query.data)
    rt = runtime(context)
    saved = None
    if isinstance(request, callbacks.SearchPageRequest):
        saved = await search_sessions.load(rt.db, request.token, update.effective_chat.id)
    if saved is None:
        with use(await chat_language(update, context)):
            await query.answer(_("This search has expired; send /search again."))
        return
    text, lang = saved
    lang = lang or await chat_language(update, context)
    offset = (request.page - 1) * PER_PAGE
    semantic = semantic_search(rt)
    page = await search_papers(
        rt.db, text, lang=lang, limit=PER_PAGE, offset=offset, semantic=semantic
    )
    shown = render_search_page(page, text, request.token, request.page, lang, PER_PAGE)
    await query.answer()
    await edit_unless_unchanged(query, shown.text, shown.keyboard)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("search", search))
    app.add_handler(CallbackQueryHandler(page_button, pattern=r"^search:"))
