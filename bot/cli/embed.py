"""`digestbot embed [--limit N]`: embed the papers that have no embedding yet, newest first,
within DIGESTBOT_EMBEDDINGS_BUDGET (the bot does the same after each ingestion)."""

from __future__ import annotations

import argparse

from bot.cli.data import emit
from bot.cli.failures import USAGE, WORK_FAILED, fail
from bot.config import Settings
from bot.i18n import _, ngettext
from bot.runtime import open_runtime
from bot.search.embedding_run import configured, embed_pending


def _count(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 1_000_000:
        raise argparse.ArgumentTypeError(_("a whole number from 1 to 1000000"))
    return int(value)


def add_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "embed", help=_("embed new papers with the configured embeddings model")
    )
    parser.add_argument("--limit", type=_count, help=_("at most this many papers"))
    return parser


async def embed(args: argparse.Namespace, settings: Settings) -> int:
    """Embed what is pending and say how far it got."""
    if not configured(settings):
        fail(args, _("DIGESTBOT_EMBEDDINGS_MODEL is not set: there is no model to embed with"))
        return USAGE
    rt = await open_runtime(settings)
    try:
        report = await embed_pending(rt.db, settings, args.limit)
    finally:
        await rt.close()
    text = ngettext("{n} paper embedded", "{n} papers embedded", report.embedded).format(
        n=report.embedded
    )
    text += "; " + _("{n} still to embed").format(n=report.pending)
    if report.error:
        text += "\n" + _("error: {message}").format(message=report.error)
    emit(args, report.as_json(), text)
    return WORK_FAILED if report.error else 0
