"""What a feed may make the bot store: fields within their caps, dates a paper can have."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from bot.ingest import limits
from bot.ingest.service import ingest_bytes
from storage import papers
from storage.db import Database, available_migrations
from storage.models import Paper

HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel><title>t</title>'
)


def item(number: int, *, title: str, abstract: str, creators: str, date: str) -> str:
    arxiv_id = f"2406.{number:05d}"
    return (
        f"<item><title>{title}</title><link>https://arxiv.org/abs/{arxiv_id}</link>"
        f"<description>arXiv:{arxiv_id}v1 Announce Type: new Abstract: {abstract}</description>"
        f"<guid>oai:arXiv.org:{arxiv_id}v1</guid><category>cs.CL</category>"
        f"<pubDate>{date}</pubDate><dc:creator>{creators}</dc:creator></item>"
    )


def feed(*items: str) -> bytes:
    return (HEAD + "".join(items) + "</channel></rss>").encode()


SANE = {
    "title": "A sane title",
    "abstract": "A sane abstract.",
    "creators": "Wei Zhang, Maria Garcia",
    "date": "Tue, 25 Jun 2024 00:00:00 -0400",
}


async def test_a_feeds_huge_fields_are_stored_cut_to_their_caps_with_one_log_line(db, caplog):
    hostile = item(
        1,
        title="Word " * 200_000,
        abstract="Sentence of an abstract. " * 80_000,
        creators=", ".join(f"Author {n}" for n in range(5_000)) + ", " + "N" * 10_000,
        date=SANE["date"],
    )
    caplog.set_level(logging.WARNING, "bot.ingest")
    report = await ingest_bytes(db, feed(hostile, item(2, **SANE), item(3, **SANE)), "feed")
    assert (report.new, report.errors) == (3, [])
    stored = await papers.get(db, "2406.00001")
    assert len(stored.title) <= limits.TITLE_CHARS
    assert stored.title.startswith("Word Word")
    assert stored.title.endswith("Word…")
    assert len(stored.abstract) <= limits.ABSTRACT_CHARS
    assert len(stored.authors) == limits.AUTHORS
    assert stored.authors[:2] == ("Author 0", "Author 1")
    assert await papers.get(db, "2406.00002") == Paper(
        "2406.00002",
        1,
        "A sane title",
        ("Wei Zhang", "Maria Garcia"),
        "A sane abstract.",
        ("cs.CL",),
        announced=datetime(2024, 6, 25, 4, tzinfo=UTC),
        announce_type=None,
    )
    lines = [r.getMessage() for r in caplog.records if "cut to the caps" in r.getMessage()]
    assert lines == [
        "feed feed: cut to the caps or dates made unknown (implausible): "
        "abstract ×1, authors ×1, title ×1"
    ]


async def test_a_paper_dated_9999_is_stored_without_a_date_and_does_not_lead_the_latest(db):
    lying = item(1, **(SANE | {"date": "Fri, 31 Dec 9999 00:00:00 +0000"}))
    ancient = item(2, **(SANE | {"date": "Mon, 01 Jan 1900 00:00:00 +0000"}))
    await ingest_bytes(db, feed(item(3, **SANE)), "yesterday")
    await ingest_bytes(db, feed(lying, ancient, item(4, **SANE)), "today")
    assert (await papers.get(db, "2406.00001")).announced is None
    assert (await papers.get(db, "2406.00002")).announced is None
    first = [paper.arxiv_id for paper in await papers.latest(db, 10)]
    # An unknown date places a paper by when the bot first saw it: it sinks as newer ones come.
    assert first[-2:] == ["2406.00004", "2406.00003"]
    soon = format_datetime(datetime.now(UTC) + timedelta(hours=20))
    await ingest_bytes(db, feed(item(5, **(SANE | {"date": soon}))), "tomorrow")
    assert (await papers.latest(db, 1))[0].arxiv_id == "2406.00005"


def test_a_date_a_day_ahead_of_utc_is_believed_and_one_before_arxiv_is_not():
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert limits.plausible(tomorrow) == tomorrow
    assert limits.plausible(datetime(1991, 8, 14, tzinfo=UTC)) is not None
    assert limits.plausible(datetime(1990, 12, 31, tzinfo=UTC)) is None


async def test_upgrading_forgets_the_dates_that_lie_already_stored(tmp_path: Path):
    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    try:
        await db.migrate(available_migrations()[:5])
        when = datetime(9999, 12, 31, tzinfo=UTC)
        real = datetime(2024, 6, 25, 4, tzinfo=UTC)
        await papers.upsert(
            db,
            [
                Paper("2406.00001", 1, "Lies", announced=when, submitted=when, updated=when),
                Paper("2406.00002", 1, "True", announced=real),
            ],
        )
        await db.migrate()
        lying, true = await papers.get(db, "2406.00001"), await papers.get(db, "2406.00002")
    finally:
        await db.close()
    assert (lying.announced, lying.submitted, lying.updated) == (None, None, None)
    assert true.announced == real
