"""`digestbot ingest --from YYYY-MM-DD [--to YYYY-MM-DD]`: an operator's backfill of past days
from the arXiv API and Hugging Face Daily Papers, resumed where an earlier run of the same range
stopped. A range that cannot be meant (reversed, before arXiv, longer than a year) is refused in
one line."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from bot.cli.digests import day
from bot.cli.failures import UsageError
from bot.config import Settings
from bot.i18n import _
from bot.ingest import backfill
from bot.ingest.service import IngestReport
from bot.runtime import open_runtime


def add_arguments(ingest: argparse.ArgumentParser) -> None:
    """The range options of `ingest`."""
    ingest.add_argument(
        "--from",
        dest="first_day",
        type=day,
        metavar="YYYY-MM-DD",
        help=_("backfill papers submitted from this day, from the arXiv API and Daily Papers"),
    )
    ingest.add_argument(
        "--to", dest="last_day", type=day, metavar="YYYY-MM-DD", help=_("to this day (today)")
    )


def wanted(args: argparse.Namespace) -> bool:
    """True when the command asks for a backfill; UsageError when it asks for it wrongly."""
    if args.first_day is None:
        if args.last_day is not None:
            raise UsageError(_("ingest: --to needs --from"))
        return False
    if args.source or args.file:
        raise UsageError(_("ingest: --from reads the configured sources, not --source or --file"))
    return True


def checked_range(args: argparse.Namespace, today: date) -> tuple[date, date]:
    """The days asked for, the last one today by default; UsageError for a silly range."""
    first, last = args.first_day, args.last_day or today
    if first > today:
        message = _("ingest: --from {first} is in the future")
    elif first > last:
        message = _("ingest: --from {first} is after --to {last}")
    elif first < backfill.ARXIV_BEGINS:
        message = _("ingest: --from {first} is before arXiv's first paper ({begins})")
    elif last - first >= backfill.LONGEST:
        message = _("ingest: {first} to {last} is more than a year; backfill a year at a time")
    else:
        return first, min(last, today)
    raise UsageError(message.format(first=first, last=last, begins=backfill.ARXIV_BEGINS))


async def run(args: argparse.Namespace, settings: Settings) -> IngestReport:
    """The range backfilled; its report."""
    today = datetime.now(UTC).date()
    first, last = checked_range(args, today)
    if not backfill.categories_of(settings.sources):
        raise UsageError(_("ingest: DIGESTBOT_SOURCES names no arXiv category to backfill"))
    rt = await open_runtime(settings)
    try:
        return await backfill.backfill_range(
            rt.db, settings, first, last, today=today, matcher=rt.matcher
        )
    finally:
        await rt.close()
