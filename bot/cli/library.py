"""`digestbot export CHAT_ID bibtex|ris [--output PATH]` and `digestbot follow CHAT_ID NAME
[--remove]`: a chat's library as readers see it, for operators and scripts.

`export` writes the chat's saved papers as the file `/export` sends (to standard output, or to
PATH); `follow` follows an author for the chat as `/follow` does (no admin check: the
operator decides), or stops following with `--remove`, and prints whom the chat follows.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot import authors
from bot.cli.data import emit
from bot.cli.failures import USAGE, WORK_FAILED, fail
from bot.cli.feedback import chat_id_arg
from bot.config import Settings
from bot.digest import library
from bot.export.bibtex import bibtex
from bot.export.ris import ris
from bot.i18n import _
from bot.runtime import open_runtime
from storage import chats, follows, saved
from storage.db import Database

WRITERS = {"bibtex": bibtex, "ris": ris}


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The `export` and `follow` subcommands."""
    export = commands.add_parser("export", help=_("a chat's saved papers as BibTeX or RIS"))
    export.add_argument("chat_id", type=chat_id_arg, metavar="CHAT_ID", help=_("the chat's id"))
    export.add_argument("format", choices=tuple(WRITERS), help=_("bibtex or ris"))
    export.add_argument("--output", metavar="PATH", help=_("write the file here"))
    follow = commands.add_parser("follow", help=_("follow an author for a chat"))
    follow.add_argument("chat_id", type=chat_id_arg, metavar="CHAT_ID", help=_("the chat's id"))
    follow.add_argument("name", nargs="+", metavar="NAME", help=_("the author's name"))
    follow.add_argument("--remove", action="store_true", help=_("stop following"))
    for sub in (export, follow):
        sub.add_argument("--json", action="store_true", help=_("print one JSON object"))
    return [export, follow]


async def export(args: argparse.Namespace, settings: Settings) -> int:
    """The chat's saved papers as a file, on standard output or at --output."""
    rt = await open_runtime(settings)
    try:
        if not await _known(args, rt.db):
            return WORK_FAILED
        found = await saved.all_papers(rt.db, args.chat_id)
    finally:
        await rt.close()
    text = WRITERS[args.format](found)
    obj = {"chat_id": args.chat_id, "format": args.format, "papers": len(found)}
    if args.output:
        try:
            await asyncio.to_thread(Path(args.output).write_text, text, encoding="utf-8")
        except OSError as error:
            fail(
                args,
                _("export: cannot write {path}: {error}").format(
                    path=args.output, error=error.strerror or error
                ),
            )
            return WORK_FAILED
        obj["output"] = args.output
        line = _("{n} saved papers of chat {chat_id} written to {path}")
        emit(args, obj, line.format(n=len(found), chat_id=args.chat_id, path=args.output))
    else:
        emit(args, {**obj, "content": text}, text)
    return 0


async def follow(args: argparse.Namespace, settings: Settings) -> int:
    """Follow (or with --remove stop following) an author for the chat; whom it follows."""
    name = authors.parse(" ".join(args.name))
    if name is None:
        fail(args, _("follow: “{name}” is not an author's name").format(name=" ".join(args.name)))
        return USAGE
    rt = await open_runtime(settings)
    try:
        if not await _known(args, rt.db):
            return WORK_FAILED
        if args.remove:
            await library.unfollow(rt.db, args.chat_id, name)
        else:
            outcome, count = await library.follow(rt.db, args.chat_id, name, None)
            if outcome == "full":
                fail(
                    args,
                    _("chat {id} follows {n} authors already, the most it can").format(
                        id=args.chat_id, n=count
                    ),
                )
                return WORK_FAILED
        names = [f.name for f in await follows.of_chat(rt.db, args.chat_id)]
    finally:
        await rt.close()
    text = _("chat {id} follows: {names}").format(id=args.chat_id, names="; ".join(names) or "—")
    emit(args, {"chat_id": args.chat_id, "following": names}, text)
    return 0


async def _known(args: argparse.Namespace, db: Database) -> bool:
    if await chats.get(db, args.chat_id) is not None:
        return True
    fail(args, _("chat {id} is not known: it has never written to the bot").format(id=args.chat_id))
    return False
