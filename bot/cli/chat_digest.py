"""`digestbot digest --chat CHAT_ID [--period …] [--json] [--explain]`: the digest a chat would
get, composed as the push composes it: its subscriptions (topics and saved queries), its
language (unless --lang says otherwise) and its own ranking when its votes gave it one."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime

from bot.cli.data import emit
from bot.cli.explain import explain_json, explain_text
from bot.cli.failures import USAGE, WORK_FAILED, fail
from bot.config import Settings
from bot.digest import personal
from bot.digest.periods import period_of
from bot.digest.personal import ChatTaste
from bot.i18n import _, ngettext, use
from bot.push.plan import chat_digest, render_for
from bot.runtime import open_runtime
from storage import chats, subscriptions, taste_inputs


def chat_id(value: str) -> int:
    """A Telegram chat id: digits, negative for a group."""
    digits = value.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise argparse.ArgumentTypeError(_("a Telegram chat or user id, such as -1001234567890"))
    return int(value)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the chat's digest of the period (now by default)."""
    if args.topic:
        fail(args, _("--chat prints the chat's own subscriptions: leave out --topic"))
        return USAGE
    period = period_of(args.period or datetime.now(UTC), settings.epoch)
    rt = await open_runtime(settings)
    try:
        chat = await chats.get(rt.db, args.chat)
        if chat is None:
            line = _("chat {id} is not known: it has never written to the bot")
            fail(args, line.format(id=args.chat))
            return WORK_FAILED
        subs = await subscriptions.for_chat(rt.db, chat.id)
        taste = await personal.taste_of(rt.db, chat.id, model=settings.embeddings_model)
        votes = (await taste_inputs.verdicts(rt.db, [chat.id])).get(chat.id, {})
        found = await chat_digest(rt, chat, subs, period, taste=taste)
    finally:
        await rt.close()
    if args.lang:
        chat = replace(chat, language=args.lang)
    lang = chat.push_language
    parts = render_for(found, chat)
    obj = {"period": [period.start.isoformat(), period.end.isoformat()], "parts": parts}
    with use(lang):
        about = _ranking_line(chat.id, taste, votes)
        if args.explain:
            obj["explain"] = explain_json(found, lang)
            obj["ranking"] = _ranking_json(taste, votes)
            emit(args, obj, f"{about}\n\n{explain_text(found, lang)}")
            return 0
        if not subs:
            text = _("chat {id} has no subscriptions: it gets no digest").format(id=chat.id)
        else:
            text = "\n\n".join(parts) or _("Nothing for this chat in {start} – {end}.").format(
                start=period.start.isoformat(), end=period.end.isoformat()
            )
    emit(args, obj, text)
    return 0


def _ranking_line(chat_id: int, taste: ChatTaste | None, votes: dict[int, int]) -> str:
    """Whose ranking the chat gets, and from how many of its votes."""
    liked = sum(1 for v in votes.values() if v > 0)
    down = sum(1 for v in votes.values() if v < 0)
    counted = ngettext(
        "{n} paper voted on ({liked} liked, {down} voted down)",
        "{n} papers voted on ({liked} liked, {down} voted down)",
        liked + down,
    ).format(n=liked + down, liked=liked, down=down)
    if taste is None:
        line = _("chat {id}: the shared ranking; {votes}")
    elif taste.trained:
        line = _("chat {id}: its own ranking, the shared score plus its taste; {votes}")
    else:
        line = _("chat {id}: the shared ranking without the papers it voted down; {votes}")
    return line.format(id=chat_id, votes=counted)


def _ranking_json(taste: ChatTaste | None, votes: dict[int, int]) -> dict:
    return {
        "own": taste is not None,
        "taste": bool(taste and taste.trained),
        "liked": sum(1 for v in votes.values() if v > 0),
        "voted_down": sum(1 for v in votes.values() if v < 0),
    }
