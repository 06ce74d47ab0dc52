"""Following authors: `/follow <name>`, `/following`, and the 👤 / ✓ buttons under cards.

A followed author's new papers get a section of the chat's digest ("From authors you
follow"); names match as bot.authors says. Following changes what a whole group receives, so
in a group only its administrators follow and unfollow, as they alone change its topics. A
card's button shows ✓ for an author the chat follows, pressed again to stop; the card's
buttons are redrawn after each press. A 👤 pressed on a card shared inline follows in the
presser's private chat.
"""

from __future__ import annotations

import logging

from telegram import Update, User
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import authors
from bot.digest import library
from bot.handlers import card_buttons
from bot.handlers.context import (
    chat_language,
    edit_unless_unchanged,
    refused_outside_chat,
    runtime,
)
from bot.handlers.permissions import may_change
from bot.i18n import _, use
from bot.ingest.normalize import clean_text
from bot.render import follow_buttons
from bot.render.following import render_following
from bot.render.papers import RenderedMessage, escape
from storage import chats, follows, papers, subscriptions
from storage.db import Database
from storage.models import Paper

log = logging.getLogger("bot.handlers.follows")
LISTS_KEPT = 3  # the chat's latest /following messages redrawn when a card or /follow changes it


async def follow_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/follow <author name>: the author's new papers in this chat's digest."""
    message = update.effective_message
    typed = clean_text(" ".join(context.args))  # as ingest cleans the names it stores
    lang = await chat_language(update, context)
    with use(lang):
        if not typed:
            await message.reply_text(escape(_usage()))
            return
        name = authors.parse(typed)
        if name is None:
            shown = typed if len(typed) <= 40 else typed[:39] + "…"
            refusal = _("“{name}” is not an author's name I can follow.").format(name=shown)
            await message.reply_text(escape(f"{refusal}\n{_usage()}"))
            return
        if not await may_change(update, context):
            await message.reply_text(escape(_admins_only()))
            return
        db = runtime(context).db
        chat_id = update.effective_chat.id
        outcome, answer = await _follow(db, chat_id, name, update.effective_user)
        if outcome == "followed" and name.surname_alone:
            answer += "\n" + _(
                "A surname alone counts every author named {surname}: add a first name or an "
                "initial to follow one person, as in /follow A. {surname}."
            ).format(surname=name.surname)
        if outcome == "followed" and not await subscriptions.for_chat(db, chat_id):
            answer += "\n" + _(
                "This chat takes no topic yet, so no digest comes: choose in /topics."
            )
        if update.effective_chat.type != ChatType.PRIVATE:
            answer += "\n" + _("Only the group's administrators can change whom it follows.")
        await message.reply_text(escape(answer))
    if outcome == "followed":
        await _redraw_lists(context, chat_id, lang)


async def following_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/following: the authors this chat follows, each with ✖."""
    lang = await chat_language(update, context)
    shown = await _listing(runtime(context).db, update.effective_chat.id, lang)
    sent = await update.effective_message.reply_text(shown.text, reply_markup=shown.keyboard)
    lists = context.chat_data.setdefault("following_lists", [])
    lists[:] = [*lists, sent.message_id][-LISTS_KEPT:]


async def follow_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👤 / ✓ under a card follows or stops following one of its authors; ✖ under /following
    stops following one."""
    query = update.callback_query
    request = follow_buttons.parse(query.data)
    lang = await chat_language(update, context)
    if isinstance(request, follow_buttons.Unfollow):
        await _unfollow(update, context, request.token, lang)
        return
    db = runtime(context).db
    paper, name = await _author_of(db, request)
    inline = update.effective_chat is None
    with use(lang):
        # A card shared inline shows no one followed, so never offers to stop: such data is forged
        if paper is None or name is None or (inline and not request.follow):
            await query.answer(_("This button has expired."))
            return
        if inline:  # the presser's private chat
            outcome, toast = await _follow(db, query.from_user.id, name, query.from_user, "inline")
            await query.answer(toast, show_alert=True)
            if outcome == "followed":
                await _redraw_lists(context, query.from_user.id, lang)
            return
        if not await may_change(update, context):
            await query.answer(_admins_only(), show_alert=True)
            return
        chat_id = update.effective_chat.id
        if request.follow:
            outcome, toast = await _follow(db, chat_id, name, query.from_user, "button")
            await query.answer(toast, show_alert=True)
            changed = outcome == "followed"
        else:
            dropped = await library.unfollow(db, chat_id, name)
            await query.answer(_stopped_text(dropped))
            changed = bool(dropped)
    if update.effective_message is not None:  # else too old for Telegram to hand over
        await card_buttons.redraw(update, context, paper, request.lang or lang)
    if changed:
        await _redraw_lists(context, chat_id, lang)


async def _author_of(
    db: Database, request: object
) -> tuple[Paper | None, authors.AuthorName | None]:
    """The paper and author a card's button names, or Nones for a forged or outdated one."""
    if not isinstance(request, follow_buttons.CardAuthor):
        return None, None
    paper = await papers.get(db, request.arxiv_id)
    if paper is None or request.position >= len(paper.authors):
        return None, None
    return paper, authors.parse(paper.authors[request.position])


async def _unfollow(
    update: Update, context: ContextTypes.DEFAULT_TYPE, token: str, lang: str
) -> None:
    query = update.callback_query
    if await refused_outside_chat(update, context):
        return
    db = runtime(context).db
    chat_id = update.effective_chat.id
    with use(lang):
        if not await may_change(update, context):
            await query.answer(_admins_only(), show_alert=True)
            return
        followed = await follows.of_chat(db, chat_id)
        found = [f for f in followed if follow_buttons.token(f.name_key) == token]
        if found:
            await follows.unfollow(db, chat_id, found[0].name_key)
            await query.answer(_("No longer following {name}.").format(name=_short(found[0].name)))
        else:  # a double tap, or a list drawn before someone else removed the name
            await query.answer(_("This chat does not follow that author any more."))
    shown = await _listing(db, chat_id, lang)
    await edit_unless_unchanged(query, shown.text, shown.keyboard)
    if found:
        await _redraw_lists(context, chat_id, lang, but=query.message.message_id)


async def _redraw_lists(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str, but: int | None = None
) -> None:
    """Show the chat's latest /following lists (`but` the one just redrawn) as its follows now
    stand; a list deleted or too old to edit is forgotten."""
    # The chat's own data, also when the press came from a card shared inline
    kept = context.application.chat_data.get(chat_id, {}).get("following_lists", [])
    lists = [m for m in kept if m != but]
    if not lists:
        return
    db = runtime(context).db
    stored = await chats.get(db, chat_id)
    shown = await _listing(db, chat_id, (stored and stored.language) or lang)
    for message_id in lists:
        try:
            await context.bot.edit_message_text(
                shown.text, chat_id=chat_id, message_id=message_id, reply_markup=shown.keyboard
            )
        except BadRequest as error:
            if "not modified" in error.message.lower():
                continue
            log.info("could not redraw a /following list: %s", error.message)
            kept.remove(message_id)


async def _follow(
    db: Database, chat_id: int, name: authors.AuthorName, user: User | None, brief: str = ""
) -> tuple[str, str]:
    """Follow `name` in the chat: the outcome (bot.digest.library.follow's) and what to tell the
    reader (in the language in use), `brief` enough for a button's answer (200 characters at
    most) under a card in the chat ("button") or shared inline ("inline")."""
    outcome, shown = await library.follow(db, chat_id, name, user.id if user else None)
    return outcome, _follow_text(outcome, shown, brief)


def _follow_text(outcome: str, shown: str, brief: str) -> str:
    if outcome == "already" and brief == "inline":
        return _(
            "You already follow {name} in your private chat with me; /following there lists "
            "and removes whom you follow."
        ).format(name=_short(shown))
    if outcome == "already":
        return _("This chat already follows {name}.").format(name=_short(shown))
    if outcome == "full" and brief == "inline":
        return _(
            "You follow {count} authors in your private chat with me, the most you can; remove "
            "one with /following there first."
        ).format(count=shown)
    if outcome == "full":
        return _(
            "This chat follows {count} authors, the most it can; remove one in /following first."
        ).format(count=shown)
    if brief == "inline":
        return _(
            "👤 Following {name} in your private chat with me: their new papers will appear in "
            "its digest."
        ).format(name=_short(shown))
    if brief:
        return _(
            "👤 Following {name}: their new papers will appear in this chat's digest. Press the "
            "button again to stop."
        ).format(name=_short(shown))
    return _(
        "👤 Following {name}: their new papers will appear in this chat's digest under "
        "“From authors you follow”. /following lists whom this chat follows."
    ).format(name=shown)


def _stopped_text(dropped: list[str]) -> str:
    if not dropped:  # a double tap, or a card drawn before someone else removed the name
        return _("This chat does not follow that author any more.")
    return _("No longer following {name}.").format(name=_short(", ".join(dropped)))


async def _listing(db: Database, chat_id: int, lang: str) -> RenderedMessage:
    followed = await follows.of_chat(db, chat_id)
    return render_following([(f.name_key, f.name) for f in followed], lang)


def _short(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _usage() -> str:
    return _(
        "Usage: /follow <author name>, for example /follow Yann LeCun or /follow LeCun, Yann. "
        "Accents, case and initials do not matter: Y. LeCun is the same author."
    )


def _admins_only() -> str:
    return _(
        "Only the group's administrators can choose whom the group follows, since it changes "
        "the group's digest. Follow authors for yourself in a private chat with me."
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("follow", follow_command))
    app.add_handler(CommandHandler("following", following_command))
    app.add_handler(CallbackQueryHandler(follow_button, pattern=r"^follow:"))
