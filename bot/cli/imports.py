"""`digestbot import FILE`: an editor's curated article into the digest of its fortnight."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot import i18n
from bot.cli.data import emit, fail
from bot.cli.digests import day
from bot.config import Settings
from bot.i18n import _
from bot.ingest import editor_import, import_report
from bot.runtime import open_runtime

log = logging.getLogger("bot.cli")


def add_parser(commands: argparse._SubParsersAction, lang_arg) -> argparse.ArgumentParser:
    """The `import` subcommand's arguments."""
    sub = commands.add_parser("import", help=_("import an editor's digest article"))
    sub.add_argument("file", help=_("the article, plain text or Markdown"))
    sub.add_argument("--lang", type=lang_arg, help=_("the article's language: zh or en"))
    sub.add_argument("--period", type=day, metavar="YYYY-MM-DD", help=_("a day of its fortnight"))
    sub.add_argument(
        "--offline", action="store_true", help=_("do not complete the papers from arXiv")
    )
    return sub


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Import the article; 1 when nothing could be imported or arXiv could not be asked."""
    try:
        text = await asyncio.to_thread(editor_import.read, args.file)
    except OSError as exc:
        fail(args, _("cannot read {path}: {error}").format(path=args.file, error=exc.strerror))
        return 2
    except editor_import.ArticleError as exc:
        fail(args, _("{path} is not an article: {error}").format(path=args.file, error=exc))
        return 2
    rt = await open_runtime(settings)
    try:
        report = await editor_import.import_article(
            rt, text, lang=args.lang, period_day=args.period, offline=args.offline
        )
    finally:
        await rt.close()
    for problem in report.problems:
        log.warning("metadata not completed: %s", problem)
    human = import_report.text(report, i18n.current())
    if not report.items:
        human = _("No item of this article could be imported.") + "\n\n" + human
    emit(args, report.as_json(), human)
    return 1 if report.problems or not report.items else 0
