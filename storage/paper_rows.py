"""A paper as a `papers` row and back, and the rule by which a stored paper takes in news."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime

from storage.models import Paper

COLUMNS = (
    "arxiv_id, version, title, authors, abstract, categories, submitted_at, updated_at,"
    " announced_at, announce_type, doi, journal_ref, comment"
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def params(paper: Paper) -> tuple:
    return (
        paper.arxiv_id,
        paper.version,
        paper.title,
        json.dumps(list(paper.authors), ensure_ascii=False),
        paper.abstract,
        json.dumps(list(paper.categories)),
        _iso(paper.submitted),
        _iso(paper.updated),
        _iso(paper.announced),
        paper.announce_type,
        paper.doi,
        paper.journal_ref,
        paper.comment,
    )


def from_row(row: sqlite3.Row) -> Paper:
    """A `papers` row as a Paper."""
    return Paper(
        id=row["id"],
        arxiv_id=row["arxiv_id"],
        version=row["version"],
        title=row["title"],
        authors=tuple(json.loads(row["authors"])),
        abstract=row["abstract"],
        categories=tuple(json.loads(row["categories"])),
        submitted=_dt(row["submitted_at"]),
        updated=_dt(row["updated_at"]),
        announced=_dt(row["announced_at"]),
        announce_type=row["announce_type"],
        doi=row["doi"],
        journal_ref=row["journal_ref"],
        comment=row["comment"],
    )


def merge(stored: Paper, incoming: Paper) -> Paper:
    """What the stored paper becomes: versions move forward only, gaps are filled."""
    # Facts of the paper rather than of a version: the first submission and announcement
    # stay as first seen; identifiers and references fill in whenever they arrive.
    lasting = {
        "submitted": stored.submitted or incoming.submitted,
        "announced": stored.announced or incoming.announced,
        "announce_type": stored.announce_type or incoming.announce_type,
        "doi": stored.doi or incoming.doi,
        "journal_ref": stored.journal_ref or incoming.journal_ref,
    }
    if incoming.version > stored.version:
        return replace(incoming, id=stored.id, **lasting)
    if incoming.version < stored.version:
        return replace(stored, **lasting)
    return replace(
        stored,
        authors=stored.authors or incoming.authors,
        abstract=stored.abstract or incoming.abstract,
        categories=stored.categories or incoming.categories,
        updated=stored.updated or incoming.updated,
        comment=stored.comment or incoming.comment,
        **lasting,
    )
