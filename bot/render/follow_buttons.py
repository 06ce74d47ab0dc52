"""The card's 👤 buttons for its first authors, and the callback data of following.

    follow:add:<arxiv_id>:<position>[:<zh|en>]  follow the paper's author at that position
    follow:off:<arxiv_id>:<position>:<zh|en>    stop following that author
    follow:rm:<token>                           stop following the author of /following's ✖

A card's button says what pressing it will do, not a toggle: a card drawn before someone else
changed the chat's follows then does what its label promised. The language is the card's, so
its buttons are redrawn in it (cards from before it was carried have none). A name can be 100
characters, more than a button carries, so a removal from the list names the author by a short
hash of its normal form. Telegram hands callback data back verbatim: `parse` returns None for
anything this bot could not have packed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton

from bot import authors
from bot.i18n import _
from bot.render import callbacks
from bot.render.callbacks import LANGUAGES, MAX_BYTES, CallbackDataError
from storage.models import Paper

AUTHORS_FOLLOWED = 2  # buttons on a card: one row
LABEL_NAME = 16  # characters of a surname in a button
_TOKEN = re.compile(r"[0-9a-f]{10}")
_POSITIONS = {str(position) for position in range(AUTHORS_FOLLOWED)}


@dataclass(frozen=True, slots=True)
class CardAuthor:
    """A 👤 button under a card: follow (or stop following) one of the paper's first authors."""

    arxiv_id: str
    position: int
    follow: bool = True
    lang: str | None = None  # the card's language; None on cards from before it was carried


@dataclass(frozen=True, slots=True)
class Unfollow:
    token: str


def token(name_key: str) -> str:
    """A followed name's short stand-in in a button."""
    return hashlib.sha256(name_key.encode("utf-8")).hexdigest()[:10]


def pack_follow(arxiv_id: str, position: int, lang: str | None = None) -> str:
    return _pack("add", arxiv_id, position, lang)


def pack_stop_following(arxiv_id: str, position: int, lang: str) -> str:
    return _pack("off", arxiv_id, position, lang)


def pack_unfollow(name_key: str) -> str:
    return f"follow:rm:{token(name_key)}"


def parse(data: object) -> CardAuthor | Unfollow | None:
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    fields = data.split(":")
    if fields[:2] == ["follow", "rm"] and len(fields) == 3 and _TOKEN.fullmatch(fields[2]):
        return Unfollow(fields[2])
    if fields[:2] == ["follow", "add"] and len(fields) in (4, 5):
        return _card_author(fields[2], fields[3], fields[4] if len(fields) == 5 else None, True)
    if fields[:2] == ["follow", "off"] and len(fields) == 5:
        return _card_author(fields[2], fields[3], fields[4], False)
    return None


def follow_row(
    paper: Paper, lang: str, followed: Sequence[bool] | None = None
) -> list[InlineKeyboardButton]:
    """A button for each of the paper's first authors (labels in the language in use): ✓ for
    those `followed` says the chat follows, pressed to stop; 👤 for the others, pressed to
    follow. `followed` is None where the card cannot know (one shared inline is seen by many)."""
    row = []
    for position, name in enumerate(paper.authors[:AUTHORS_FOLLOWED]):
        parsed = authors.parse(name)
        if parsed is None:
            continue
        surname = parsed.surname
        short = surname if len(surname) <= LABEL_NAME else surname[: LABEL_NAME - 1] + "…"
        if followed is not None and position < len(followed) and followed[position]:
            label = "✓ " + _("Following {name}").format(name=short)
            data = pack_stop_following(paper.arxiv_id, position, lang)
        else:
            label = "👤 " + _("Follow {name}").format(name=short)
            data = pack_follow(paper.arxiv_id, position, lang)
        row.append(InlineKeyboardButton(label, callback_data=data))
    return row


def _pack(action: str, arxiv_id: str, position: int, lang: str | None) -> str:
    callbacks.pack_open_card(arxiv_id)  # the same arXiv id check, or CallbackDataError
    if not 0 <= position < AUTHORS_FOLLOWED:
        raise CallbackDataError(f"author position {position} is outside 0..{AUTHORS_FOLLOWED - 1}")
    if lang is not None and lang not in LANGUAGES:
        raise CallbackDataError(f"language {lang!r} is not one of {LANGUAGES}")
    fields = ["follow", action, arxiv_id, str(position), *([lang] if lang else [])]
    return ":".join(fields)


def _card_author(arxiv_id: str, position: str, lang: str | None, follow: bool) -> CardAuthor | None:
    if position not in _POSITIONS or (lang is not None and lang not in LANGUAGES):
        return None
    try:
        _pack("add", arxiv_id, int(position), lang)
    except CallbackDataError:
        return None
    return CardAuthor(arxiv_id, int(position), follow, lang)
