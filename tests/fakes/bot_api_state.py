"""What the fake Telegram knows: chats, the bot's messages, members, commands, files, updates.

Message ids count up per chat for both sides, as in Telegram; the bot's own messages are kept
by (chat, id) so edits and deletes can be checked in constant time.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from dataclasses import dataclass, field

from tests.fakes.bot_api_faults import bad_request
from tests.fakes.bot_api_html import utf16_len
from tests.fakes.bot_api_updates import ANONYMOUS_ADMIN_ID, FakeChat, FakeUser

# Sent when allowed_updates is empty or never given: every type but these three
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class Members:
    """Who holds which status in one group; anyone else counts as an ordinary member."""

    creator: int | None = None
    admins: list[int] = field(default_factory=list)
    anonymous: set[int] = field(default_factory=set)
    statuses: dict[int, str] = field(default_factory=dict)

    def status_of(self, user_id: int) -> str:
        if user_id == self.creator:
            return "creator"
        if user_id in self.admins or user_id == ANONYMOUS_ADMIN_ID:
            return "administrator"
        return self.statuses.get(user_id, "member")


@dataclass
class StoredFile:
    """Bytes a test put behind a file_id, served at /file/bot<token>/<path>."""

    file_id: str
    path: str
    content: bytes


class UpdateQueue:
    """Updates waiting for getUpdates; ``offset`` forgets earlier ones, as Telegram does."""

    def __init__(self) -> None:
        self.pending: list[dict] = []
        self.next_id = 100_000
        self.allowed: frozenset[str] | None = None
        self.arrived = asyncio.Event()
        self.closing = False
        self.served_at: dict[int, float] = {}  # update_id -> when getUpdates first handed it out

    def put(self, kind: str, payload: dict) -> dict:
        update = {"update_id": self.next_id, kind: payload}
        self.next_id += 1
        self.pending.append(update)
        self.arrived.set()
        return update

    def set_allowed(self, allowed: list[str] | None) -> None:
        # An omitted allowed_updates keeps the previous choice; an empty list means the default
        if allowed is not None:
            self.allowed = frozenset(allowed) if allowed else None

    def acknowledge(self, offset: int) -> None:
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def deliverable(self, limit: int) -> list[dict]:
        # Types the bot did not ask for are dropped, never delivered later
        self.pending = [u for u in self.pending if self._wanted(u)]
        return self.pending[:limit]

    def _wanted(self, update: dict) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self.allowed

    async def poll(self, offset: int | None, limit: int, wait_seconds: float) -> list[dict]:
        """Updates from ``offset`` on, waiting up to ``wait_seconds`` for the first one."""
        if offset is not None:
            self.acknowledge(offset)
        deadline = time.monotonic() + wait_seconds
        while not (ready := self.deliverable(limit)) and not self.closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except TimeoutError:
                break
        now = time.time()
        for update in ready:
            self.served_at.setdefault(update["update_id"], now)
        return ready

    def close(self) -> None:
        """Let every long poll return now, so the server can stop at once."""
        self.closing = True
        self.arrived.set()


class World:
    """Everything that outlives one request."""

    def __init__(self, token: str, bot: FakeUser) -> None:
        self.token = token
        self.bot = bot
        self.chats: dict[int, FakeChat] = {}
        self.users: dict[int, FakeUser] = {}
        self.usernames: dict[str, int] = {}
        self.members: dict[int, Members] = {}
        self.messages: dict[tuple[int, int], dict] = {}
        # Messages people sent "via" the bot by choosing an inline result, by inline_message_id
        self.inline_messages: dict[str, dict] = {}
        self.last_message_id: dict[int, int] = {}
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.menu_buttons: dict[int | None, dict] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.open_callback_queries: set[str] = set()
        self.open_inline_queries: set[str] = set()
        self.webhook: dict | None = None
        self.any_chat = False  # a benchmark may send to chats no update introduced
        self.updates = UpdateQueue()
        # Telegram's limit is "characters"; UTF-16 units is the stricter reading, safe for both
        self.count_text = utf16_len
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._file_ids = itertools.count(1)

    def add_chat(self, chat: FakeChat) -> FakeChat:
        self.chats[chat.id] = chat
        if chat.username:
            self.usernames[chat.username.lower()] = chat.id
        return chat

    def find_chat(self, chat_id: object) -> FakeChat | None:
        """The chat a ``chat_id`` parameter names (a number or ``@username``), if known."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            chat_id = self.usernames.get(chat_id[1:].lower())
        try:
            number = int(chat_id)
        except (TypeError, ValueError):
            return None
        chat = self.chats.get(number)
        if chat is None and self.any_chat:
            chat = self.add_chat(_chat_for_id(number))
        return chat

    def chat(self, chat_id: object) -> FakeChat:
        """Like ``find_chat``, but a chat Telegram does not know is a 400."""
        if (chat := self.find_chat(chat_id)) is None:
            raise bad_request("chat not found")
        return chat

    def members_of(self, chat_id: int) -> Members:
        return self.members.setdefault(chat_id, Members())

    def next_message_id(self, chat_id: int) -> int:
        message_id = self.last_message_id.get(chat_id, 0) + 1
        self.last_message_id[chat_id] = message_id
        return message_id

    def new_query_id(self) -> str:
        return str(next(self._query_ids))

    def store_file(self, content: bytes, file_name: str) -> StoredFile:
        number = next(self._file_ids)
        file_id = f"BQACAgIAAxkB{number:08d}"
        # Telegram's file paths never carry what a URL would split or escape
        name = file_name if _URL_SAFE.fullmatch(file_name) else "document"
        stored = StoredFile(file_id, f"documents/file_{number}_{name}", content)
        self.files[stored.file_id] = stored
        self.files_by_path[stored.path] = stored
        return stored


_URL_SAFE = re.compile(r"[^\s/?#%\\]{1,64}")


def _chat_for_id(chat_id: int) -> FakeChat:
    if chat_id > 0:
        return FakeChat(chat_id, "private", first_name=f"User {chat_id}")
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return FakeChat(chat_id, kind, title=f"Chat {chat_id}")
