"""Messages that are not one of the bot's commands.

In a private chat, text searches as /search does, an arXiv id or link opens its card, and an
unknown command gets a one-line hint. In a group the bot speaks only when spoken to: a
command addressed to it (`/cmd@thisbot`), a mention, or a reply to one of its messages.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.arxiv_ids import find_in
from bot.arxiv_ids import parse as parse_arxiv_id
from bot.handlers.context import chat_language
from bot.handlers.papers import send_card
from bot.handlers.search import search_for
from bot.i18n import _, use
from bot.render.papers import escape

COMMAND_SHOWN = 40  # characters of an unknown command echoed back


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text or an unknown command: answered in private, and in groups only when addressed."""
    message = update.effective_message
    if message.via_bot is not None:  # a card shared inline lands here too: not a request
        return
    command, addressee = _command(message)
    private = message.chat.type == ChatType.PRIVATE
    if command is not None:
        mine = addressee is not None and addressee.lower() == context.bot.username.lower()
        known = command[1:].lower() in _commands(context.application)
        if not known and (mine or (private and addressee is None)):
            await _unknown_command(update, context, command)
        return
    text = (message.text or "") if private else _addressed_text(message, context)
    if text is None:
        return
    await answer_text(update, context, text)


async def answer_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """A card when the text names an arXiv paper, else a search for it."""
    ref = parse_arxiv_id(text) or find_in(text)
    if ref is not None:
        await send_card(update, context, ref.arxiv_id)
    elif text.strip():
        await search_for(update, context, " ".join(text.split()))
    else:
        await hint(update, context)


def _commands(app: Application) -> set[str]:
    """Every command some handler takes, in any handler group."""
    return {
        name
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }


def _command(message: Message) -> tuple[str | None, str | None]:
    """(`/name`, `bot` of `@bot` or None) when the message starts with a command."""
    entities = message.entities or ()
    if not entities or entities[0].type != MessageEntity.BOT_COMMAND or entities[0].offset:
        return None, None
    command = message.parse_entity(entities[0])
    name, _, addressee = command.partition("@")
    return name, addressee or None


def _addressed_text(message: Message, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """In a group: the text without the bot's mention, when the bot is mentioned or replied
    to; None when the message is meant for the others."""
    text = message.text or ""
    me = "@" + context.bot.username.lower()
    mentioned = False
    for entity, value in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        if value.lower() == me or (entity.user is not None and entity.user.id == context.bot.id):
            text = text.replace(value, " ")
            mentioned = True
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    if mentioned or (author is not None and author.id == context.bot.id):
        return text
    return None


async def _unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    with use(await chat_language(update, context)):
        await update.effective_message.reply_text(
            escape(
                _("I don't know the command {command}. /help lists what I can do.").format(
                    command=name[:COMMAND_SHOWN]
                )
            )
        )


async def hint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot reads; for an empty mention, or a photo or uncaptioned file in private."""
    with use(await chat_language(update, context)):
        await update.effective_message.reply_text(
            escape(
                _(
                    "Send me words to search, an arXiv link to open its card, "
                    "or /help for every command."
                )
            )
        )


def register(app: Application) -> None:
    """After every command handler: only what none of them took arrives here."""
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_text))
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.StatusUpdate.ALL
            & ~filters.VIA_BOT,
            hint,
        )
    )
