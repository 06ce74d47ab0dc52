"""What a chat's own library adds to its digest: the period's papers by the authors it follows
(a section for those its topics do not list, a mark on those they do), and its saved papers
arXiv has a newer version of.

Authors are matched by bot.authors' rule. The period's authors are indexed once per period
and pass (an `AuthorIndex` kept in the digest's cache), so ten thousand chats that follow
authors cost one read of the period's papers. A newer version is announced once: the push
marks it told when it plans the digest; `/digest` in chat shows it without marking it.
Following, unfollowing and a card's ✓ on an author all match by that same rule, so what a card
shows followed is what the digest's section brings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from bot import authors
from bot.digest.periods import Period
from storage import follows, saved
from storage.db import Database

FOLLOWED_SHOWN = 10  # papers in the section: the newest first

# surname key → (rank, paper id, the name parsed, the name as written), rank 0 the newest paper
AuthorIndex = dict[str, list[tuple[int, int, authors.AuthorName, str]]]


@dataclass(frozen=True, slots=True)
class Additions:
    followed: tuple[tuple[int, str], ...] = ()  # (paper id, the followed author as written)
    updated: tuple[tuple[int, int], ...] = ()  # (paper id, the version the chat last knew)
    marked: tuple[tuple[int, str], ...] = ()  # papers of `shown` by followed authors, likewise


async def additions(
    db: Database,
    period: Period,
    chat_id: int,
    shown: Collection[int],
    indexes: dict[date, AuthorIndex],
    *,
    mark_told: bool = False,
) -> Additions:
    """The chat's followed authors' papers not in `shown` (and those in it, to mark), and its
    saved papers' new versions (marked told when `mark_told`, as the push does)."""
    found: list[tuple[int, str]] = []
    wanted = await follows.of_chat(db, chat_id)
    if wanted:
        if period.start not in indexes:
            indexes[period.start] = await author_index(db, period.start)
        found = by_followed(indexes[period.start], wanted)
    newer = await saved.updated(db, chat_id)
    if mark_told:
        await saved.mark_told(db, chat_id, {u.paper.id: u.paper.version for u in newer})
    return Additions(
        tuple(item for item in found if item[0] not in shown)[:FOLLOWED_SHOWN],
        tuple((u.paper.id, u.known_version) for u in newer),
        tuple(item for item in found if item[0] in shown),
    )


async def follow(
    db: Database, chat_id: int, name: authors.AuthorName, by: int | None
) -> tuple[str, str]:
    """Follow `name` in the chat: ("followed", its name), ("already", the name followed that
    is the same author) or ("full", the number followed)."""
    followed = await follows.of_chat(db, chat_id)
    known = counted_as(followed, name)
    if known:
        return "already", known[0].name
    if len(followed) >= follows.MAX_PER_CHAT:
        return "full", str(len(followed))
    await follows.follow(db, chat_id, name.key, name.display, by)
    return "followed", name.display


async def unfollow(db: Database, chat_id: int, name: authors.AuthorName) -> list[str]:
    """Stop following every name the chat follows that counts as `name`, so that none of its
    papers reaches the digest through it any more: the names dropped, none when it followed
    no such name."""
    dropped = counted_as(await follows.of_chat(db, chat_id), name)
    for known in dropped:
        await follows.unfollow(db, chat_id, known.name_key)
    return [known.name for known in dropped]


async def followed_among(db: Database, chat_id: int, names: Sequence[str]) -> tuple[bool, ...]:
    """For each name as a paper writes it, whether the chat follows that author (as the digest
    matches them: "Y. LeCun" followed is "Yann LeCun" on a card)."""
    followed = await follows.of_chat(db, chat_id)
    found = [authors.parse(name) if followed else None for name in names]
    return tuple(name is not None and bool(counted_as(followed, name)) for name in found)


def counted_as(
    followed: Sequence[follows.Follow], name: authors.AuthorName
) -> list[follows.Follow]:
    """The followed names that count as `name`, by bot.authors' rule."""
    return [
        known for known in followed if authors.same_author(authors.from_key(known.name_key), name)
    ]


async def chats_with_additions(db: Database) -> set[int]:
    """The chats whose digest holds papers of their own: no other chat's digest is theirs."""
    return await follows.chats_following(db) | await saved.chats_with_updates(db)


async def author_index(db: Database, period_start: date) -> AuthorIndex:
    """The period's papers by their authors' surnames, the newest papers first."""
    index: AuthorIndex = defaultdict(list)
    for rank, (paper_id, names) in enumerate(await follows.period_authors(db, period_start)):
        for name in names:
            parsed = authors.parse(name)
            if parsed is not None:
                index[parsed.surname_key].append((rank, paper_id, parsed, name))
    return dict(index)


def by_followed(index: AuthorIndex, wanted: list[follows.Follow]) -> list[tuple[int, str]]:
    """The papers of any followed author, newest first, each once, with the author."""
    found: dict[int, tuple[int, str]] = {}
    for follow in wanted:
        name = authors.from_key(follow.name_key)
        for rank, paper_id, author, written in index.get(name.surname_key, ()):
            if paper_id not in found and authors.same_author(name, author):
                found[paper_id] = (rank, written)
    newest_first = sorted(found.items(), key=lambda item: item[1][0])
    return [(paper_id, written) for paper_id, (_, written) in newest_first]
