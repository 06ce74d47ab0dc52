"""The bot's place in chats: kicked or blocked pauses a chat, added back resumes it, and a
group upgraded to a supergroup keeps its settings and subscriptions under the new id.
A group that adds the bot hears once what it does, in the language of whoever added it.
A member promoted or demoted takes effect at once: the admin-check cache follows."""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, ContextTypes, MessageHandler, filters

from bot.handlers.context import chat_language, runtime
from bot.render.welcome import group_welcome
from storage import chat_admins, chats

log = logging.getLogger("bot.membership")
_GONE = {ChatMemberStatus.BANNED, ChatMemberStatus.LEFT}
_ADMINS = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
_GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was removed, blocked or added back: pause or resume the chat."""
    change: ChatMemberUpdated = update.my_chat_member
    rt = runtime(context)
    chat = change.chat
    await chats.ensure(rt.db, chat.id, chat.type, chat.title, default_timezone=rt.settings.timezone)
    # Whatever changed for the bot, rights seen before are asked again.
    await chat_admins.forget(rt.db, chat.id)
    status = change.new_chat_member.status
    if status in _GONE:
        reason = "blocked" if chat.type == "private" else f"bot {status}"
        await chats.pause(rt.db, chat.id, reason)
        log.info("chat %s paused: %s", chat.id, reason)
    elif change.old_chat_member.status in _GONE:
        await chats.resume(rt.db, chat.id)
        log.info("chat %s resumed", chat.id)
        if chat.type in _GROUPS:  # added, not promoted: a promotion changes nothing to say
            await _welcome(update, context)


async def _welcome(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = update.my_chat_member.chat.id
    try:
        await context.bot.send_message(chat_id, group_welcome(await chat_language(update, context)))
    except TelegramError as error:  # a group where members may not post: the bot stays quiet
        log.info("could not welcome chat %s: %s", chat_id, error)


async def member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A member was promoted, demoted, left or was banned: remember their rights as they are now."""
    change: ChatMemberUpdated = update.chat_member
    member = change.new_chat_member
    is_admin = member.status in _ADMINS
    await chat_admins.remember(runtime(context).db, change.chat.id, member.user.id, is_admin)


async def migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup; either service message moves the chat, the second finds
    nothing left to move."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat.id
    if await chats.migrate(runtime(context).db, old, new):
        log.info("chat %s moved to %s", old, new)


def register(app: Application) -> None:
    app.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migration))
