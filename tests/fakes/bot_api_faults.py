"""Errors the fake answers with: Telegram's refusals, scripted failures and rate limits.

A test scripts a failure per chat (blocked, kicked, migrated, throttled) or a rate a sender
must stay under; ``Faults.check`` runs before every method that sends into a chat.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict:
        body = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str, parameters: dict | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}", parameters)


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


BLOCKED = ApiError(403, "Forbidden: bot was blocked by the user")
KICKED_FROM_GROUP = ApiError(403, "Forbidden: bot was kicked from the group chat")
KICKED_FROM_SUPERGROUP = ApiError(403, "Forbidden: bot was kicked from the supergroup chat")


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; says how long until the next one."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        # A bucket made after ``now`` was read must not start in debt
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.stamp = max(now, self.stamp)
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class RateLimits:
    """Telegram's sending limits; ``None`` switches one off. Groups are limited per minute."""

    overall_per_second: float | None = None
    per_chat_per_second: float | None = None
    per_group_per_minute: float | None = None
    burst: float = 1.0  # how many sends a quiet chat may make at once
    overall: TokenBucket | None = None
    chats: dict[int, TokenBucket] = field(default_factory=dict)
    groups: dict[int, TokenBucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.overall_per_second:
            self.overall = TokenBucket(self.overall_per_second, self.overall_per_second)

    def wait_needed(self, chat_id: int, is_group: bool) -> float:
        """Seconds the sender should have waited; 0 when this send is within every limit."""
        now = time.monotonic()
        waits = []
        if self.overall is not None:
            waits.append(self.overall.take(now))
        if self.per_chat_per_second:
            bucket = self.chats.get(chat_id)
            if bucket is None:
                bucket = self.chats[chat_id] = TokenBucket(self.per_chat_per_second, self.burst)
            waits.append(bucket.take(now))
        if is_group and self.per_group_per_minute:
            bucket = self.groups.get(chat_id)
            if bucket is None:
                rate = self.per_group_per_minute / 60
                bucket = self.groups[chat_id] = TokenBucket(rate, self.per_group_per_minute)
            waits.append(bucket.take(now))
        return max(waits, default=0.0)


@dataclass
class Faults:
    """Scripted failures per chat and the rate limits, consulted before each send."""

    blocked: set[int] = field(default_factory=set)
    kicked: set[int] = field(default_factory=set)
    migrated: dict[int, int] = field(default_factory=dict)
    throttled: dict[int, list[int]] = field(default_factory=dict)  # chat -> [retry_after, times]
    scripted: list[tuple[str, int | None, ApiError]] = field(default_factory=list)
    limits: RateLimits | None = None
    latency: float = 0.0
    slow_chats: dict[int, float] = field(default_factory=dict)  # extra seconds per chat
    rejected: int = 0  # how many answers were 429s, for a benchmark's report

    def raise_scripted(self, method: str, chat_id: int | None) -> None:
        """Raise the first failure scripted for this method (and chat), once."""
        for index, (for_method, for_chat, error) in enumerate(self.scripted):
            if for_method.lower() == method.lower() and for_chat in (None, chat_id):
                del self.scripted[index]
                raise error

    def check_chat(self, chat_id: int, chat_type: str, rate_limited: bool) -> None:
        """Raise what a send into this chat gets: blocked, kicked, migrated or throttled."""
        if chat_id in self.migrated:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        if chat_id in self.blocked:
            raise BLOCKED
        if chat_id in self.kicked:
            raise KICKED_FROM_SUPERGROUP if chat_type == "supergroup" else KICKED_FROM_GROUP
        if rate_limited:
            self._raise_throttled(chat_id, chat_type)

    def _raise_throttled(self, chat_id: int, chat_type: str | None) -> None:
        if (throttle := self.throttled.get(chat_id)) is not None:
            retry_after, times = throttle
            if times <= 1:
                del self.throttled[chat_id]
            else:
                throttle[1] = times - 1
            self.rejected += 1
            raise too_many_requests(retry_after)
        if self.limits is not None:
            wait = self.limits.wait_needed(chat_id, chat_type in ("group", "supergroup"))
            if wait > 0:
                self.rejected += 1
                raise too_many_requests(max(1, math.ceil(wait)))
