"""`/digest [topic…] [YYYY-MM | YYYY-MM-DD | previous]`: a fortnight's digest now, as the push
would write it, with ◀ ▶ buttons under it that open the issues before and after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import dates
from bot.digest import calendar, period_words, personal
from bot.digest.compose import compose
from bot.digest.periods import Period, period_of
from bot.handlers.context import chat_language, now, refused_outside_chat, runtime
from bot.i18n import _, use
from bot.render import digest_nav
from bot.render.digest import render_digest
from bot.render.digest_buttons import digest_keyboard
from bot.render.papers import escape
from bot.render.split import MESSAGE_LIMIT, visible_length
from bot.runtime import Runtime
from bot.topics.config import resolve
from storage import chats, subscriptions
from storage.models import Topic

REMEMBERED_PRESSES = 200  # per chat: enough to catch a double tap, small enough to keep


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest [topic…] [month | day | previous]: that fortnight's digest, this one by default."""
    rt = runtime(context)
    with use(await chat_language(update, context)):
        try:
            request, rest = period_words.read(context.args)
        except period_words.PeriodWordError as error:
            await _reply(update, escape(_bad_date(error.word)))
            return
        named, unknown = _topics(rt.topics, rest)
        if unknown:
            usage = _(
                "Unknown topic “{topic}”. Usage: /digest [topic] [2024-06 | 2024-06-24 | "
                "previous]; /topics lists them."
            )
            await _reply(update, escape(usage.format(topic=unknown[:40])))
            return
        current = period_of(now(context), rt.settings.epoch)
        meant = period_words.fortnights(request, now(context).date(), rt.settings.epoch)
        begun = [period for period in meant if period <= current]
        if not begun:
            later = _("That fortnight has not begun yet. /digest shows this one so far.")
            await _reply(update, escape(later))
            return
        note = None
        if len(begun) > 1:
            note = _("This month has {n} fortnights: here is the first, ▶ opens the next.")
            note = note.format(n=len(begun))
    await show_digest(update, context, begun[0], [topic.slug for topic in named], note=note)


async def walk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A ◀ ▶ button under a digest, or a fortnight in /issues: that issue's digest, sent."""
    query = update.callback_query
    if await refused_outside_chat(update, context):
        return
    request = digest_nav.parse(query.data)
    rt = runtime(context)
    period = _valid_period(request, rt, now(context))
    slugs = [slug for slug in getattr(request, "slugs", ()) if _known(rt.topics, slug)]
    with use(await chat_language(update, context)):
        if period is None or len(slugs) != len(getattr(request, "slugs", ())):
            await query.answer(_("This button has expired."))
            return
        pressed = context.chat_data.setdefault("digest_presses", [])
        key = (query.message.message_id, query.data)
        if key in pressed:  # a double tap: the issue is already on its way
            await query.answer(_("Already sent above."))
            return
        pressed.append(key)
        del pressed[:-REMEMBERED_PRESSES]
        await query.answer()
    await show_digest(update, context, period, slugs, every_topic=True)


async def show_digest(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    period: Period,
    slugs: Sequence[str],
    *,
    note: str | None = None,
    every_topic: bool = False,
) -> None:
    """The chat's digest of `period` (of `slugs`, else of its subscriptions), with ◀ ▶ under it.

    A chat without subscriptions is told how to choose, or (`every_topic`, for a fortnight
    tapped in /issues) shown every topic's share of the issue."""
    rt = runtime(context)
    lang = await chat_language(update, context)
    with use(lang):
        chat = await chats.get(rt.db, update.effective_chat.id)
        subs = await subscriptions.for_chat(rt.db, chat.id)
        topic_slugs = list(slugs) or [s.topic_slug for s in subs if s.topic_slug]
        queries = [] if slugs else [s.query for s in subs if s.query]
        if not topic_slugs and not queries:
            if not every_topic:
                await _reply(update, escape(_no_topics_hint(chat.type != "private")))
                return
            topic_slugs = [topic.slug for topic in rt.topics]
            note = _every_topic_note(chat.type != "private")
        found = await compose(
            rt.db,
            period,
            rt.topics,
            topic_slugs=topic_slugs,
            queries=queries,
            chat_id=chat.id,
            cap=rt.settings.issue_size,
            taste=await personal.taste_of(rt.db, chat.id, model=rt.settings.embeddings_model),
        )
        parts = render_digest(
            found,
            lang,
            empty_topics=chat.empty_topics,
            bot_username=context.bot.username,
            in_group=chat.type != "private",
        )
        keyboard = await _walk_keyboard(context, period, slugs, lang)
        if not parts:
            parts = [escape(_nothing(period, lang, now(context)))]
        if note:
            parts = _with_note(parts, f"<i>{escape(note)}</i>")
    for part in parts[:-1]:
        await _reply(update, part, digest_keyboard(part))
    await _reply(update, parts[-1], _stacked(digest_keyboard(parts[-1]), keyboard))


def _stacked(*keyboards: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The papers' buttons above the ◀ ▶ row, under one message."""
    rows = [row for keyboard in keyboards if keyboard for row in keyboard.inline_keyboard]
    return InlineKeyboardMarkup(rows) if rows else None


async def _walk_keyboard(
    context: ContextTypes.DEFAULT_TYPE, period: Period, slugs: Sequence[str], lang: str
) -> InlineKeyboardMarkup | None:
    if not digest_nav.fits(slugs):
        return None
    rt = runtime(context)
    current = period_of(now(context), rt.settings.epoch)
    issues = await calendar.fortnights(rt.db, rt.settings.epoch, current)
    earlier = any(issue.period < period for issue in issues)
    return digest_nav.walk_keyboard(period, slugs, lang, earlier=earlier, later=period < current)


def _nothing(period: Period, lang: str, moment: datetime) -> str:
    if period.start <= moment.date() <= period.end:
        return _("Nothing for this fortnight yet. Try /digest previous, or /search.")
    span = dates.format_period(period.start, period.end, lang)
    return _("Nothing in these topics for {period}.").format(period=span)


def _with_note(parts: list[str], note: str) -> list[str]:
    """The note above the first message when it fits there, else a message of its own."""
    joined = f"{note}\n\n{parts[0]}"
    if visible_length(joined) <= MESSAGE_LIMIT:
        return [joined, *parts[1:]]
    return [note, *parts]


def _topics(topics: Sequence[Topic], words: Sequence[str]) -> tuple[list[Topic], str]:
    """The topics the words name (all words one topic's name, else one topic each) and the
    first word that names none ("" when all do)."""
    if not words:
        return [], ""
    whole = resolve(topics, " ".join(words))
    if whole is not None:
        return [whole], ""
    named = []
    for word in words:
        topic = resolve(topics, word)
        if topic is None:
            return [], word
        if topic not in named:
            named.append(topic)
    return named, ""


def _known(topics: Sequence[Topic], slug: str) -> bool:
    return any(topic.slug == slug for topic in topics)


def _valid_period(request: object, rt: Runtime, moment: datetime) -> Period | None:
    """The button's fortnight, if it is one: starting on a period's first day, not ahead."""
    if not isinstance(request, digest_nav.OpenIssue):
        return None
    period = period_of(request.period_start, rt.settings.epoch)
    current = period_of(moment, rt.settings.epoch)
    return period if period.start == request.period_start and period <= current else None


def _bad_date(word: str) -> str:
    return _("“{word}” is not a date. Try 2024-06, 2024-06-24, 2024年6月 or previous.").format(
        word=word[:20]
    )


async def _reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    thread = message.message_thread_id if message.is_topic_message else None
    await message.get_bot().send_message(
        message.chat_id, text, message_thread_id=thread, reply_markup=keyboard
    )


def _no_topics_hint(in_group: bool) -> str:
    # In a group only its admins choose topics: a member is not sent to /topics to be refused.
    if in_group:
        return _(
            "This group has no subscriptions yet: try /digest RAG; its admins choose topics "
            "in /topics."
        )
    return _("This chat has no subscriptions yet: try /digest RAG, or choose in /topics.")


def _every_topic_note(in_group: bool) -> str:
    if in_group:
        return _(
            "This group has no topics yet, so here is every topic; its admins choose in /topics."
        )
    return _("This chat has no topics yet, so here is every topic; choose in /topics.")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("digest", digest))
    app.add_handler(CallbackQueryHandler(walk, pattern=r"^digest:"))
