"""Subcommands for the fortnightly digest: `digest` prints one, `push` runs a delivery pass."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from bot import i18n
from bot.cli import chat_digest
from bot.cli.data import emit, fail
from bot.cli.explain import explain_json, explain_text
from bot.config import Settings
from bot.digest.compose import compose
from bot.digest.periods import period_of
from bot.i18n import _
from bot.render.digest import render_digest
from bot.runtime import open_runtime
from bot.topics.config import resolve


def moment(value: str) -> datetime:
    """An ISO 8601 date or instant for --now; naive means UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not an ISO 8601 date or time, such as 2024-07-01T09:00+08:00")
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# A fortnight around any day in here, and the day its push is due, stay within the calendar
FIRST_DAY, LAST_DAY = date(1, 1, 15), date(9999, 12, 3)


def day(value: str) -> date:
    """A day of a fortnight, YYYY-MM-DD, far enough from the calendar's ends to count in."""
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a date such as 2024-06-17")) from None
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            _("{day} is too far from today: choose a day from {first} to {last}").format(
                day=value, first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
            )
        )
    return parsed


def add_parsers(commands, lang_arg) -> list[argparse.ArgumentParser]:
    """The `digest` and `push` subcommands."""
    digest = commands.add_parser("digest", help=_("print a fortnight's digest"))
    digest.add_argument(
        "--topic", action="append", default=[], metavar="T", help=_("a topic (default: all)")
    )
    digest.add_argument(
        "--chat",
        type=chat_digest.chat_id,
        metavar="CHAT_ID",
        help=_("the digest this chat would get: its topics, saved queries, language and ranking"),
    )
    digest.add_argument("--lang", type=lang_arg, help=_("the reader's language: zh or en"))
    digest.add_argument(
        "--period", type=day, metavar="YYYY-MM-DD", help=_("a day in the fortnight (default: now)")
    )
    digest.add_argument(
        "--explain",
        action="store_true",
        help=_("print each pick's score and its parts instead of the messages"),
    )
    push = commands.add_parser("push", help=_("send the digests that are due, once"))
    push.add_argument(
        "--now", type=moment, metavar="ISO-8601", help=_("act as of this moment (default: now)")
    )
    return [digest, push]


async def digest(args: argparse.Namespace, settings: Settings) -> int:
    """The digest of a period for some topics, as the Telegram messages a chat would get."""
    if args.chat is not None:
        return await chat_digest.run(args, settings)
    rt = await open_runtime(settings)
    try:
        chosen = []
        for word in args.topic:
            topic = resolve(rt.topics, word)
            if topic is None:
                fail(
                    args,
                    _("unknown topic “{topic}”; `digestbot topics` lists them").format(topic=word),
                )
                return 2
            chosen.append(topic.slug)
        lang = args.lang or i18n.current()
        period = period_of(args.period or datetime.now(UTC), settings.epoch)
        found = await compose(
            rt.db,
            period,
            rt.topics,
            topic_slugs=chosen or [t.slug for t in rt.topics],
            cap=settings.issue_size,
        )
    finally:
        await rt.close()
    parts = render_digest(found, lang)
    obj = {"period": [period.start.isoformat(), period.end.isoformat()], "parts": parts}
    if args.explain:
        obj["explain"] = explain_json(found, lang)
        emit(args, obj, explain_text(found, lang))
        return 0
    text = "\n\n".join(parts) or _("Nothing for these topics in {start} – {end}.").format(
        start=period.start.isoformat(), end=period.end.isoformat()
    )
    emit(args, obj, text)
    return 0


async def push(args: argparse.Namespace, settings: Settings) -> int:
    """One delivery pass as of --now: plan what is due, send every open part."""
    from bot.push.delivery import push_bot, push_pass  # only this subcommand loads Telegram

    settings.require_token()
    rt = await open_runtime(settings)
    try:
        bot = push_bot(settings)
        async with bot:
            report = await push_pass(rt, bot, args.now)
    finally:
        await rt.close()
    if report.busy:
        fail(args, _("another delivery pass is running on this database; nothing done"))
        return 1
    text = _(
        "{due} due, {sent} sent, {failed} failed, {paused} chats paused, {deferred} left for later"
    ).format(
        due=report.due,
        sent=report.sent,
        failed=report.failed,
        paused=report.paused_chats,
        deferred=report.deferred,
    )
    if report.failed_chats:
        text += "\n" + i18n.ngettext(
            "{n} chat skipped: its digest could not be planned (the log says why)",
            "{n} chats skipped: their digests could not be planned (the log says why)",
            report.failed_chats,
        ).format(n=report.failed_chats)
    emit(args, report.to_json(), text)
    return 0
