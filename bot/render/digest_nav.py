"""Walking between issues: the ◀ ▶ buttons under a digest and their callback data.

    digest:<YYYYMMDD>:<scope>    open the issue of the fortnight starting that day, where
                                 scope is `-` (the chat's subscriptions) or topic slugs
                                 joined by `+`
    issues:<page>                a page (from 1) of the list of issues

Telegram hands callback data back verbatim, so `parse` takes anything and returns None for
what this bot could not have packed (a forged day, an unknown shape).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import dates
from bot.digest.periods import Period
from bot.i18n import _, use
from bot.render.callbacks import MAX_BYTES, CallbackDataError

SUBSCRIPTIONS = "-"
MAX_PAGE = 999
_SCOPE = re.compile(r"-|[a-z][a-z0-9_-]{0,31}(?:\+[a-z][a-z0-9_-]{0,31})*")
_DAY = re.compile(r"\d{8}")
_PAGE = re.compile(r"[1-9]\d{0,2}")


@dataclass(frozen=True, slots=True)
class OpenIssue:
    period_start: date
    slugs: tuple[str, ...]  # empty: the chat's subscriptions


@dataclass(frozen=True, slots=True)
class IssuesPage:
    page: int


def pack_issue(period: Period, slugs: Sequence[str] = ()) -> str:
    """The data of a button opening `period`'s issue of these topics (none: the chat's)."""
    scope = "+".join(slugs) or SUBSCRIPTIONS
    if not _SCOPE.fullmatch(scope):
        raise CallbackDataError(f"topic slugs {list(slugs)!r} are not valid slugs")
    return _checked(f"digest:{period.start:%Y%m%d}:{scope}")


def pack_issues_page(page: int) -> str:
    if not 1 <= page <= MAX_PAGE:
        raise CallbackDataError(f"issues page {page} is outside 1..{MAX_PAGE}")
    return _checked(f"issues:{page}")


def fits(slugs: Sequence[str]) -> bool:
    """Whether an issue of these topics can be packed in a button (else: subscriptions)."""
    try:
        pack_issue(Period(date(2000, 1, 3)), slugs)
    except CallbackDataError:
        return False
    return True


def parse(data: object) -> OpenIssue | IssuesPage | None:
    """The button pressed, or None for data this bot did not (or could not) have packed."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    fields = data.split(":")
    if fields[0] == "issues" and len(fields) == 2 and _PAGE.fullmatch(fields[1]):
        return IssuesPage(int(fields[1]))
    if fields[0] != "digest" or len(fields) != 3:
        return None
    _, day, scope = fields
    if not (_DAY.fullmatch(day) and _SCOPE.fullmatch(scope)):
        return None
    try:
        start = date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return None
    slugs = () if scope == SUBSCRIPTIONS else tuple(scope.split("+"))
    return OpenIssue(start, slugs)


def walk_keyboard(
    period: Period, slugs: Sequence[str], lang: str, *, earlier: bool, later: bool
) -> InlineKeyboardMarkup | None:
    """◀ the fortnight before · the fortnight after ▶, each shown only when there is one."""
    with use(lang):
        row = []
        if earlier:
            before = period.previous()
            label = _("◀ {period}").format(period=_span(before, lang))
            row.append(InlineKeyboardButton(label, callback_data=pack_issue(before, slugs)))
        if later:
            after = period.next()
            label = _("{period} ▶").format(period=_span(after, lang))
            row.append(InlineKeyboardButton(label, callback_data=pack_issue(after, slugs)))
        return InlineKeyboardMarkup([row]) if row else None


def _span(period: Period, lang: str) -> str:
    return dates.format_period(period.start, period.end, lang)


def _checked(data: str) -> str:
    size = len(data.encode("utf-8"))
    if size > MAX_BYTES:
        raise CallbackDataError(f"callback data {data!r} is {size} bytes, over {MAX_BYTES}")
    return data
