"""Votes on papers: the 👍 / 👎 / 🔖 buttons of every card, and 👍 / 👎 reactions to a card.

A vote belongs to the chat it was given in and to its voter: a group's counts are its members'
together, a private chat's are its reader's. A card shared inline counts its own voters and
keeps each vote under the voter's private chat too. An anonymous admin votes as the group.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageReactionHandler

from bot.handlers.card_buttons import keyboard_in_chat, redraw
from bot.handlers.context import chat_language, runtime
from bot.i18n import _, use
from bot.render import callbacks
from bot.runtime import Runtime
from storage import papers, votes
from storage.models import Paper

log = logging.getLogger("bot.handlers.votes")
ANONYMOUS_ADMIN_ID = 1087968824  # GroupAnonymousBot: an admin acting as the group
REACTION_VOTES = {"👍": "up", "👎": "down"}


async def remember_card(
    context: ContextTypes.DEFAULT_TYPE, sent: Message, paper: Paper, lang: str
) -> None:
    """Note which paper a card message shows, so that reactions to it count as votes."""
    await votes.remember_card(runtime(context).db, sent.chat_id, sent.message_id, paper.id, lang)


async def vote_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍, 👎 or 🔖 under a card: counted, or taken back when pressed again."""
    query = update.callback_query
    data = callbacks.parse(query.data)
    rt = runtime(context)
    paper = await papers.get(rt.db, data.arxiv_id) if isinstance(data, callbacks.Vote) else None
    reachable = query.inline_message_id is not None or update.effective_chat is not None
    with use(await chat_language(update, context)):
        if paper is None or not reachable or query.from_user is None:
            await query.answer(_("This button has expired."))
            return
        outcome = await _record(rt, update, paper, data.action)
        await query.answer(_outcome_text(outcome, inline=query.inline_message_id is not None))
    if update.effective_message is not None and update.effective_chat is not None:
        await remember_card(context, update.effective_message, paper, data.lang)
    elif query.inline_message_id is None:
        return  # a message Telegram no longer hands over cannot be redrawn; the vote counts
    await redraw(update, context, paper, data.lang)


async def reaction(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A 👍 or 👎 reaction set on (or taken off) a card counts as that vote."""
    changed = update.message_reaction
    rt = runtime(context)
    card = await votes.card_message(rt.db, changed.chat.id, changed.message_id)
    vote = _reaction_vote(changed.old_reaction, changed.new_reaction)
    voter = changed.actor_chat or changed.user  # an anonymous admin reacts as the group
    if card is None or vote is None or voter is None:
        return
    paper_id, lang = card
    await votes.set_vote(
        rt.db, changed.chat.id, voter.id, paper_id, None if vote == "none" else vote
    )
    paper = (await papers.get_by_rowids(rt.db, [paper_id])).get(paper_id)
    if paper is None:
        return
    keyboard = await keyboard_in_chat(rt, changed.chat.id, paper, lang)
    try:
        await context.bot.edit_message_reply_markup(
            changed.chat.id, changed.message_id, reply_markup=keyboard
        )
    except BadRequest as error:  # the counts stay right in storage; the next press redraws
        log.info("could not redraw the card's votes after a reaction: %s", error.message)


async def _record(rt: Runtime, update: Update, paper: Paper, action: str) -> str:
    """Store the press; what holds now: "up", "down", "none", "saved" or "unsaved"."""
    query = update.callback_query
    user_id = query.from_user.id
    if query.inline_message_id is not None:
        if action == "save":  # a card shared inline saves into the presser's private chat
            saved = await votes.toggle_saved(rt.db, user_id, paper.id, user_id)
            return "saved" if saved else "unsaved"
        return await votes.toggle_inline_vote(
            rt.db, query.inline_message_id, user_id, paper.id, action
        )
    chat_id = update.effective_chat.id
    voter = _voter(update)
    if action == "save":
        saved = await votes.toggle_saved(rt.db, chat_id, paper.id, voter)
        return "saved" if saved else "unsaved"
    return await votes.toggle_vote(rt.db, chat_id, voter, paper.id, action)


def _voter(update: Update) -> int:
    user = update.effective_user
    if user.id == ANONYMOUS_ADMIN_ID:
        return update.effective_chat.id
    return user.id


def _outcome_text(outcome: str, *, inline: bool) -> str:
    if outcome == "up":
        return _("👍 Counted. Press again to take it back.")
    if outcome == "down":
        return _("👎 Counted. Press again to take it back.")
    if outcome == "saved" and inline:
        return _("🔖 Saved in your private chat with me.")
    if outcome == "saved":
        return _("🔖 Saved for this chat.")
    if outcome == "unsaved":
        return _("Removed from the saved papers.")
    return _("Your vote is taken back.")


def _reaction_vote(old: tuple, new: tuple) -> str | None:
    """The vote a change of reactions means, or None when it touches neither 👍 nor 👎."""
    before = {REACTION_VOTES.get(getattr(r, "emoji", None)) for r in old} - {None}
    after = {REACTION_VOTES.get(getattr(r, "emoji", None)) for r in new} - {None}
    added = after - before
    if len(added) == 1:
        return added.pop()
    if before and not after:
        return "none"
    return None


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(vote_button, pattern=r"^vote:"))
    app.add_handler(MessageReactionHandler(reaction))
