"""Papers as RIS, the tagged format EndNote, Zotero and Mendeley all import.

Each paper is an unpublished work (`TY  - UNPB`: a preprint) with its title, one `AU` per
author (surname first), year and date of first submission, abstract, abstract page, DOI when
arXiv has one, `PB  - arXiv`, the arXiv id as the accession number (`AN  - arXiv:2406.01234`,
which Zotero keeps as the archive ID), a note naming id, version and primary category, and the
categories as keywords. Lines end in CR LF, as the format began; text is UTF-8; a value never
spans two lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.export.fields import first_day, person
from storage.models import Paper


def ris(papers: Iterable[Paper]) -> str:
    """The papers as a .ris file's text, in their order."""
    return "".join(record(paper) for paper in papers)


def record(paper: Paper) -> str:
    day = first_day(paper)
    lines = [
        ("TY", "UNPB"),
        ("TI", paper.title),
        *(("AU", _author(name)) for name in paper.authors),
        ("PY", str(day.year) if day else ""),
        ("DA", f"{day:%Y/%m/%d}" if day else ""),
        ("AB", paper.abstract),
        ("UR", f"https://arxiv.org/abs/{paper.arxiv_id}"),
        ("DO", paper.doi or ""),
        ("PB", "arXiv"),
        ("AN", f"arXiv:{paper.arxiv_id}"),
        ("N1", _note(paper)),
        *(("KW", category) for category in paper.categories),
    ]
    tagged = [f"{tag}  - {_one_line(value)}" for tag, value in lines if _one_line(value)]
    return "\r\n".join([*tagged, "ER  - ", ""])


def _author(name: str) -> str:
    parsed = person(name)
    return parsed.citation if parsed is not None else " ".join(name.split())


def _note(paper: Paper) -> str:
    note = f"arXiv:{paper.versioned_id}"
    return f"{note} [{paper.primary_category}]" if paper.primary_category else note


def _one_line(text: str) -> str:
    return " ".join(text.split())
