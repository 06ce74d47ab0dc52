"""`/stats` for the operators in DIGESTBOT_ADMINS: what is stored and how ingestion went."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.dates import format_datetime_local
from bot.handlers.context import chat_language, now, runtime
from bot.i18n import _, use
from bot.push.plan import next_push_at
from bot.render.papers import escape
from bot.runtime import Runtime
from storage import chats, deliveries, feeds, papers, subscriptions, summaries


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: papers, summaries per language and source, chats, subscriptions, ingestion."""
    rt = runtime(context)
    lang = await chat_language(update, context)
    user = update.effective_user
    with use(lang):
        if user is None or user.id not in rt.settings.admins:
            await update.effective_message.reply_text(
                escape(_("/stats is for the bot's operators only."))
            )
            return
        paper_count = await papers.count(rt.db)
        by_source = await summaries.counts(rt.db)
        chat_counts = await chats.counts(rt.db)
        sub_counts = await subscriptions.counts(rt.db)
        last = await feeds.last_fetch(rt.db)
        lines = [
            _("Papers: {n}").format(n=paper_count),
            _("Summaries: {list}").format(
                list=", ".join(
                    f"{lang_}/{source} {n}" for (lang_, source), n in sorted(by_source.items())
                )
                or "0"
            ),
            _("Chats: {active} active, {paused} paused").format(**chat_counts),
            _("Subscriptions: {topics} to topics, {queries} keyword queries").format(
                topics=sum(sub_counts["topics"].values()), queries=sub_counts["queries"]
            ),
            _("Last ingestion: {when} {url}: {status}, {new} new, {updated} updated").format(
                when=last.fetched_at.strftime("%Y-%m-%d %H:%M UTC") if last.fetched_at else "",
                url=last.url,
                status=last.status,
                new=last.new,
                updated=last.updated,
            )
            if last
            else _("Last ingestion: none yet"),
        ]
        if last and last.error:
            lines.append(last.error[:300])
        lines += await _push_lines(context, rt, update.effective_chat.id, lang)
        await update.effective_message.reply_text(escape("\n".join(lines)))


async def _push_lines(
    context: ContextTypes.DEFAULT_TYPE, rt: Runtime, chat_id: int, lang: str
) -> list[str]:
    states = await deliveries.counts(rt.db)
    moment = now(context)
    when = await next_push_at(rt, moment)
    chat = await chats.get(rt.db, chat_id)
    if when is None:
        shown = _("none: no chat is subscribed")
    elif when <= moment:
        shown = _("being sent now")
    else:
        shown = format_datetime_local(when, lang, chat.timezone)
    return [
        _("Digest messages: {sent} sent, {waiting} waiting, {failed} failed").format(
            sent=states.get("sent", 0),
            waiting=states.get("pending", 0) + states.get("claimed", 0),
            failed=states.get("failed", 0),
        ),
        _("Next push: {when}").format(when=shown),
    ]


def register(app: Application) -> None:
    app.add_handler(CommandHandler("stats", stats))
