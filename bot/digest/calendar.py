"""The issues there are: every fortnight with papers, newest first, with how many papers were
announced in it and how many an editor picked, for `/issues` and a digest's ◀ ▶ buttons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from bot.digest.periods import Period, period_of
from storage import calendar
from storage.db import Database


@dataclass(frozen=True, slots=True)
class Fortnight:
    period: Period
    papers: int  # new papers announced in it
    picked: int  # papers an editor's article filed under it


async def fortnights(db: Database, epoch: date, until: Period) -> list[Fortnight]:
    """The fortnights up to `until` that have papers, newest first."""
    announced: Counter[Period] = Counter()
    for day, count in await calendar.announced_days(db):
        announced[period_of(day, epoch)] += count
    picked = {period_of(day, epoch): n for day, n in (await calendar.picked_periods(db)).items()}
    periods = sorted(set(announced) | set(picked), reverse=True)
    return [
        Fortnight(period, announced[period], picked.get(period, 0))
        for period in periods
        if period <= until
    ]
