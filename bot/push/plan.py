"""Which chats are due a digest as of a moment, and their messages written into the ledger.

Every due time derives from the database (each chat's timezone, weekday and hour) and the
ledger says what was planned already, so a restart, a daylight-saving change or a new
timezone never plans a period twice, and a push missed while the bot was down is planned
on its return: the latest period only, however long it was away. Each chat is planned on
its own: one whose plan fails is logged, skipped and reported, and the others go out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.digest import library, periods, personal
from bot.digest.compose import Digest, IssueCache, compose, has_additions
from bot.digest.personal import ChatTaste
from bot.render.digest import Memo, render_digest
from bot.runtime import Runtime
from storage import deliveries, subscriptions
from storage.chat_models import Chat, Subscription

log = logging.getLogger(__name__)

PLAN_BATCH = 500  # chats written into the ledger per commit


@dataclass(frozen=True, slots=True)
class DueChat:
    chat: Chat
    subscriptions: tuple[Subscription, ...]
    period: periods.Period
    due_at: datetime


@dataclass
class Rendered:
    """What one plan renders once: the messages of chats that read the same digest, and the
    papers' lines every digest of the pass repeats."""

    shared: dict[tuple, list[str]] = field(default_factory=dict)
    memo: Memo = field(default_factory=Memo)


@dataclass(frozen=True, slots=True)
class Planned:
    parts: int  # written into the ledger
    failed_chats: tuple[int, ...] = ()  # chats skipped because their plan failed


def latest_due(chat: Chat, now: datetime, rt: Runtime) -> tuple[periods.Period, datetime]:
    return periods.latest_due(
        now, rt.settings.epoch, chat.timezone, chat.delivery_weekday, chat.delivery_hour
    )


def next_due(chat: Chat, now: datetime, rt: Runtime) -> tuple[periods.Period, datetime]:
    return periods.next_due(
        now, rt.settings.epoch, chat.timezone, chat.delivery_weekday, chat.delivery_hour
    )


async def next_push_for(
    rt: Runtime, chat: Chat, subs: list[Subscription], now: datetime
) -> datetime | None:
    """When this chat's next digest goes out: now when one is due or under way; None
    without subscriptions or while the chat is paused."""
    if not subs or not chat.active:
        return None
    if await deliveries.open_count(rt.db, chat_id=chat.id):
        return now
    period, due = latest_due(chat, now, rt)
    subscribed_in_time = min(s.created_at for s in subs) <= due
    if subscribed_in_time and not await deliveries.planned_chats(
        rt.db, [period.start], chat_id=chat.id
    ):
        return now
    return next_due(chat, now, rt)[1]


async def due_chats(
    rt: Runtime,
    now: datetime,
    active: list[tuple[Chat, list[Subscription]]] | None = None,
    *,
    failed: list[int] | None = None,
) -> list[DueChat]:
    """Active subscribed chats whose latest due period has no ledger rows yet.

    A chat that subscribed after that period's due time waits for the next one: its first
    digest is never a fortnight-old one sent the moment it subscribes. A chat whose due time
    cannot be worked out is logged and left out (its id added to `failed`).
    """
    found = []
    if active is None:
        active = await subscriptions.active_chats(rt.db)
    for chat, subs in active:
        try:
            period, due = latest_due(chat, now, rt)
        except Exception as exc:
            _skip(chat, exc, failed)
            continue
        if min(s.created_at for s in subs) <= due:
            found.append(DueChat(chat, tuple(subs), period, due))
    done = await deliveries.planned_chats(rt.db, sorted({d.period.start for d in found}))
    return [d for d in found if (d.chat.id, d.period.start) not in done]


def earliest_next_due(
    rt: Runtime, now: datetime, active: list[tuple[Chat, list[Subscription]]]
) -> datetime | None:
    """The soonest next due time among the chats; one that has none is left out."""
    times = []
    for chat, _ in active:
        try:
            times.append(next_due(chat, now, rt)[1])
        except Exception:
            continue  # due_chats logs such a chat on every look
    return min(times, default=None)


async def plan_due(
    rt: Runtime, now: datetime | None = None, *, bot_username: str | None = None
) -> Planned:
    """Freeze the due issues, render each due chat's digest into the ledger (with links to
    each paper's card when the bot's `bot_username` is known)."""
    now = now or datetime.now(UTC)
    cache, rendered = IssueCache(), Rendered()
    planned, batch, failed = 0, [], []
    due_now = await due_chats(rt, now, failed=failed)
    model = rt.settings.embeddings_model
    tastes = await personal.tastes(rt.db, [due.chat.id for due in due_now], model=model)
    if due_now:  # one look for all: a chat without followed authors or updates asks nothing
        cache.with_additions = await library.chats_with_additions(rt.db)
    await personal.read_voted(rt.db, cache.taste, list(tastes.values()))
    for due in due_now:
        try:
            taste = tastes.pop(due.chat.id, None)  # popped: the profile is freed once planned
            texts = tuple(await _texts(rt, due, cache, rendered, bot_username, taste))
        except Exception as exc:
            _skip(due.chat, exc, failed)
            continue
        batch.append(
            deliveries.Plan(due.chat.id, due.period.start, texts, _thread(due), due.due_at)
        )
        if len(batch) == PLAN_BATCH:
            planned += await deliveries.plan(rt.db, batch)
            batch = []
    planned += await deliveries.plan(rt.db, batch)
    return Planned(planned, tuple(failed))


def _skip(chat: Chat, exc: Exception, failed: list[int] | None) -> None:
    """One chat's broken data must not cost every other chat its digest."""
    log.error(
        "push: chat %d skipped, its digest could not be planned: %s: %s",
        chat.id,
        type(exc).__name__,
        exc,
    )
    log.debug("push: planning chat %d failed", chat.id, exc_info=exc)
    if failed is not None:
        failed.append(chat.id)


async def chat_digest(
    rt: Runtime,
    chat: Chat,
    subs: Sequence[Subscription],
    period: periods.Period,
    *,
    taste: ChatTaste | None,
    cache: IssueCache | None = None,
    freeze: bool = False,
) -> Digest:
    """The digest a chat gets for a period: its topics and saved queries, in its own issues
    when its votes gave it a `taste` (with `freeze`, the shared issues are frozen)."""
    return await compose(
        rt.db,
        period,
        rt.topics,
        topic_slugs=[s.topic_slug for s in subs if s.topic_slug],
        queries=[s.query for s in subs if s.query],
        chat_id=chat.id,
        cap=rt.settings.issue_size,
        freeze=freeze,
        cache=cache,
        taste=taste,
    )


def render_for(
    digest: Digest, chat: Chat, bot_username: str | None = None, memo: Memo | None = None
) -> list[str]:
    """The digest's messages as the chat reads them: its language, its empty-topic choice."""
    return render_digest(
        digest,
        chat.push_language,
        empty_topics=chat.empty_topics,
        bot_username=bot_username,
        in_group=chat.type != "private",
        memo=memo,
    )


async def _texts(
    rt: Runtime,
    due: DueChat,
    cache: IssueCache,
    rendered: Rendered,
    bot_username: str | None,
    taste: ChatTaste | None,
) -> list[str]:
    # Chats that take the same topics in the same language read the same messages; a saved
    # query, votes, followed authors or saved papers make a chat's digest its own, so such a
    # chat shares nothing but its papers' lines.
    key = _shared_key(due) if taste is None else None
    if key is not None and await has_additions(rt.db, due.chat.id, cache):
        key = None
    if key is not None and key in rendered.shared:
        return rendered.shared[key]
    digest = await chat_digest(
        rt, due.chat, due.subscriptions, due.period, taste=taste, cache=cache, freeze=True
    )
    texts = render_for(digest, due.chat, bot_username, rendered.memo)
    if key is not None:
        rendered.shared[key] = texts
    return texts


def _shared_key(due: DueChat) -> tuple | None:
    """What makes two chats' digests identical, or None for a chat with a saved query."""
    if any(s.topic_slug is None for s in due.subscriptions):
        return None
    slugs = sorted(s.topic_slug for s in due.subscriptions)
    chat = due.chat
    in_group = chat.type != "private"
    return (due.period.start, chat.push_language, chat.empty_topics, in_group, *slugs)


def _thread(due: DueChat) -> int | None:
    """Pushes go to the forum thread chosen for the chat, else where it first subscribed."""
    if due.chat.thread_id is not None:
        return due.chat.thread_id
    return next((s.thread_id for s in due.subscriptions if s.thread_id is not None), None)


async def next_push_at(
    rt: Runtime, now: datetime, retry_later: frozenset[int] = frozenset()
) -> datetime | None:
    """When a pass next has something to do: now if anything is due or open, else the
    earliest chat's next due time; None without subscribed chats. Chats in `retry_later`
    failed to plan: they wait for the next look, at most an hour away, not for now."""
    active = await subscriptions.active_chats(rt.db)
    due = [d for d in await due_chats(rt, now, active) if d.chat.id not in retry_later]
    if await deliveries.open_count(rt.db) or due:
        return now
    return earliest_next_due(rt, now, active)
