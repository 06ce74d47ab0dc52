"""The ◀ ▶ row under the last message of a pushed digest, as `/digest` puts it under its own
(bot/render/digest_nav.py): labelled in the chat's language, ◀ only when an earlier issue
has papers, ▶ only when the next fortnight has begun. The buttons open the chat's
subscriptions' issue, so a push and /digest walk alike."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime

from bot.digest import calendar
from bot.digest.periods import Period, period_of
from bot.render import digest_nav
from storage import chats
from storage.db import Database


class PushNavigation:
    """What a delivery pass needs to draw the row: each chat's language and the issues there are."""

    def __init__(self, db: Database, epoch: date, now: datetime) -> None:
        self.db = db
        self.epoch = epoch
        self.current = period_of(now, epoch)
        self._languages: dict[int, str] = {}
        self._first_issue: date | None = None
        self._issues_read = False

    async def load(self, chat_ids: Sequence[int]) -> None:
        """Read what rows for these chats need (once per batch of the pass)."""
        if not self._issues_read:
            issues = await calendar.fortnights(self.db, self.epoch, self.current)
            self._first_issue = min((i.period.start for i in issues), default=None)
            self._issues_read = True
        self._languages.update(await chats.push_languages(self.db, chat_ids))

    def rows(self, chat_id: int, period_start: date) -> list[list[dict]]:
        """The row under a digest of this period sent to this chat; none when no way leads on."""
        period = Period(period_start)
        earlier = self._first_issue is not None and self._first_issue < period_start
        later = period < self.current
        lang = self._languages.get(chat_id, "en")
        return _rows(period, lang, earlier, later)


@functools.lru_cache(maxsize=256)
def _rows(period: Period, lang: str, earlier: bool, later: bool) -> list[list[dict]]:
    # Every chat of a pass shares a handful of rows: each is drawn once.
    keyboard = digest_nav.walk_keyboard(period, (), lang, earlier=earlier, later=later)
    return keyboard.to_dict()["inline_keyboard"] if keyboard is not None else []
