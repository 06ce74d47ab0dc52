"""The Telegram application: built from settings, started and stopped, every handler registered."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import app_lifecycle, i18n
from bot.config import Settings, file_url
from bot.handlers import (
    digest,
    export,
    follows,
    imports,
    inline,
    issues,
    language,
    membership,
    menus,
    papers,
    plain_text,
    saved,
    search,
    start,
    stats,
    topics,
    turns,
    votes,
)
from bot.handlers import settings as chat_settings
from bot.handlers.context import chat_language
from bot.i18n import _, use
from bot.push.transport import AiohttpRequest, telegram_pace
from bot.runtime import Clock, open_runtime, system_clock
from bot.scheduler import Scheduler
from bot.search import semantic

log = logging.getLogger("bot.app")
ADMIN_ALERT_INTERVAL = 60.0  # seconds: operators hear of errors at most once a minute


def build_application(settings: Settings, *, clock: Clock = system_clock) -> Application:
    """The application, talking to `settings.api_base_url`, with every handler registered.

    `clock` is what the scheduled jobs take for now (tests travel in time with it).
    """
    app = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.api_base_url)
        .base_file_url(file_url(settings.api_base_url))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .request(AiohttpRequest())  # sends; getUpdates keeps PTB's own transport
        .rate_limiter(telegram_pace(settings.sends_per_second))
        # Concurrent, each chat in order, a budget per reader (bot/updates.py)
        .concurrent_updates(turns.UpdateTurns())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data["settings"] = settings
    app.bot_data["clock"] = clock
    app.bot_data["last_admin_alert"] = 0.0
    turns.register(app)
    # Group 0: commands and buttons, one module per feature.
    start.register(app)
    papers.register(app)
    votes.register(app)  # 👍 / 👎 / 🔖 on cards, and reactions to them
    saved.register(app)  # the chat's library: /saved
    export.register(app)  # … and /export as BibTeX or RIS
    follows.register(app)  # /follow, /following and the cards' 👤 buttons
    search.register(app)
    topics.register(app)
    language.register(app)
    chat_settings.register(app)
    digest.register(app)
    issues.register(app)
    stats.register(app)
    imports.register(app)  # operators: an editor's article as a document
    membership.register(app)
    inline.register(app)
    # Last in group 0: text and buttons that nothing above took.
    plain_text.register(app)
    papers.register_fallback(app)
    app.add_error_handler(on_error)
    return app


def run_polling(settings: Settings) -> int:
    """Poll until SIGINT or SIGTERM; post_shutdown closes the database on the way out."""
    return app_lifecycle.serve(build_application(settings), settings)


def run_webhook(settings: Settings) -> int:
    """Serve Telegram's webhook calls until SIGINT or SIGTERM, as run_polling does."""
    return app_lifecycle.serve(build_application(settings), settings, webhook_options(settings))


def webhook_options(settings: Settings) -> dict:
    """Arguments of `run_webhook` / `Updater.start_webhook` for the configured webhook."""
    url = settings.webhook_url
    if url is None:
        raise ValueError("webhook_options needs DIGESTBOT_WEBHOOK_URL")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        # A reverse proxy usually forwards the public path as it is
        "url_path": urlsplit(url).path.lstrip("/"),
        "webhook_url": url,
        # Without a configured secret, a fresh one per start still keeps strangers out
        "secret_token": settings.webhook_secret or secrets.token_urlsafe(32),
        "allowed_updates": Update.ALL_TYPES,
    }


async def post_init(app: Application) -> None:
    """Open the database with the topics, and publish the command menus by scope, in both
    languages."""
    i18n.load_all()
    app.bot_data["runtime"] = runtime = await open_runtime(app.bot_data["settings"])
    scheduler = app.bot_data["scheduler"] = Scheduler(app, runtime, app.bot_data["clock"])
    await scheduler.start()
    await menus.publish(app.bot)


async def post_shutdown(app: Application) -> None:
    """Close the database once updates have stopped."""
    runtime = app.bot_data.pop("runtime", None)
    if runtime is not None:
        await semantic.close(runtime)
        await runtime.close()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log first; then apologise to the user and tell the operators (at most once a minute)."""
    log.error("update %s failed", getattr(update, "update_id", None), exc_info=context.error)
    if isinstance(update, Update):
        await _apologise(update, context)
    settings: Settings = context.application.bot_data["settings"]
    now = time.monotonic()
    if (
        settings.admins
        and now - context.application.bot_data["last_admin_alert"] >= ADMIN_ALERT_INTERVAL
    ):
        context.application.bot_data["last_admin_alert"] = now
        for admin in settings.admins:
            await _send_quietly(
                context.bot.send_message(
                    admin, f"⚠️ {type(context.error).__name__}", parse_mode=None
                )
            )


async def _apologise(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # A button pressed on a card shared inline has no chat to write to: its answer says it.
    with use(await _language_or_default(update, context)):
        sorry = _("Sorry, something went wrong on my side. Please try again later.")
        if update.callback_query is not None:
            await _send_quietly(update.callback_query.answer(sorry))
        elif update.effective_message is not None and update.effective_chat is not None:
            await _send_quietly(update.effective_message.reply_text(sorry))


async def _send_quietly(sending: Awaitable[object]) -> None:
    # An operator who never opened a chat with the bot, or a user who blocked it, must not
    # turn one failed update into a second, unhandled one.
    try:
        await sending
    except TelegramError as error:
        log.warning("could not send the error notice: %s", error)


async def _language_or_default(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    try:
        return await chat_language(update, context)
    except Exception:  # the error may be the database itself
        return i18n.DEFAULT_LANGUAGE
