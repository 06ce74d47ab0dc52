"""What every handler needs first: the runtime, the chat's row and the language to answer in."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import i18n
from bot.runtime import Runtime
from storage import chats


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    return context.application.bot_data["runtime"]


async def chat_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The chat's saved language, else the user's Telegram language negotiated (zh* → zh)."""
    rt = runtime(context)
    chat = update.effective_chat
    if chat is None:  # inline queries and messages sent through them belong to no chat of ours
        user = update.effective_user
        return i18n.negotiate(user.language_code if user else None)
    stored = await chats.ensure(
        rt.db, chat.id, chat.type, chat.title, default_timezone=rt.settings.timezone
    )
    if stored.language:
        return stored.language
    user = update.effective_user
    return i18n.negotiate(user.language_code if user else None)
