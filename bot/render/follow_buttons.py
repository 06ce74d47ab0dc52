"""The card's 👤 buttons that follow its first authors, and the callback data of following.

    follow:add:<arxiv_id>:<position>    follow the paper's author at that position (0 or 1)
    follow:rm:<token>                   stop following the author whose name's token it is

A name can be 100 characters, more than a button carries, so a removal names the author by
a short hash of its normal form. Telegram hands callback data back verbatim: `parse` returns
None for anything this bot could not have packed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton

from bot import authors
from bot.i18n import _
from bot.render import callbacks
from bot.render.callbacks import MAX_BYTES, CallbackDataError
from storage.models import Paper

AUTHORS_FOLLOWED = 2  # buttons on a card: one row
LABEL_NAME = 16  # characters of a surname in a button
_TOKEN = re.compile(r"[0-9a-f]{10}")
_POSITIONS = {str(position) for position in range(AUTHORS_FOLLOWED)}


@dataclass(frozen=True, slots=True)
class FollowAuthor:
    arxiv_id: str
    position: int


@dataclass(frozen=True, slots=True)
class Unfollow:
    token: str


def token(name_key: str) -> str:
    """A followed name's short stand-in in a button."""
    return hashlib.sha256(name_key.encode("utf-8")).hexdigest()[:10]


def pack_follow(arxiv_id: str, position: int) -> str:
    callbacks.pack_open_card(arxiv_id)  # the same arXiv id check, or CallbackDataError
    if not 0 <= position < AUTHORS_FOLLOWED:
        raise CallbackDataError(f"author position {position} is outside 0..{AUTHORS_FOLLOWED - 1}")
    return f"follow:add:{arxiv_id}:{position}"


def pack_unfollow(name_key: str) -> str:
    return f"follow:rm:{token(name_key)}"


def parse(data: object) -> FollowAuthor | Unfollow | None:
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    fields = data.split(":")
    if fields[:2] == ["follow", "rm"] and len(fields) == 3 and _TOKEN.fullmatch(fields[2]):
        return Unfollow(fields[2])
    if fields[:2] != ["follow", "add"] or len(fields) != 4:
        return None
    arxiv_id, position = fields[2], fields[3]
    if position not in _POSITIONS:
        return None
    try:
        pack_follow(arxiv_id, int(position))
    except CallbackDataError:
        return None
    return FollowAuthor(arxiv_id, int(position))


def follow_row(paper: Paper) -> list[InlineKeyboardButton]:
    """👤 buttons for the paper's first authors (in the language in use)."""
    row = []
    for position, name in enumerate(paper.authors[:AUTHORS_FOLLOWED]):
        parsed = authors.parse(name)
        if parsed is None:
            continue
        surname = parsed.surname
        short = surname if len(surname) <= LABEL_NAME else surname[: LABEL_NAME - 1] + "…"
        label = "👤 " + _("Follow {name}").format(name=short)
        row.append(InlineKeyboardButton(label, callback_data=pack_follow(paper.arxiv_id, position)))
    return row
