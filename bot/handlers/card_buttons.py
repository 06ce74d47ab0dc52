"""What a card's buttons show where it is shown: the votes of its chat (or of the card shared
inline) and which of its first authors the chat follows; and redrawing them after a press.

A card shared inline is seen by people who each follow their own authors, so its 👤 buttons
claim no one is followed: they follow in the presser's private chat.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.digest import library
from bot.handlers.context import runtime
from bot.render.follow_buttons import AUTHORS_FOLLOWED
from bot.render.papers import CardView, card_keyboard
from bot.runtime import Runtime
from storage import votes
from storage.models import Paper, VoteTally

log = logging.getLogger("bot.handlers.card_buttons")


async def card_as_seen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, view: CardView
) -> CardView:
    """The card as the chat (or the card shared inline) it is shown in sees it."""
    rt = runtime(context)
    paper = view.paper
    return replace(
        view, tally=await _tally(rt, update, paper.id), followed=await _followed(rt, update, paper)
    )


async def keyboard_in_chat(
    rt: Runtime, chat_id: int, paper: Paper, lang: str
) -> InlineKeyboardMarkup:
    """The buttons of the paper's card in a chat, its votes and followed authors as they stand."""
    tally = await votes.tally(rt.db, chat_id, paper.id)
    followed = await library.followed_among(rt.db, chat_id, paper.authors[:AUTHORS_FOLLOWED])
    return card_keyboard(paper, lang, tally, followed)


async def redraw(
    update: Update, context: ContextTypes.DEFAULT_TYPE, paper: Paper, lang: str
) -> None:
    """Redraw the buttons of the card whose button was pressed, in place."""
    view = await card_as_seen(update, context, CardView(paper))
    keyboard = card_keyboard(paper, lang, view.tally, view.followed)
    try:
        await update.callback_query.edit_message_reply_markup(keyboard)
    except BadRequest as error:
        # A double tap's second redraw shows what is already there; a card deleted meanwhile
        # has nothing to redraw. The press itself is stored either way.
        if "not modified" not in error.message.lower():
            log.info("could not redraw the card's buttons: %s", error.message)


async def _tally(rt: Runtime, update: Update, paper_id: int) -> VoteTally:
    query = update.callback_query
    if query is not None and query.inline_message_id is not None:
        return await votes.inline_tally(rt.db, query.inline_message_id, paper_id)
    if update.effective_chat is None:  # an inline result being made: nobody voted on it yet
        return VoteTally()
    return await votes.tally(rt.db, update.effective_chat.id, paper_id)


async def _followed(rt: Runtime, update: Update, paper: Paper) -> tuple[bool, ...] | None:
    query = update.callback_query
    if update.effective_chat is None or (query is not None and query.inline_message_id):
        return None  # shared inline: whoever looks follows their own authors
    names = paper.authors[:AUTHORS_FOLLOWED]
    return await library.followed_among(rt.db, update.effective_chat.id, names)
