"""The application's update processor: every update handed to bot.updates' fair turns, keyed
by its conversation and its sender, and the one "slow down" a flooding reader is sent."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseUpdateProcessor, CallbackContext

from bot.handlers.context import chat_language
from bot.i18n import _, use
from bot.push.transport import retrying_replies
from bot.render.papers import escape
from bot.updates import FairTurns

log = logging.getLogger(__name__)
_UNBOUNDED = 2**31  # PTB's own semaphore is kept out of the way: FairTurns bounds the work


class UpdateTurns(BaseUpdateProcessor):
    """Updates run concurrently, each chat's (and each user's inline queries) in order."""

    def __init__(self, turns: FairTurns | None = None) -> None:
        super().__init__(_UNBOUNDED)
        self.turns = turns or FairTurns()
        self.application: Application | None = None  # set by register(), for the reply

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            with retrying_replies():
                await self.turns.run(coroutine, lane=None, reader=None)
            return
        with retrying_replies():
            await self.turns.run(
                coroutine,
                lane=lane_of(update),
                reader=reader_of(update),
                # Telegram takes these answers for seconds only; a message can wait its turn
                urgent=update.inline_query is not None or update.callback_query is not None,
                on_flood=lambda: self._slow_down(update),
            )

    async def initialize(self) -> None:
        """Nothing to open: the turns are made on the first update."""

    async def shutdown(self) -> None:
        """Nothing to close: Application.stop has waited for the updates in hand."""

    async def _slow_down(self, update: Update) -> None:
        if self.application is None or update.inline_query is not None:
            return  # an inline query has no chat to answer in
        context = CallbackContext.from_update(update, self.application)
        try:
            with use(await chat_language(update, context)):
                text = _(
                    "You are sending requests faster than I can answer, so I skipped the "
                    "latest ones. Please wait a moment, then try again."
                )
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            elif update.effective_message is not None:
                await update.effective_message.reply_text(escape(text))
        except TelegramError as error:
            log.warning("could not ask %s to slow down: %s", reader_of(update), error)


def lane_of(update: Update) -> Hashable | None:
    """The conversation whose updates must keep their order: the chat, else the user's inline
    mode (queries and presses under messages sent through it belong to no chat)."""
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("inline", update.effective_user.id)
    return None


def reader_of(update: Update) -> Hashable | None:
    """Who asks: a person, or the chat an anonymous admin speaks as; None for what no reader
    asked for (the bot's own membership, a poll), which is never dropped."""
    if update.my_chat_member is not None or update.chat_member is not None:
        return None
    sender = update.effective_sender
    return None if sender is None else sender.id


def register(app: Application) -> None:
    """Let the processor answer a flood in the reader's language."""
    if isinstance(app.update_processor, UpdateTurns):
        app.update_processor.application = app
