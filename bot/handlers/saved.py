"""`/saved`: the chat's saved papers (🔖), eight a page, each a tap from its card, removable.

In a group the list is the group's: every member's 🔖 together, as the cards show them, and any
member may remove one, as any member may press 🔖 again on its card.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.handlers.context import chat_language, edit_unless_unchanged, pressed, runtime
from bot.i18n import _, use
from bot.render import saved as saved_view
from bot.render.papers import RenderedMessage
from storage import papers, saved, votes
from storage.db import Database


async def saved_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/saved: the first page of the chat's saved papers."""
    lang = await chat_language(update, context)
    shown = await _page(runtime(context).db, update.effective_chat.id, 1, lang, removing=False)
    await update.effective_message.reply_text(shown.text, reply_markup=shown.keyboard)


async def saved_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶, remove mode and ✖ under the list: the list redrawn in place."""
    press = await pressed(update, context, saved_view.parse)
    if press is None:
        return
    request, lang = press
    query = update.callback_query
    db = runtime(context).db
    chat_id = update.effective_chat.id
    toast = None
    if isinstance(request, saved_view.RemoveSaved):
        paper = await papers.get(db, request.arxiv_id)
        if paper is not None:
            await votes.unsave(db, chat_id, paper.id)
            with use(lang):
                toast = _("Removed “{title}”.").format(title=_shortened(paper.title))
    removing = not isinstance(request, saved_view.ShowSaved) or request.removing
    shown = await _page(db, chat_id, request.page, lang, removing=removing)
    await query.answer(toast)
    await edit_unless_unchanged(query, shown.text, shown.keyboard)


async def _page(
    db: Database, chat_id: int, page: int, lang: str, *, removing: bool
) -> RenderedMessage:
    """That page, or the last one when papers were removed since the button was drawn."""
    total = await saved.count(db, chat_id)
    page = min(page, saved_view.page_count(total))
    found = await saved.page(db, chat_id, saved_view.PER_PAGE, (page - 1) * saved_view.PER_PAGE)
    return saved_view.render_saved(
        found.total, found.papers, page, lang, removing=removing, known=found.known
    )


def _shortened(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def register(app: Application) -> None:
    app.add_handler(CommandHandler("saved", saved_command))
    app.add_handler(CallbackQueryHandler(saved_button, pattern=r"^saved:"))
