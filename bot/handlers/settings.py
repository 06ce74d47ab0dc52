"""Delivery settings: `/settings` shows them, `/settings KEY VALUE` changes one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.dates import weekday_name
from bot.handlers.context import chat_language, next_push_text, runtime, schedule_changed
from bot.handlers.permissions import may_change
from bot.i18n import _, use
from bot.reader_input import whole_number
from bot.render.papers import escape
from storage import chats, subscriptions
from storage.chat_models import Chat, InvalidSetting
from storage.db import Database

KEYS = ("timezone", "weekday", "hour", "empty")
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekday(text: str) -> int | None:
    """0 (Monday) to 6, an English day name or its first three letters, or 星期一 / 周一."""
    text = text.strip().lower()
    if (number := whole_number(text, 0, 6)) is not None:
        return number
    for index, name in enumerate(_WEEKDAYS_EN):
        if len(text) >= 3 and name.startswith(text):
            return index
        if text in (weekday_name(index, "zh"), weekday_name(index, "zh").replace("星期", "周")):
            return index
    return None


def describe(chat: Chat, lang: str, next_push: str | None = None) -> str:
    """The chat's settings and how to change them, in `lang`, with the next push if any."""
    with use(lang):
        empty = _("one short line") if chat.empty_topics == "line" else _("nothing")
        lines = [
            _("Settings of this chat"),
            _("Timezone: {tz}").format(tz=chat.timezone),
            _("Digest day and time: {day}, {hour:02d}:00").format(
                day=weekday_name(chat.delivery_weekday, lang), hour=chat.delivery_hour
            ),
            _("A topic with nothing new gets: {what}").format(what=empty),
        ]
        if next_push:
            lines.append(_("Next digest: {when}").format(when=next_push))
        lines += [
            "",
            _(
                "Change one with /settings timezone Europe/Berlin, /settings weekday monday, "
                "/settings hour 9 or /settings empty line (or skip)."
            ),
        ]
        return escape("\n".join(lines))


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings [timezone|weekday|hour|empty VALUE]."""
    rt = runtime(context)
    lang = await chat_language(update, context)
    chat_id = update.effective_chat.id
    if not context.args:
        await _show(update, context, await chats.get(rt.db, chat_id), lang)
        return
    with use(lang):
        if len(context.args) != 2 or context.args[0].lower() not in KEYS:
            await _reply(update, _("Usage: /settings timezone|weekday|hour|empty VALUE"))
            return
        if not await may_change(update, context):
            await _reply(update, _("Only the group's admins can change its settings."))
            return
        key, value = context.args[0].lower(), context.args[1]
        try:
            chat = await _change(rt.db, chat_id, key, value)
        except InvalidSetting:
            chat = None
        if chat is None:
            await _reply(
                update,
                _("“{value}” is not a valid {key}. Nothing was changed.").format(
                    value=value[:60], key=key[:20]
                ),
            )
            return
    await schedule_changed(update, context)
    await _show(update, context, chat, lang)


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, chat: Chat, lang: str) -> None:
    subs = await subscriptions.for_chat(runtime(context).db, chat.id)
    when = await next_push_text(context, chat, subs, lang)
    await update.effective_message.reply_text(describe(chat, lang, when))


async def _change(db: Database, chat_id: int, key: str, value: str) -> Chat | None:
    if key == "timezone":
        return await chats.set_timezone(db, chat_id, value)
    if key == "weekday":
        day = parse_weekday(value)
        return await chats.set_delivery(db, chat_id, weekday=day) if day is not None else None
    if key == "hour":
        hour = whole_number(value, 0, 23)
        return await chats.set_delivery(db, chat_id, hour=hour) if hour is not None else None
    if key == "empty" and value.lower() in ("skip", "line"):
        return await chats.set_empty_topics(db, chat_id, value.lower())
    return None


async def _reply(update: Update, text: str) -> None:
    await update.effective_message.reply_text(escape(text))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("settings", settings_command))
