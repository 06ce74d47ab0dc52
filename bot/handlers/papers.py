"""Paper cards: `/paper <id or link>`, and the card's buttons (open, other language, similar
papers). A button that sends a message sends it once for a double tap."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.arxiv_ids import to_deep_link
from bot.handlers.card_buttons import card_as_seen
from bot.handlers.context import chat_language, edit_unless_unchanged, runtime
from bot.handlers.recent import Recent
from bot.handlers.search import show_similar
from bot.handlers.votes import remember_card
from bot.i18n import _, use
from bot.render import callbacks
from bot.render.papers import escape, render_card
from bot.search.cards import card_for

DOUBLE_TAP = 10.0  # seconds: a second press sooner is the first one's; later, a new request
PRESSES_KEPT = 64  # a chat's latest presses remembered for that


async def send_card(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Reply with the card of the paper `text` names, or say why there is none."""
    lang = await chat_language(update, context)
    view = await card_for(runtime(context), text, context.bot.username)
    with use(lang):
        if view is None:
            await update.effective_message.reply_text(
                _(
                    "I don't know the paper “{text}”. Check the id, or search for it with /search."
                ).format(text=escape(text[:100]))
            )
            return
        card = render_card(await card_as_seen(update, context, view), lang)
        sent = await update.effective_message.reply_text(card.text, reply_markup=card.keyboard)
    await remember_card(context, sent, view.paper, lang)


async def paper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/paper <arXiv id or URL>: the paper card."""
    if len(context.args) != 1:
        with use(await chat_language(update, context)):
            await update.effective_message.reply_text(
                escape(_("Usage: /paper <arXiv id or link>, for example /paper 2406.15877"))
            )
        return
    await send_card(update, context, context.args[0])


async def card_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A card's button: open a card, or show the same card in the other language in place."""
    query = update.callback_query
    data = callbacks.parse(query.data)
    rt = runtime(context)
    view = None
    if isinstance(data, callbacks.OpenCard | callbacks.CardLanguage | callbacks.SimilarPapers):
        view = await card_for(rt, data.arxiv_id, context.bot.username)
    if view is None:
        with use(await chat_language(update, context)):
            await query.answer(_("This button has expired."), show_alert=False)
        return
    if isinstance(data, callbacks.CardLanguage):
        await query.answer()
        card = render_card(await card_as_seen(update, context, view), data.lang)
        # Works alike for a card in a chat and one shared inline (by inline_message_id)
        await edit_unless_unchanged(query, card.text, card.keyboard)
        if update.effective_message is not None and update.effective_chat is not None:
            await remember_card(context, update.effective_message, view.paper, data.lang)
        return
    if update.effective_message is None or update.effective_chat is None:
        # A card shared inline lives in a chat the bot may not be in: continue in private
        url = f"https://t.me/{context.bot.username}?start={to_deep_link(data.arxiv_id)}"
        await query.answer(url=url)
        return
    lang = await chat_language(update, context)
    if _tapped_again(context, update.effective_message.message_id, query.data):
        with use(lang):
            await query.answer(_("Already sent above."))
        return
    await query.answer()
    if isinstance(data, callbacks.SimilarPapers):
        await show_similar(update, context, view.paper)
        return
    card = render_card(await card_as_seen(update, context, view), lang)
    sent = await update.effective_message.reply_text(card.text, reply_markup=card.keyboard)
    await remember_card(context, sent, view.paper, lang)


def _tapped_again(context: ContextTypes.DEFAULT_TYPE, message_id: int, data: str) -> bool:
    """Whether this button of this message was pressed moments ago: its answer is on its way."""
    recent = context.chat_data.setdefault("card_presses", Recent(DOUBLE_TAP, PRESSES_KEPT))
    if recent.get((message_id, data)) is not None:
        return True
    recent.put((message_id, data), True)
    return False


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any button no other handler took (forged, or from an older version): say so."""
    with use(await chat_language(update, context)):
        await update.callback_query.answer(_("This button has expired."))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("paper", paper))
    app.add_handler(CallbackQueryHandler(card_button, pattern=r"^card:(open|lang|similar):"))


def register_fallback(app: Application) -> None:
    """Registered after every other button handler: in one group only the first match runs."""
    app.add_handler(CallbackQueryHandler(expired_button))
