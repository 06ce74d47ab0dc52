"""What every handler needs first: the runtime, the chat's row and the language to answer in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import i18n
from bot.dates import format_datetime_local
from bot.i18n import _, use
from bot.push.plan import next_push_for
from bot.runtime import Runtime, system_clock
from storage import chats
from storage.chat_models import Chat, Subscription

Request = TypeVar("Request")


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    return context.application.bot_data["runtime"]


async def chat_language(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, adopt: bool = True
) -> str:
    """The language to answer in: the chat's, the same for every member of a group.

    A private chat without a saved language reads its user's Telegram language (zh* → zh).
    A group without one takes the language its topics were chosen in, else that of the first
    member who speaks to the bot there, and keeps it until an admin changes it with /lang,
    whoever presses a button later. With `adopt` false (/lang itself, which may be refused) the
    group keeps having none and the speaker is answered in theirs.
    Inline queries and cards shared inline belong to no chat: they read the user's language.
    """
    rt = runtime(context)
    chat = update.effective_chat
    user = update.effective_user
    spoken = user.language_code if user is not None else None
    if chat is None:
        return i18n.negotiate(spoken)
    stored = await chats.ensure(
        rt.db, chat.id, chat.type, chat.title, default_timezone=rt.settings.timezone
    )
    if stored.language:
        return stored.language
    if stored.type == "private":
        return i18n.negotiate(spoken)
    # The language its topics were chosen in (its pushes read it), else its first reader's;
    # an anonymous admin or a channel's post says none.
    first = stored.reader_language or (i18n.negotiate(spoken) if spoken else None)
    if first is None:
        return i18n.DEFAULT_LANGUAGE
    if not adopt:
        return first
    adopted = await chats.adopt_language(rt.db, chat.id, first)
    return adopted.language or first


async def refused_outside_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True, once the presser is told, when a button's message is out of reach: on a card
    shared inline (no chat of ours) or on a message too old for Telegram to hand over."""
    if update.effective_message is not None and update.effective_chat is not None:
        return False
    with use(await chat_language(update, context)):
        await update.callback_query.answer(_("This button has expired."))
    return True


async def pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    parse: Callable[[object], Request | None],
) -> tuple[Request, str] | None:
    """The button's request as `parse` reads its data, and the chat's language; None, once the
    presser is told, when the message is out of reach or the data is none `parse` knows."""
    if await refused_outside_chat(update, context):
        return None
    request = parse(update.callback_query.data)
    lang = await chat_language(update, context)
    if request is None:
        with use(lang):
            await update.callback_query.answer(_("This button has expired."))
        return None
    return request, lang


async def schedule_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The chat's subscriptions or delivery settings changed: its next push is looked at."""
    scheduler = context.application.bot_data.get("scheduler")
    if scheduler is not None and update.effective_chat is not None:
        await scheduler.chat_changed(update.effective_chat.id)


def now(context: ContextTypes.DEFAULT_TYPE) -> datetime:
    """The application's idea of now (tests may have moved its clock)."""
    return context.application.bot_data.get("clock", system_clock)()


async def next_push_text(
    context: ContextTypes.DEFAULT_TYPE, chat: Chat, subs: list[Subscription], lang: str
) -> str | None:
    """When the chat's next digest is due, in its timezone and language; None if never."""
    moment = now(context)
    when = await next_push_for(runtime(context), chat, subs, moment)
    if when is None:
        return None
    with use(lang):
        if when <= moment:
            return _("being sent now")
        return format_datetime_local(when, lang, chat.timezone)


async def edit_unless_unchanged(
    query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Edit the button's message; a second press of the same button changes nothing."""
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        # Telegram refuses an edit to the text already shown; there is nothing to tell.
        if "not modified" not in error.message.lower():
            raise
