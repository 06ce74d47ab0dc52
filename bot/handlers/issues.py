"""`/issues`: the fortnights that have papers, newest first, a page at a time; each opens its
digest (bot.handlers.digest's `walk` takes those buttons)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.digest import calendar
from bot.digest.periods import period_of
from bot.handlers.context import chat_language, edit_unless_unchanged, now, pressed, runtime
from bot.render import digest_nav
from bot.render.issues import render_issues


async def issues(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/issues: the newest fortnights that have papers, each a button to its digest."""
    message = await _page(context, 1, await chat_language(update, context))
    await update.effective_message.reply_text(message.text, reply_markup=message.keyboard)


async def page_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ Newer / Older ▶ under the list: that page, in place."""
    press = await pressed(update, context, _issues_page)
    if press is None:
        return
    request, lang = press
    query = update.callback_query
    await query.answer()
    message = await _page(context, request.page, lang)
    await edit_unless_unchanged(query, message.text, message.keyboard)


def _issues_page(data: object) -> digest_nav.IssuesPage | None:
    request = digest_nav.parse(data)
    return request if isinstance(request, digest_nav.IssuesPage) else None


async def _page(context: ContextTypes.DEFAULT_TYPE, page: int, lang: str):
    rt = runtime(context)
    current = period_of(now(context), rt.settings.epoch)
    found = await calendar.fortnights(rt.db, rt.settings.epoch, current)
    return render_issues(found, page, current, lang)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("issues", issues))
    app.add_handler(CallbackQueryHandler(page_button, pattern=r"^issues:"))
