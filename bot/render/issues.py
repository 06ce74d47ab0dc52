"""`/issues`: the fortnights that have papers, newest first, a page at a time, each a button
opening its digest, in the chat's language with its dates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import dates
from bot.digest.periods import Period
from bot.i18n import _, ngettext, use
from bot.render.digest_nav import pack_issue, pack_issues_page
from bot.render.paging import page_count, page_turns
from bot.render.papers import RenderedMessage, escape

if TYPE_CHECKING:  # render stays pure: the calendar itself reads storage
    from bot.digest.calendar import Fortnight

PER_PAGE = 8


def render_issues(
    found: Sequence[Fortnight], page: int, current: Period, lang: str
) -> RenderedMessage:
    """Page `page` (from 1, clamped) of the issues, each a button; ◀ ▶ between pages."""
    with use(lang):
        if not found:
            return RenderedMessage(escape(_("No papers yet, so no issues to list.")), None)
        total = page_count(len(found), PER_PAGE)
        page = min(max(page, 1), total)
        shown = found[(page - 1) * PER_PAGE : page * PER_PAGE]
        title = _("Past issues")
        lines = [f"<b>{escape(title)}</b>"]
        if total > 1:
            where = _("Page {page} of {pages}").format(page=page, pages=total)
            lines[0] += f" · {escape(where)}"
        lines.append(escape(_("Tap a fortnight to open its digest.")))
        rows = [[_issue_button(item, current, lang)] for item in shown]
        turns = page_turns(page, total, pack_issues_page, back=_("◀ Newer"), forward=_("Older ▶"))
        if turns:
            rows.append(turns)
        return RenderedMessage("\n".join(lines), InlineKeyboardMarkup(rows))


def _issue_button(item: Fortnight, current: Period, lang: str) -> InlineKeyboardButton:
    span = dates.format_period(item.period.start, item.period.end, lang)
    papers = max(item.papers, item.picked)
    count = ngettext("{n} paper", "{n} papers", papers).format(n=papers)
    parts = [span, count]
    if item.picked:
        parts.append(_("✍️ editor's picks"))
    if item.period == current:
        parts.append(_("in progress"))
    return InlineKeyboardButton(" · ".join(parts), callback_data=pack_issue(item.period))
