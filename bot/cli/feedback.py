"""`digestbot feedback CHAT_ID ARXIV_ID up|down|save|clear [--user USER_ID]`: a vote recorded
as a reader would give it, for operators and scripts.

`up` and `down` replace the voter's earlier vote, `save` saves the paper for the chat, and
`clear` takes back the voter's vote and the chat's 🔖. Repeating a command changes nothing.
"""

from __future__ import annotations

import argparse

from bot.cli.data import emit
from bot.cli.failures import USAGE, WORK_FAILED, arxiv_ref, fail
from bot.config import Settings
from bot.i18n import _
from bot.runtime import open_runtime
from storage import chats, papers, votes
from storage.db import Database

ACTIONS = ("up", "down", "save", "clear")


def chat_id_arg(value: str) -> int:
    digits = value.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise argparse.ArgumentTypeError(_("a Telegram chat or user id, such as -1001234567890"))
    return int(value)


def add_parser(commands) -> argparse.ArgumentParser:
    """The `feedback` subcommand."""
    parser = commands.add_parser("feedback", help=_("record a reader's vote on a paper"))
    parser.add_argument("chat_id", type=chat_id_arg, metavar="CHAT_ID", help=_("the chat's id"))
    parser.add_argument("arxiv_id", metavar="ARXIV_ID", help=_("an arXiv id or link"))
    parser.add_argument("vote", choices=ACTIONS, help=_("up, down, save or clear"))
    parser.add_argument(
        "--user",
        type=chat_id_arg,
        metavar="USER_ID",
        help=_("the voter (default: the chat itself, as an anonymous group admin votes)"),
    )
    return parser


async def feedback(args: argparse.Namespace, settings: Settings) -> int:
    """Record the vote and print what was recorded."""
    ref = arxiv_ref(args, args.arxiv_id)
    if ref is None:
        return USAGE
    rt = await open_runtime(settings)
    try:
        paper = await papers.get(rt.db, ref.arxiv_id)
        if paper is None:
            fail(args, _("paper {id} is not known").format(id=ref.arxiv_id))
            return WORK_FAILED
        if await chats.get(rt.db, args.chat_id) is None:
            fail(
                args,
                _("chat {id} is not known: it has never written to the bot").format(
                    id=args.chat_id
                ),
            )
            return WORK_FAILED
        await _record(rt.db, args.chat_id, args.user, paper.id, args.vote)
    finally:
        await rt.close()
    obj = {"chat_id": args.chat_id, "arxiv_id": paper.arxiv_id, "vote": args.vote}
    emit(args, obj, _recorded_line(obj))
    return 0


async def _record(db: Database, chat_id: int, user: int | None, paper_id: int, action: str) -> None:
    voter = chat_id if user is None else user
    if action in ("up", "down"):
        await votes.set_vote(db, chat_id, voter, paper_id, action)
    elif action == "save":
        await votes.save(db, chat_id, paper_id, voter)
    else:
        await votes.set_vote(db, chat_id, voter, paper_id, None)
        await votes.unsave(db, chat_id, paper_id)


def _recorded_line(obj: dict) -> str:
    lines = {
        "up": _("👍 on {arxiv_id} in chat {chat_id}"),
        "down": _("👎 on {arxiv_id} in chat {chat_id}"),
        "save": _("🔖 {arxiv_id} saved in chat {chat_id}"),
        "clear": _("vote and 🔖 on {arxiv_id} cleared in chat {chat_id}"),
    }
    return lines[obj["vote"]].format(arxiv_id=obj["arxiv_id"], chat_id=obj["chat_id"])
