"""A typed setting (`/settings 时区 上海`) read as the value to store, or refused in the
reader's words: the setting named as they would name it, never an internal key."""

from __future__ import annotations

from dataclasses import dataclass

from bot import settings_words
from bot.i18n import _
from bot.reader_input import whole_number

SHOWN_CHARACTERS = 40  # of what the reader typed, quoted back in a refusal


@dataclass(frozen=True, slots=True)
class Change:
    """One setting to store: `timezone` (a zone name), `weekday` (0 = Monday), `hour`,
    `empty` (`line` or `skip`) or `language` (`zh` or `en`)."""

    setting: str
    value: str | int


class ChangeRefused(ValueError):
    """The value cannot be read; `reply` tells the reader why, in the current language."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def read_arguments(args: list[str]) -> Change:
    """The change `/settings ARGS` asks for; ChangeRefused with the usage, or with why the
    value cannot be read."""
    setting = settings_words.setting_named(args[0])
    change = guess_change(" ".join(args)) if setting is None else None
    if change is not None:
        return change
    if setting is None or len(args) == 1:
        raise ChangeRefused(
            _(
                "Usage: /settings timezone Shanghai, /settings weekday 1 (1–7 is Monday to "
                "Sunday), /settings hour 9 or /settings empty on (off). /settings alone shows "
                "buttons."
            )
        )
    return read_change(setting, " ".join(args[1:]))


def read_change(setting: str, text: str) -> Change:
    """The change `text` asks for `setting`; ChangeRefused when it cannot be read."""
    shown = text.strip()[:SHOWN_CHARACTERS]
    value = _READERS[setting](text)
    if value is None:
        raise ChangeRefused(_REFUSALS[setting]().format(value=shown))
    return Change(setting, value)


def guess_change(text: str) -> Change | None:
    """The change a value typed without its setting asks for, when only one setting reads it:
    `/settings 东京`, `/settings UTC+8`, `/settings 周五`, `/settings 21:00`, `/settings 中文`.
    A bare number could be a weekday or an hour, so it is no guess."""
    if whole_number(text, 0, 99) is not None:
        return None
    for setting in ("weekday", "hour", "language", "timezone"):
        try:
            value = _READERS[setting](text)
        except ChangeRefused:
            return None
        if value is not None:
            return Change(setting, value)
    return None


def _timezone(text: str) -> str | None:
    try:
        return settings_words.timezone(text)
    except settings_words.OffsetOutOfRange as out:
        raise ChangeRefused(
            _(
                "{value} is not an offset any place keeps: they run from UTC-12 to UTC+14. "
                "Nothing was changed."
            ).format(value=out.text)
        ) from None


def _empty(text: str) -> str | None:
    on = settings_words.switch(text)
    return None if on is None else ("line" if on else "skip")


_READERS = {
    "timezone": _timezone,
    "weekday": settings_words.weekday,
    "hour": settings_words.hour,
    "empty": _empty,
    "language": settings_words.language,
}
# Functions, so that each refusal is translated in the language current when it is made.
_REFUSALS = {
    "timezone": lambda: _(
        "I don't know the timezone “{value}”. Type a city (Shanghai, Tokyo, London), an offset "
        "such as UTC+8, or a timezone name such as Asia/Tokyo. Nothing was changed."
    ),
    "weekday": lambda: _(
        "“{value}” is not a day of the week. Type 1 to 7 (1 is Monday, 7 is Sunday) or a "
        "day's name, such as Friday. Nothing was changed."
    ),
    "hour": lambda: _(
        "“{value}” is not an hour of the day. Type a whole hour from 0 to 23, such as 9 or "
        "21:00. Nothing was changed."
    ),
    "empty": lambda: _(
        "Topics with nothing new can be on (one short line) or off (nothing); “{value}” is "
        "neither. Nothing was changed."
    ),
    "language": lambda: _(
        "“{value}” is not a language I write: choose 中文 or English. Nothing was changed."
    ),
}
