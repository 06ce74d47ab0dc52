"""Welcome and help: `/start [paper_<id>]` and `/help`."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.arxiv_ids import from_deep_link
from bot.handlers.context import chat_language
from bot.handlers.papers import send_card
from bot.i18n import _, use
from bot.render.papers import escape


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
    """/start: welcome in the user's language; `paper_<id>` opens that paper's card."""
    if context.args:
        ref = from_deep_link(context.args[0])
        if ref is not None:
            await send_card(update, context, ref.arxiv_id)
            return
    with use(await chat_language(update, context)):
        name = update.effective_user.first_name if update.effective_user else ""
        await update.effective_message.reply_text(
            _(
                "Hello, {name}! Every fortnight I send a digest of the AI and LLM papers "
                "that matter, grouped by topic, in Chinese or English. /help lists what I can do."
            ).format(name=escape(name))
        )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: every command, one line each."""
    with use(await chat_language(update, context)):
        lines = [f"/{command} — {escape(text)}" for command, text in command_lines()]
        votes = _(
            "👍 👎 🔖 under a card record your vote (in a group, each member's) and save the "
            "paper; a digest's numbered buttons open its papers' cards. A 👍 or 👎 reaction "
            "on a card counts too; in a group Telegram tells me of reactions only if I am an admin."
        )
        await update.effective_message.reply_text("\n".join([*lines, "", escape(votes)]))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
