"""The plain objects and errors of chats and their subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

ChatType = Literal["private", "group", "supergroup", "channel"]
EmptyTopics = Literal["skip", "line"]

CHAT_TYPES: tuple[str, ...] = ("private", "group", "supergroup", "channel")
LANGUAGES: tuple[str, ...] = ("zh", "en")
EMPTY_TOPICS: tuple[str, ...] = ("skip", "line")


class InvalidSetting(ValueError):
    """A chat setting outside what the schema allows; the message names the value."""


class InvalidTimezone(InvalidSetting):
    """A timezone name that is not an IANA timezone."""


class UnknownChat(LookupError):
    """No chat with this id is stored."""

    def __init__(self, chat_id: int) -> None:
        super().__init__(f"unknown chat {chat_id}")
        self.chat_id = chat_id


class UnknownTopic(ValueError):
    """A topic slug that is not stored, or no longer offered."""


class InvalidQuery(ValueError):
    """A saved keyword query that is empty or too long."""


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    type: ChatType
    title: str | None
    language: str | None  # None: negotiated per user
    timezone: str
    delivery_weekday: int  # 0 = Monday
    delivery_hour: int  # local time
    empty_topics: EmptyTopics
    thread_id: int | None  # forum thread for pushes
    active: bool
    paused_reason: str | None
    created_at: datetime
    changed_at: datetime
    reader_language: str | None = None  # the subscriber's, for pushes when language is None

    @property
    def push_language(self) -> str:
        """The language a push is written in: the saved one, else the subscriber's."""
        return self.language or self.reader_language or "en"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    chat_id: int
    topic_slug: str | None  # exactly one of topic_slug and query is set
    query: str | None
    thread_id: int | None  # the forum thread it was made in
    created_by: int | None  # Telegram user id
    created_at: datetime
