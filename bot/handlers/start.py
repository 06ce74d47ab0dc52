"""Welcome and help: `/start [paper_<id>]` with its buttons (language, topics, this
fortnight's digest), and `/help`."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.arxiv_ids import from_deep_link
from bot.digest.periods import period_of
from bot.handlers.context import (
    chat_language,
    edit_unless_unchanged,
    now,
    refused_outside_chat,
    runtime,
)
from bot.handlers.digest import show_digest
from bot.handlers.papers import send_card
from bot.handlers.permissions import may_change
from bot.handlers.topics import topics_command
from bot.i18n import _, use
from bot.render import welcome
from bot.render.papers import escape
from storage import chats

REMEMBERED_PRESSES = 50  # per chat: enough to catch a double tap on a welcome's digest button
# What any member of a group may do there; the rest of a group's commands change the group.
# Its saved papers (🔖) are every member's; whom it follows changes its digest: admins only.
GROUP_MEMBERS = (
    "help",
    "digest",
    "issues",
    "search",
    "paper",
    "subscriptions",
    "saved",
    "export",
    "following",
)
GROUP_ADMINS = ("topics", "subscribe", "unsubscribe", "settings", "lang", "follow")


def command_lines() -> list[tuple[str, str]]:
    """Each command and its one-line description, in the language in use."""
    return [
        ("start", _("welcome, and open shared paper links")),
        ("help", _("every command, one line each")),
        ("lang", _("the chat's language: /lang zh or /lang en")),
        ("topics", _("all topics, with buttons to subscribe")),
        ("subscribe", _('subscribe to topics or to "keyword queries"')),
        ("unsubscribe", _("unsubscribe from topics or queries")),
        ("subscriptions", _("what this chat receives")),
        ("settings", _("timezone, day and hour of the digest, empty topics")),
        ("digest", _("a fortnight's digest: /digest [topic] [2024-06 | 2024-06-24 | previous]")),
        ("issues", _("past issues, newest first, each a tap away")),
        ("search", _("search titles, abstracts, authors and summaries in both languages")),
        ("paper", _("a paper's card: /paper 2406.15877 or an arXiv link")),
        ("saved", _("the papers saved with 🔖, a page at a time")),
        ("export", _("the saved papers as a file: /export bibtex or /export ris")),
        ("follow", _("follow an author: /follow Yann LeCun")),
        ("following", _("the authors this chat follows")),
    ]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a welcome in the chat's language with buttons to begin; in a group, what the
    bot does there; `paper_<id>` opens that paper's card."""
    if context.args:
        ref = from_deep_link(context.args[0])
        if ref is not None:
            await send_card(update, context, ref.arxiv_id)
            return
    lang = await chat_language(update, context)
    message = update.effective_message
    if update.effective_chat.type != "private":
        await message.reply_text(welcome.group_start(lang))
        return
    name = update.effective_user.first_name if update.effective_user else ""
    shown = welcome.private_welcome(name, lang)
    await message.reply_text(shown.text, reply_markup=shown.keyboard)


async def welcome_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under the welcome: a language, the topic picker or this fortnight's digest."""
    query = update.callback_query
    if await refused_outside_chat(update, context):
        return
    pressed = welcome.parse(query.data)
    if isinstance(pressed, welcome.WelcomeLanguage):
        await _choose_language(update, context, pressed.lang)
    elif pressed == welcome.TOPICS:
        await query.answer()
        await topics_command(update, context)
    elif pressed == welcome.DIGEST and _first_press(context, query.message.message_id):
        await query.answer()
        rt = runtime(context)
        current = period_of(now(context), rt.settings.epoch)
        await show_digest(update, context, current, [], every_topic=True)
    else:
        with use(await chat_language(update, context)):
            if pressed == welcome.DIGEST:  # a double tap
                await query.answer(_("Already sent above."))
            else:
                await query.answer(_("This button has expired."))


async def _choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    query = update.callback_query
    # Records a chat the bot has not met; a refused press must not choose its language.
    current = await chat_language(update, context, adopt=False)
    if not await may_change(update, context):
        with use(current):
            await query.answer(_("Only the group's admins can change its settings."))
        return
    await chats.set_language(runtime(context).db, update.effective_chat.id, lang)
    await query.answer()
    shown = welcome.private_welcome(query.from_user.first_name, lang)
    await edit_unless_unchanged(query, shown.text, shown.keyboard)


def _first_press(context: ContextTypes.DEFAULT_TYPE, message_id: int) -> bool:
    """False for a second press of a welcome's digest button: the digest is on its way."""
    pressed = context.chat_data.setdefault("welcome_digests", [])
    if message_id in pressed:
        return False
    pressed.append(message_id)
    del pressed[:-REMEMBERED_PRESSES]
    return True


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: every command, one line each; in a group, the members' and then the admins'."""
    with use(await chat_language(update, context)):
        described = dict(command_lines())
        if update.effective_chat.type == "private":
            lines = _help_lines(described, described)
        else:
            admins = _("The group's admins also have:")
            lines = [
                *_help_lines(described, GROUP_MEMBERS),
                "",
                escape(admins),
                *_help_lines(described, GROUP_ADMINS),
            ]
        votes = _(
            "👍 👎 🔖 under a card record your vote (in a group, each member's) and save the "
            "paper; a digest's numbered buttons open its papers' cards. A 👍 or 👎 reaction "
            "on a card counts too; in a group Telegram tells me of reactions only if I am an admin."
        )
        taste = _(
            "After a few votes, this chat's digest puts papers like the ones it liked first and "
            "leaves out those voted down."
        )
        await update.effective_message.reply_text(
            "\n".join([*lines, "", escape(votes), escape(taste)])
        )


def _help_lines(described: dict[str, str], names: Iterable[str]) -> list[str]:
    return [f"/{name} — {escape(described[name])}" for name in names]


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CallbackQueryHandler(welcome_button, pattern=r"^start:"))
