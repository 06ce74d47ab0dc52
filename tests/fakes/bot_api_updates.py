"""People, chats and the Update JSON Telegram would send about them.

Pure builders: they take ids and dates from the caller (the fake server keeps the
counters) and return dicts shaped as the Bot API documents them, so PTB parses them
exactly as it parses Telegram's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Telegram's stand-in sender for messages an anonymous group admin sends
ANONYMOUS_ADMIN_ID = 1087968824
_COMMAND = re.compile(r"/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?")


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user (or bot) as it appears in ``from``."""

    id: int
    first_name: str = "Ada"
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_json(self) -> dict:
        user = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


ANONYMOUS_ADMIN = FakeUser(
    ANONYMOUS_ADMIN_ID, "Group", "GroupAnonymousBot", language_code=None, is_bot=True
)


@dataclass(frozen=True)
class FakeChat:
    """A chat: ``private`` (id = the user's id), ``group``, ``supergroup`` or ``channel``."""

    id: int
    type: str = "private"
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    is_forum: bool = False

    def to_json(self) -> dict:
        chat = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "username"):
            if (value := getattr(self, key)) is not None:
                chat[key] = value
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")


def private_chat(user: FakeUser) -> FakeChat:
    """The one-to-one chat between ``user`` and the bot."""
    return FakeChat(user.id, "private", first_name=user.first_name, username=user.username)


def group(chat_id: int, title: str = "Reading group") -> FakeChat:
    """A basic group; its id is negative."""
    return FakeChat(chat_id, "group", title=title)


def supergroup(chat_id: int, title: str = "Papers", *, forum: bool = False) -> FakeChat:
    """A supergroup (id -100…), a forum when ``forum`` is set."""
    return FakeChat(chat_id, "supergroup", title=title, is_forum=forum)


def command_entities(text: str) -> list[dict]:
    """``bot_command`` entities as Telegram marks them: only a command that starts the text."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(match.group())}]


def message_json(
    *,
    message_id: int,
    date: int,
    chat: FakeChat,
    from_user: FakeUser,
    text: str | None = None,
    thread_id: int | None = None,
    sender_chat: FakeChat | None = None,
    document: dict | None = None,
    caption: str | None = None,
    migrate_to_chat_id: int | None = None,
) -> dict:
    """A Message someone sent into ``chat``; commands get their ``bot_command`` entity."""
    message = {
        "message_id": message_id,
        "date": date,
        "chat": chat.to_json(),
        "from": from_user.to_json(),
    }
    if sender_chat is not None:
        message["sender_chat"] = sender_chat.to_json()
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
    if text is not None:
        message["text"] = text
        if entities := command_entities(text):
            message["entities"] = entities
    if document is not None:
        message["document"] = document
    if caption is not None:
        message["caption"] = caption
        if entities := command_entities(caption):
            message["caption_entities"] = entities
    if migrate_to_chat_id is not None:
        message["migrate_to_chat_id"] = migrate_to_chat_id
    return message


def document_json(file_id: str, file_name: str, size: int, mime_type: str) -> dict:
    """A Document as it appears in a message."""
    return {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": size,
    }


def callback_query_json(*, query_id: str, from_user: FakeUser, message: dict, data: str) -> dict:
    """A press on an inline button of ``message`` (a message the bot sent)."""
    return {
        "id": query_id,
        "from": from_user.to_json(),
        "message": message,
        "chat_instance": str(abs(message["chat"]["id"]) * 7 + 3),
        "data": data,
    }


def inline_callback_query_json(
    *, query_id: str, from_user: FakeUser, inline_message_id: str, data: str
) -> dict:
    """A press on a button of a message sent through inline mode: no message, no chat."""
    return {
        "id": query_id,
        "from": from_user.to_json(),
        "inline_message_id": inline_message_id,
        "chat_instance": str(sum(inline_message_id.encode()) * 7 + 3),
        "data": data,
    }


def inline_query_json(
    *, query_id: str, from_user: FakeUser, query: str, offset: str = "", chat_type: str = "sender"
) -> dict:
    """``@bot query`` typed in any chat."""
    return {
        "id": query_id,
        "from": from_user.to_json(),
        "query": query,
        "offset": offset,
        "chat_type": chat_type,
    }


def chat_member_json(user: FakeUser, status: str) -> dict:
    """A ChatMember of any status with the fields PTB requires for it."""
    member = {"user": user.to_json(), "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
        member.update(can_be_edited=False, is_anonymous=False)
    elif status == "kicked":
        member["until_date"] = 0
    elif status == "restricted":
        member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
        member.update(is_member=True, until_date=0)
    return member


def my_chat_member_json(
    *, chat: FakeChat, from_user: FakeUser, bot: FakeUser, old: str, new: str, date: int
) -> dict:
    """The bot's own membership changed: ``new`` is "kicked", "left", "member", …"""
    return {
        "chat": chat.to_json(),
        "from": from_user.to_json(),
        "date": date,
        "old_chat_member": chat_member_json(bot, old),
        "new_chat_member": chat_member_json(bot, new),
    }


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_RESTRICTED_RIGHTS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
    "can_react_to_messages",
)
