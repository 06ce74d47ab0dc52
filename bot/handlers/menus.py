"""The command menus Telegram shows beside the text field, by who is typing: a private chat
sees every command, a group's members the ones they may use, its admins those and the ones
that change the group (BotCommandScope), each in English and Chinese."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
)
from telegram.error import BadRequest, TelegramError

from bot import i18n
from bot.handlers.start import GROUP_ADMINS, GROUP_MEMBERS, command_lines
from bot.i18n import use

log = logging.getLogger("bot.menus")


def menus(lang: str) -> Iterator[tuple[BotCommandScope, list[BotCommand]]]:
    """Each scope with its commands, described in `lang`; private chats see them all."""
    with use(lang):
        lines = command_lines()
    every = [BotCommand(name, text) for name, text in lines]
    yield BotCommandScopeDefault(), every
    yield BotCommandScopeAllPrivateChats(), every
    yield BotCommandScopeAllGroupChats(), _only(every, GROUP_MEMBERS)
    yield BotCommandScopeAllChatAdministrators(), _only(every, {*GROUP_MEMBERS, *GROUP_ADMINS})


def _only(commands: list[BotCommand], names: Collection[str]) -> list[BotCommand]:
    return [command for command in commands if command.command in names]


async def publish(bot: Bot) -> None:
    """Set every menu in both languages (English for any other). A refusal is logged in one
    line, since the bot works without its menus; after a network failure the rest wait for
    the next start rather than hold this one up."""
    menus_by_lang = [(lang, list(menus(lang))) for lang in i18n.LANGUAGES]
    total = sum(len(scoped) for _, scoped in menus_by_lang)
    failed: list[str] = []
    try:
        for lang, scoped in menus_by_lang:
            code = None if lang == i18n.DEFAULT_LANGUAGE else lang
            for scope, commands in scoped:
                try:
                    await bot.set_my_commands(commands, scope=scope, language_code=code)
                except BadRequest as error:
                    failed.append(f"{scope.type} in {lang}: {error.message}")
    except TelegramError as error:  # the network, or Telegram itself, is down
        failed.append(f"stopped: {error}")
    if failed:
        log.warning(
            "could not publish %d of %d command menus: %s", len(failed), total, "; ".join(failed)
        )
