"""Paged lists (/issues, /saved, /search results): how many pages a count fills, the line
saying which page is shown, and the ◀ ▶ buttons to the pages on either side of it."""

from __future__ import annotations

import math
from collections.abc import Callable

from telegram import InlineKeyboardButton

from bot.i18n import _


def page_count(total: int, per_page: int) -> int:
    """Pages that `total` items fill, at least one (an empty list still shows a page)."""
    return max(1, math.ceil(total / per_page))


def page_line(page: int, pages: int) -> str:
    """`Page 2 of 3`, or nothing when everything fits one page (there is nowhere to turn)."""
    if pages <= 1:
        return ""
    return _("Page {page} of {pages}").format(page=page, pages=pages)


def page_turns(
    page: int,
    pages: int,
    pack: Callable[[int], str],
    *,
    back: str = "◀",
    forward: str = "▶",
    between: InlineKeyboardButton | None = None,
) -> list[InlineKeyboardButton]:
    """◀ to the page before `page` (from 1) and ▶ to the one after, each only when there is
    one, with `between` in the middle; `pack` makes a page's callback data."""
    row = []
    if page > 1:
        row.append(InlineKeyboardButton(back, callback_data=pack(page - 1)))
    if between is not None:
        row.append(between)
    if page < pages:
        row.append(InlineKeyboardButton(forward, callback_data=pack(page + 1)))
    return row
