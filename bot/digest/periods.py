"""Fortnights: fixed 14-day periods anchored on an epoch Monday, and when a chat's push is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.dates import zone

LENGTH = timedelta(days=14)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """Monday `start` to Sunday `end`, both included."""

    start: date

    @property
    def end(self) -> date:
        return self.start + LENGTH - timedelta(days=1)

    @property
    def closes(self) -> date:
        """The first day after the period: pushes for it are due from then on."""
        return self.start + LENGTH

    def next(self) -> Period:
        return Period(self.start + LENGTH)

    def previous(self) -> Period:
        return Period(self.start - LENGTH)

    def starts_at(self) -> datetime:
        """The period's first instant in UTC (announcement dates are stored in UTC)."""
        return datetime.combine(self.start, time(), UTC)

    def ends_at(self) -> datetime:
        """The instant after the period's last, in UTC: papers announced before it belong."""
        return datetime.combine(self.closes, time(), UTC)


def period_of(moment: date | datetime, epoch: date) -> Period:
    """The period containing a day, or an instant (a naive one is taken as UTC)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        moment = moment.date()
    if epoch.weekday() != 0:
        raise ValueError(f"the epoch {epoch} is not a Monday")
    offset = (moment - epoch).days // LENGTH.days
    return Period(epoch + offset * LENGTH)


def due_at(period: Period, timezone: str, weekday: int, hour: int) -> datetime:
    """When a chat's push for `period` is due, in UTC.

    The first `weekday` on or after the day the period closes, at `hour` local time. A local
    hour that a daylight-saving change skips is read with the offset before the change, so it
    still names exactly one instant (02:00 in Berlin on the spring change is 03:00 CEST).
    """
    day = period.closes + timedelta(days=(weekday - period.closes.weekday()) % 7)
    local = datetime.combine(day, time(hour), zone(timezone))
    return local.astimezone(UTC)


def latest_due(
    now: datetime, epoch: date, timezone: str, weekday: int, hour: int
) -> tuple[Period, datetime]:
    """The newest period whose push is due at or before `now`, and that due instant."""
    period = period_of(now, epoch).previous()
    due = due_at(period, timezone, weekday, hour)
    while due > now:
        period = period.previous()
        due = due_at(period, timezone, weekday, hour)
    return period, due


def next_due(
    now: datetime, epoch: date, timezone: str, weekday: int, hour: int
) -> tuple[Period, datetime]:
    """The oldest period whose push falls due after `now`, and when."""
    period, _ = latest_due(now, epoch, timezone, weekday, hour)
    period = period.next()
    return period, due_at(period, timezone, weekday, hour)
