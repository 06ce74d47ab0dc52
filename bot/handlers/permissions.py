"""Who may change a chat's subscriptions and settings: anyone in private, admins in groups."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ContextTypes

from bot.handlers.context import runtime
from storage import chat_admins

ADMIN_ANSWER_KEPT = timedelta(minutes=5)  # long enough to spare Telegram, short enough to follow


async def may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the person behind this update may change the chat's subscriptions or settings."""
    chat = update.effective_chat
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.message
    if message is not None and message.sender_chat is not None:
        # An anonymous admin speaks as the group itself; a linked channel does not count.
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    db = runtime(context).db
    cached = await chat_admins.cached(db, chat.id, user.id, ADMIN_ANSWER_KEPT)
    if cached is not None:
        return cached
    member = await context.bot.get_chat_member(chat.id, user.id)
    is_admin = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
    await chat_admins.remember(db, chat.id, user.id, is_admin)
    return is_admin
