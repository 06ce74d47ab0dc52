"""The buttons under a digest message: one per paper it lists, numbered as the message numbers
them, each opening the paper's card, where 👍 / 👎 / 🔖 are. Two taps from digest to vote.

Read from the message itself, so a message keeps the buttons of the papers it holds however
the digest was split, and a stored push part gets them when it is sent.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import callbacks

PER_ROW = 5  # a paper number alone: five fit a phone's width
PER_ROW_NAMED = 3  # "3 · RAG": the topic's name in the label takes room
NAME_SHOWN = 8  # characters of a topic's name in a label

_HEADING = re.compile(r"<b>▍(?P<heading>.*?)</b>")
_ITEM = re.compile(r"^(?P<number>\d{1,3})\. <b>", re.MULTILINE)
_LINK = re.compile(r">arXiv:(?P<arxiv_id>[^<\s]+)</a>")
_ANY = re.compile(f"{_HEADING.pattern}|{_ITEM.pattern}|{_LINK.pattern}", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class _Entry:
    section: str | None  # the heading above it in this message, if any
    number: int
    arxiv_id: str


def digest_keyboard(message_html: str) -> InlineKeyboardMarkup | None:
    """One button per paper of a digest message (a row per topic); None when it lists none."""
    entries = _entries(message_html)
    if not entries:
        return None
    named = len({entry.section for entry in entries}) > 1
    rows: list[list[InlineKeyboardButton]] = []
    section: object = object()
    for entry in entries:
        per_row = PER_ROW_NAMED if named else PER_ROW
        if entry.section != section or len(rows[-1]) >= per_row:
            rows.append([])
            section = entry.section
        label = _label(entry, named)
        rows[-1].append(
            InlineKeyboardButton(label, callback_data=callbacks.pack_open_card(entry.arxiv_id))
        )
    return InlineKeyboardMarkup(rows)


def _entries(message_html: str) -> list[_Entry]:
    entries: list[_Entry] = []
    section: str | None = None
    number: int | None = None
    for match in _ANY.finditer(message_html):
        if match["heading"] is not None:
            section, number = html.unescape(match["heading"]), None
        elif match["number"] is not None:
            number = int(match["number"])
        elif number is not None and _packable(match["arxiv_id"]):
            entries.append(_Entry(section, number, html.unescape(match["arxiv_id"])))
            number = None  # one button per numbered paper
    return entries


def _packable(arxiv_id: str) -> bool:
    try:
        callbacks.pack_open_card(html.unescape(arxiv_id))
    except callbacks.CallbackDataError:
        return False
    return True


def _label(entry: _Entry, named: bool) -> str:
    if not named or entry.section is None:
        return str(entry.number)
    name = entry.section
    sign, _space, _rest = name.partition(" ")
    if _rest and not any(char.isalnum() for char in sign):  # "👤 From authors you follow"
        return f"{entry.number} · {sign}"
    short = name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 1] + "…"
    return f"{entry.number} · {short}"
