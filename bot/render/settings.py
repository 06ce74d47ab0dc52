"""The /settings message: a chat's delivery settings in its language, with a button for each.

One message shows the settings (`main`) or a picker for the weekday, the hour or the timezone;
every press edits it in place. Callback data (fields separated by `:`):

    set:view:<main|day|hour|tz>   show the settings, or a picker
    set:day:<0-6>                 deliver on that weekday (0 = Monday)
    set:hour:<0-23>               deliver at that local hour
    set:tz:<zone>                 the zone of one of the cities offered
    set:empty:<line|skip>         a topic with nothing new gets one short line, or nothing
    set:lang:<zh|en>              the chat's language
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dates import format_offset, weekday_name, zone
from bot.i18n import _, use
from bot.render.papers import RenderedMessage, escape
from bot.settings_words import CITIES, city_name
from storage.chat_models import Chat

VIEWS = ("main", "day", "hour", "tz")
HOURS_PER_ROW = 4
CITIES_PER_ROW = 3
_LANGUAGE_NAMES = {"zh": "中文", "en": "English"}  # each in itself, as /lang shows them
_CITY_ZONES = frozenset(name for name, _zh, _en in CITIES)


@dataclass(frozen=True, slots=True)
class SettingsPress:
    """A settings button: `field` is `view`, `weekday`, `hour`, `timezone`, `empty` or
    `language`, and `value` what it shows or sets."""

    field: str
    value: str | int


def parse(data: object) -> SettingsPress | None:
    """The settings button pressed, or None for data this bot could not have sent."""
    if not isinstance(data, str) or not data.isascii() or data.count(":") != 2:
        return None
    prefix, field, value = data.split(":")
    if prefix != "set":
        return None
    if field == "view" and value in VIEWS:
        return SettingsPress("view", value)
    if field in ("day", "hour") and value.isdigit() and len(value) <= 2:
        number = int(value)
        if number <= (6 if field == "day" else 23):
            return SettingsPress("weekday" if field == "day" else "hour", number)
        return None
    if field == "tz" and value in _CITY_ZONES:
        return SettingsPress("timezone", value)
    if field == "empty" and value in ("line", "skip"):
        return SettingsPress("empty", value)
    if field == "lang" and value in _LANGUAGE_NAMES:
        return SettingsPress("language", value)
    return None


def render_settings(
    chat: Chat,
    lang: str,
    moment: datetime,
    *,
    next_push: str | None = None,
    view: str = "main",
    done: str | None = None,
) -> RenderedMessage:
    """The settings in `lang` with the buttons of `view`; `done` says what just changed."""
    with use(lang):
        lines = [f"✅ {escape(done)}", ""] if done else []
        title = escape(_("Delivery settings of this chat"))
        lines += [f"<b>{title}</b>", *_values(chat, lang, moment)]
        if next_push:
            lines.append("⏰ " + escape(_("Next digest: {when}").format(when=next_push)))
        lines += ["", escape(_prompt(chat, lang, view, moment))]
        return RenderedMessage("\n".join(lines), _keyboard(chat, lang, view, moment))


def zone_label(name: str, moment: datetime, lang: str) -> str:
    """A timezone as a reader names it: `上海（UTC+8）`, `Berlin (UTC+1)`, `UTC+5:30`."""
    offset = format_offset(moment.astimezone(zone(name)).utcoffset())
    if name == "UTC" or name.startswith("Etc/") or name.startswith("UTC"):
        return offset
    with use(lang):
        return _("{city} ({offset})").format(city=city_name(name, lang) or name, offset=offset)


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


def empty_label(chat: Chat) -> str:
    """What a topic with nothing new gets, in the current language."""
    return _("one short line") if chat.empty_topics == "line" else _("nothing")


def _values(chat: Chat, lang: str, moment: datetime) -> list[str]:
    language = _LANGUAGE_NAMES[lang]
    if chat.language is None:
        language = _("{language} (from your Telegram settings)").format(language=language)
    return [
        escape(line)
        for line in (
            _("🗓 Day: {day}").format(day=weekday_name(chat.delivery_weekday, lang)),
            _("🕘 Time: {time}").format(time=hour_label(chat.delivery_hour)),
            _("🌏 Timezone: {tz}").format(tz=zone_label(chat.timezone, moment, lang)),
            _("📭 A topic with nothing new gets: {what}").format(what=empty_label(chat)),
            _("🌐 Language: {language}").format(language=language),
        )
    ]


def _prompt(chat: Chat, lang: str, view: str, moment: datetime) -> str:
    if view == "day":
        return _("On which day should the digest arrive?")
    if view == "hour":
        return _("At what time should the digest arrive? The hours are {zone} time.").format(
            zone=zone_label(chat.timezone, moment, lang)
        )
    if view == "tz":
        return _(
            "Choose a city, or type /settings timezone followed by a city, an offset such as "
            "UTC+8 or a timezone name such as Asia/Tokyo."
        )
    return _(
        "Tap a button to change a setting, or type it: for example /settings timezone Tokyo, "
        "/settings weekday 5 (Friday) or /settings hour 21."
    )


def _keyboard(chat: Chat, lang: str, view: str, moment: datetime) -> InlineKeyboardMarkup:
    if view == "day":
        days = [
            _button(_marked(weekday_name(i, lang), i == chat.delivery_weekday), f"set:day:{i}")
            for i in range(7)
        ]
        return InlineKeyboardMarkup([days[:4], days[4:], _back()])
    if view == "hour":
        hours = [
            _button(_marked(hour_label(h), h == chat.delivery_hour), f"set:hour:{h}")
            for h in range(24)
        ]
        return InlineKeyboardMarkup([*_rows(hours, HOURS_PER_ROW), _back()])
    if view == "tz":
        cities = [
            _button(_marked(city_name(name, lang) or name, name == chat.timezone), f"set:tz:{name}")
            for name, _zh, _en in CITIES
        ]
        return InlineKeyboardMarkup([*_rows(cities, CITIES_PER_ROW), _back()])
    return _main_keyboard(chat, lang, moment)


def _main_keyboard(chat: Chat, lang: str, moment: datetime) -> InlineKeyboardMarkup:
    other = "en" if lang == "zh" else "zh"
    toggled = "skip" if chat.empty_topics == "line" else "line"
    return InlineKeyboardMarkup(
        [
            [
                _button(f"🗓 {weekday_name(chat.delivery_weekday, lang)}", "set:view:day"),
                _button(f"🕘 {hour_label(chat.delivery_hour)}", "set:view:hour"),
            ],
            [_button(f"🌏 {zone_label(chat.timezone, moment, lang)}", "set:view:tz")],
            [
                _button(
                    _("📭 Topics with nothing new: {what}").format(what=empty_label(chat)),
                    f"set:empty:{toggled}",
                )
            ],
            [_button(f"🌐 {_LANGUAGE_NAMES[other]}", f"set:lang:{other}")],
        ]
    )


def _marked(label: str, current: bool) -> str:
    return f"✓ {label}" if current else label


def _back() -> list[InlineKeyboardButton]:
    return [_button(_("‹ Back"), "set:view:main")]


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]
