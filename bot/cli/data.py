"""Subcommands over the stored papers: ingest, search, paper, topics, backup."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from bot import i18n
from bot.arxiv_ids import parse as parse_arxiv_id
from bot.cli import backfill
from bot.cli.failures import USAGE, arxiv_ref, fail
from bot.config import Settings
from bot.i18n import _, ngettext
from bot.ingest import service as ingest_service
from bot.ingest.daily import ingest_configured
from bot.runtime import Runtime, open_runtime
from bot.search import semantic
from bot.search import service as search_service
from bot.summarize import offline as offline_summaries
from storage import papers as stored_papers
from storage import summaries as stored_summaries
from storage import topics as stored_topics
from storage.db import Database
from storage.models import Paper, Summary


def emit(args: argparse.Namespace, obj: dict, text: str) -> None:
    """The one JSON object with --json, the readable text otherwise."""
    if args.json:
        print(json.dumps(obj, ensure_ascii=False))
    else:
        print(text)


async def ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Fetch the given feeds (or the configured sources) and read the given files, or
    backfill a range of days."""
    if backfill.wanted(args):
        report = await backfill.run(args, settings)
        return _ingested(args, report)
    rt = await open_runtime(settings)
    try:
        sources = [*args.source, *(Path(p) for p in args.file)]
        if sources:
            report = await ingest_service.ingest_many(rt.db, sources, matcher=rt.matcher)
        else:
            today = datetime.now(UTC).date()
            report = await ingest_configured(rt.db, settings, today, matcher=rt.matcher)
        # Papers stored before the offline fallback existed get their extract once.
        await offline_summaries.fill_missing(rt.db)
    finally:
        await rt.close()
    return _ingested(args, report)


def _ingested(args: argparse.Namespace, report: ingest_service.IngestReport) -> int:
    obj = report.as_json()
    text = _("{new} new, {updated} updated, {unchanged} unchanged").format(
        new=report.new, updated=report.updated, unchanged=report.unchanged
    )
    if report.errors:
        text += "\n" + "\n".join(_("error: {message}").format(message=e) for e in report.errors)
    emit(args, obj, text)
    return 1 if report.errors else 0


async def search(args: argparse.Namespace, settings: Settings) -> int:
    """Full-text search, an arXiv id first."""
    rt = await open_runtime(settings)
    try:
        semantic.wait_for_index(rt)
        page = await search_service.search(
            rt.db,
            args.query,
            lang=args.lang,
            limit=args.limit,
            offset=max(0, args.offset),
            semantic=semantic.for_runtime(rt),
        )
    finally:
        await semantic.close(rt)
        await rt.close()
    obj = {
        "query": args.query,
        "total": page.total,
        "results": [
            {"arxiv_id": h.paper.arxiv_id, "title": h.paper.title, "score": round(h.score, 4)}
            for h in page.hits
        ],
    }
    if not page.hits:
        text = _("No papers match “{query}”.").format(query=args.query)
    else:
        if page.total_is_capped:
            count = _("More than {n} papers match; the newest are ranked.").format(n=page.total)
        else:
            count = ngettext("{n} paper matches", "{n} papers match", page.total)
            count = count.format(n=page.total)
        meaning = _("≈ close in meaning")
        lines = [
            f"{page.offset + i}. {h.paper.title}  [{h.paper.arxiv_id}]"
            + (f"  {meaning}" if h.by_meaning else "")
            for i, h in enumerate(page.hits, start=1)
        ]
        text = "\n".join([count, *lines])
    if page.translated:
        pairs = " · ".join(f"{said} → {other}" for said, other in page.translated)
        text += "\n" + _("Also searched: {terms}").format(terms=pairs)
    emit(args, obj, text)
    return 0


async def _find_paper(rt: Runtime, text: str, offline: bool) -> tuple[Paper | None, list[str]]:
    """The stored paper, looked up on arXiv first when unknown; and why a look-up failed."""
    ref = parse_arxiv_id(text)
    paper = await stored_papers.get(rt.db, ref.arxiv_id)
    if (paper is None or paper.version == 0) and not offline:
        report = await ingest_service.complete_metadata(
            rt.db, [ref.arxiv_id], matcher=rt.matcher, base=rt.settings.arxiv_api_url
        )
        paper = await stored_papers.get(rt.db, ref.arxiv_id)
        # arXiv answers an unknown id with an empty feed: that is "not known", not a failure.
        return paper, [str(p) for p in report.problems if p.kind != "empty"]
    return paper, []


async def paper(args: argparse.Namespace, settings: Settings) -> int:
    """One paper: its metadata, topics and summaries in both languages."""
    if arxiv_ref(args, args.id) is None:
        return USAGE
    rt = await open_runtime(settings)
    try:
        found, problems = await _find_paper(rt, args.id, args.offline)
        if found is None and problems:
            fail(
                args,
                _("paper {id} is not stored and arXiv could not be asked: {problem}").format(
                    id=args.id, problem=problems[0]
                ),
            )
            return 1
        if found is None:
            fail(args, _("paper {id} is not known").format(id=args.id))
            return 1
        summaries = await stored_summaries.for_paper(rt.db, found.id)
        slugs = (await stored_topics.for_papers(rt.db, [found.id])).get(found.id, [])
    finally:
        await rt.close()
    obj = {
        "arxiv_id": found.arxiv_id,
        "version": found.version,
        "title": found.title,
        "authors": list(found.authors),
        "categories": list(found.categories),
        "topics": slugs,
        "summaries": {lang: _summary_json(summaries.get(lang)) for lang in ("zh", "en")},
    }
    emit(args, obj, _paper_text(found, slugs, summaries))
    return 0


def _summary_json(summary: Summary | None) -> dict[str, str] | None:
    """A summary as `paper --json` prints it; a translation names the language it came from."""
    if summary is None:
        return None
    found = {"text": summary.text, "source": summary.source}
    if summary.translated_from:
        found["translated_from"] = summary.translated_from
    return found


def _paper_text(found: Paper, slugs: list[str], summaries: dict) -> str:
    lines = [found.title, ", ".join(found.authors), f"{found.abs_url}  {found.pdf_url}"]
    if found.categories:
        lines.append(" ".join(found.categories))
    if slugs:
        lines.append(_("Topics: {topics}").format(topics=", ".join(slugs)))
    own = summaries.get(i18n.current())
    if own:
        lines += ["", own.text]
    elif found.abstract:
        lines += ["", found.abstract]
    return "\n".join(lines)


async def topics(args: argparse.Namespace, settings: Settings) -> int:
    """The configured topics and how many papers each has."""
    rt = await open_runtime(settings)
    try:
        if args.reassign:
            seen = await ingest_service.reassign_topics(rt.db, rt.matcher)
            if not args.json:
                print(
                    ngettext("{n} paper matched again", "{n} papers matched again", seen).format(
                        n=seen
                    )
                )
        counts = await stored_topics.paper_counts(rt.db)
    finally:
        await rt.close()
    rows = [
        {
            "slug": t.slug,
            "name_zh": t.name_zh,
            "name_en": t.name_en,
            "papers": counts.get(t.slug, 0),
        }
        for t in rt.topics
    ]
    lang = i18n.current()
    text = "\n".join(
        f"{r['slug']:<14} {(r['name_zh'] if lang == 'zh' else r['name_en'])}  "
        + ngettext("{n} paper", "{n} papers", r["papers"]).format(n=r["papers"])
        for r in rows
    )
    emit(args, {"topics": rows}, text)
    return 0


async def backup(args: argparse.Namespace, settings: Settings) -> int:
    """A consistent copy of the database, safe while the bot runs."""
    if not await asyncio.to_thread(Path(settings.db_path).is_file):
        fail(args, _("there is no database at {path} to back up").format(path=settings.db_path))
        return 1
    db = await Database.open(settings.db_path, migrate=False)
    try:
        await db.backup(args.path)  # a failure is the dispatcher's to report
    finally:
        await db.close()
    emit(
        args,
        {"backup": str(args.path), "source": settings.db_path},
        _("Backed up {source} to {path}").format(source=settings.db_path, path=args.path),
    )
    return 0
