"""When arXiv announced a paper, worked out from when it was submitted, for papers read from the
export API (which says only when they were submitted): a digest's fortnight holds the papers
announced in it, so a backfilled paper needs the day its RSS item would have carried.

arXiv's schedule: a submission made before 14:00 New York time on a weekday goes out that
evening; a later one, or one made at the weekend, on the next weekday. The feeds date an
announcement the morning after (a Friday evening's one, the Monday), at 00:00 New York time.
Holidays are not known here; a paper they delay is dated a day or two early.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.models import Paper

ARXIV_TIME = ZoneInfo("America/New_York")
CUTOFF = time(14, 0)


def _next_weekday(day):
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def announced_after(submitted: datetime) -> datetime:
    """The announcement (as the RSS feeds date it, in UTC) of a paper submitted then."""
    local = submitted.astimezone(ARXIV_TIME)
    mailing = local.date()
    if local.weekday() >= 5 or local.time() >= CUTOFF:
        mailing = _next_weekday(mailing)
    return datetime.combine(_next_weekday(mailing), time(), ARXIV_TIME).astimezone(UTC)


def with_announcement(paper: Paper) -> Paper:
    """The paper, dated as announced when only its submission is known."""
    if paper.announced is not None or paper.submitted is None:
        return paper
    return replace(paper, announced=announced_after(paper.submitted))
