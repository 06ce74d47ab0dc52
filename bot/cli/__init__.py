"""The `digestbot` command: parse arguments, load settings, dispatch to a subcommand. May import
every part but the handlers.

Exit codes: 0 done, 1 the work failed (a feed, an unknown paper), 2 bad usage or configuration.
With `--json` a subcommand prints exactly one JSON object on standard output; logs go to
standard error.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from bot import config, i18n, redaction
from bot.cli import (
    backfill,
    data,
    digests,
    embed,
    failures,
    feedback,
    imports,
    library,
    similar,
    summarize,
)
from bot.i18n import _
from bot.runtime import configure_logging

log = logging.getLogger("bot.cli")


def _lang_arg(value: str) -> str:
    if value not in i18n.LANGUAGES:
        raise argparse.ArgumentTypeError(_("choose zh or en"))
    return value


def _positive(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 1000:
        raise argparse.ArgumentTypeError(_("a whole number from 1 to 1000"))
    return int(value)


class _Parser(argparse.ArgumentParser):
    """Bad arguments become one line (and one JSON object with --json), as other failures."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.partition(" ")[2]
        raise failures.UsageError(f"{command}: {message}" if command else message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="digestbot",
        description=_("A fortnightly bilingual digest of AI/LLM papers, in Telegram."),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log progress"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help=_("fetch or read arXiv feeds and store papers"))
    ingest.add_argument(
        "--source", action="append", default=[], metavar="URL", help=_("a feed or API URL")
    )
    ingest.add_argument(
        "--file", action="append", default=[], metavar="PATH", help=_("a saved feed")
    )
    backfill.add_arguments(ingest)

    search = commands.add_parser("search", help=_("search the stored papers"))
    search.add_argument("query", help=_("words, an arXiv id or an arXiv link"))
    search.add_argument("--lang", type=_lang_arg, help=_("the reader's language: zh or en"))
    search.add_argument("--limit", type=_positive, default=10, help=_("how many results"))
    search.add_argument("--offset", type=int, default=0, help=_("skip this many results"))

    paper = commands.add_parser("paper", help=_("one paper's details"))
    paper.add_argument("id", help=_("an arXiv id or link"))
    paper.add_argument(
        "--offline", action="store_true", help=_("do not ask arXiv for unknown papers")
    )

    topics = commands.add_parser("topics", help=_("the topics and how many papers each has"))
    topics.add_argument(
        "--reassign",
        action="store_true",
        help=_("match every stored paper again (after the topics file changed)"),
    )

    import_ = imports.add_parser(commands, _lang_arg)

    summary = commands.add_parser(
        "summarize", help=_("summarize new papers in both languages with the configured model")
    )
    summary.add_argument("--limit", type=_positive, help=_("at most this many papers"))
    summary.add_argument(
        "--topic", metavar="SLUG", help=_("this topic's papers, whether or not a chat takes it")
    )

    commands.add_parser(
        "run", help=_("run the bot (long polling, or a webhook if DIGESTBOT_WEBHOOK_URL is set)")
    )

    backup = commands.add_parser("backup", help=_("write a consistent copy of the database"))
    backup.add_argument("path", help=_("the new file to write"))

    scheduled = digests.add_parsers(commands, _lang_arg)
    vote = feedback.add_parser(commands)
    library.add_parsers(commands)  # export, follow: their --json included
    like = similar.add_parser(commands, _positive)
    embedding = embed.add_parser(commands)

    chosen = (ingest, import_, search, paper, topics, summary, backup, *scheduled, vote, like)
    for sub in (*chosen, embedding):
        sub.add_argument("--json", action="store_true", help=_("print one JSON object"))
    return parser


HANDLERS = {
    "ingest": data.ingest,
    "import": imports.run,
    "search": data.search,
    "paper": data.paper,
    "topics": data.topics,
    "summarize": summarize.summarize,
    "backup": data.backup,
    "digest": digests.digest,
    "push": digests.push,
    "feedback": feedback.feedback,
    "export": library.export,
    "follow": library.follow,
    "similar": similar.similar,
    "embed": embed.embed,
}


def run_bot(settings: config.Settings) -> int:
    """Poll Telegram (or serve its webhook) until SIGINT or SIGTERM; the database is closed."""
    from bot import app  # the CLI's other commands never load Telegram

    if settings.webhook_url is None:
        return app.run_polling(settings)
    return app.run_webhook(settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit code."""
    i18n.set_current(i18n.negotiate(os.environ.get("LC_ALL") or os.environ.get("LANG")))
    argv = sys.argv[1:] if argv is None else list(argv)
    verbose = bool({"-v", "--verbose"} & set(argv))
    configure_logging(verbose)
    try:
        return _dispatch(argv)
    except BrokenPipeError:
        # The reader went away (`digestbot digest | head`): stop quietly, as `cat` would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return failures.WORK_FAILED
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the one place a failure becomes one line and one JSON object
        explained = failures.explain(exc)
        if explained is None:
            if verbose:
                log.error("the command failed", exc_info=exc)
            explained = (_internal_error(exc, verbose), failures.WORK_FAILED)
        failures.fail("--json" in argv, explained[0])
        return explained[1]


def _dispatch(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    settings = config.load()
    secrets = [settings.bot_token, settings.openai_api_key, settings.webhook_secret]
    redaction.hide([*secrets, settings.embeddings_api_key])
    if args.command == "run":
        code = run_bot(settings)
    else:
        code = asyncio.run(HANDLERS[args.command](args, settings))
    sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
    return code


def _internal_error(exc: BaseException, verbose: bool) -> str:
    line = _("internal error: {error}").format(error=f"{type(exc).__name__}: {exc}")
    if not verbose:
        line += " " + _("(run with -v for the traceback)")
    return line
