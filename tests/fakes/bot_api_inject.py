"""What people do, as updates the bot will receive through getUpdates.

Each method builds the Update Telegram would send, queues it and returns it, and teaches
the fake about the chats and users involved so the bot's answers to them succeed.
"""

from __future__ import annotations

import time

import aiohttp

from tests.fakes import bot_api_messages as messages
from tests.fakes.bot_api_faults import Faults
from tests.fakes.bot_api_state import World
from tests.fakes.bot_api_updates import (
    ANONYMOUS_ADMIN,
    FakeChat,
    FakeUser,
    callback_query_json,
    document_json,
    inline_callback_query_json,
    inline_query_json,
    message_json,
    my_chat_member_json,
    private_chat,
    supergroup,
)


class UpdateInjection:
    """Mixed into FakeBotApi: the ways a test makes something happen on Telegram's side."""

    world: World
    faults: Faults

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Ada",
        *,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A person who has a private chat with the bot."""
        user = FakeUser(user_id, first_name, username, language_code)
        self.world.users[user.id] = user
        self.world.add_chat(private_chat(user))
        return user

    def add_chat(self, chat: FakeChat) -> FakeChat:
        """Make a group, supergroup or channel known, so the bot may write to it."""
        return self.world.add_chat(chat)

    def inject(self, kind: str, payload: dict) -> dict:
        """Queue a raw update of ``kind`` ("message", "callback_query", …)."""
        return self.world.updates.put(kind, payload)

    async def deliver_to_webhook(self, address: str, *, secret: str | None = None) -> list[int]:
        """POST the queued updates to ``address`` as Telegram does once setWebhook was called.

        Telegram sends the secret_token given to setWebhook in a header; ``secret`` overrides
        it, to play a stranger. Returns the HTTP status of each POST; the queue is emptied.
        """
        webhook = self.world.webhook or {}
        token = secret if secret is not None else webhook.get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        updates, self.world.updates.pending = self.world.updates.pending, []
        statuses = []
        async with aiohttp.ClientSession() as session:
            for update in updates:
                async with session.post(address, json=update, headers=headers) as response:
                    statuses.append(response.status)
        return statuses

    def _message(self, chat: FakeChat, sender: FakeUser, **fields: object) -> dict:
        self.world.add_chat(chat)
        if not sender.is_bot:
            self.world.users[sender.id] = sender
        return message_json(
            message_id=self.world.next_message_id(chat.id),
            date=int(time.time()),
            chat=chat,
            from_user=sender,
            **fields,
        )

    def user_says(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: FakeChat | None = None,
        thread_id: int | None = None,
    ) -> dict:
        """``user`` writes ``text`` (a command gets its bot_command entity) in ``chat``."""
        chat = chat or private_chat(user)
        return self.inject("message", self._message(chat, user, text=text, thread_id=thread_id))

    def anonymous_admin_says(
        self, chat: FakeChat, text: str, *, thread_id: int | None = None
    ) -> dict:
        """An admin posting as the group itself: ``from`` is GroupAnonymousBot."""
        message = self._message(
            chat, ANONYMOUS_ADMIN, text=text, thread_id=thread_id, sender_chat=chat
        )
        return self.inject("message", message)

    def user_sends_document(
        self,
        user: FakeUser,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = "/import",
        chat: FakeChat | None = None,
        mime_type: str = "text/plain",
    ) -> dict:
        """A document whose bytes the bot can fetch with getFile and a download."""
        stored = self.world.store_file(content, file_name)
        document = document_json(stored.file_id, file_name, len(content), mime_type)
        message = self._message(
            chat or private_chat(user), user, document=document, caption=caption
        )
        return self.inject("message", message)

    def user_presses(self, user: FakeUser, message: dict, data: str) -> dict:
        """``user`` presses the button carrying ``data`` under a message the bot sent."""
        key = (message["chat"]["id"], message["message_id"])
        current = self.world.messages.get(key, message)
        query_id = self.world.new_query_id()
        self.world.open_callback_queries.add(query_id)
        query = callback_query_json(query_id=query_id, from_user=user, message=current, data=data)
        return self.inject("callback_query", query)

    def user_shares_inline_result(self, user: FakeUser, answer: dict, result_id: str) -> str:
        """``user`` picks result ``result_id`` of an answerInlineQuery: its inline_message_id."""
        [result] = [r for r in answer["results"] if r["id"] == result_id]
        content = result["input_message_content"]
        as_message = {"text": content["message_text"], "parse_mode": content.get("parse_mode")}
        parsed = messages.formatted_text(as_message, count=self.world.count_text)
        inline_message_id = f"AQAAA{len(self.world.inline_messages) + 1:010d}{user.id}"
        self.world.inline_messages[inline_message_id] = {
            "text": parsed.text,
            "entities": parsed.entities,
            "reply_markup": result.get("reply_markup"),
        }
        return inline_message_id

    def user_presses_inline(self, user: FakeUser, inline_message_id: str, data: str) -> dict:
        """``user`` presses a button under a message that was sent through inline mode."""
        query_id = self.world.new_query_id()
        self.world.open_callback_queries.add(query_id)
        query = inline_callback_query_json(
            query_id=query_id, from_user=user, inline_message_id=inline_message_id, data=data
        )
        return self.inject("callback_query", query)

    def user_queries_inline(
        self, user: FakeUser, query: str, *, offset: str = "", chat_type: str = "sender"
    ) -> dict:
        """``user`` types ``@bot query`` in some chat."""
        self.world.users[user.id] = user
        query_id = self.world.new_query_id()
        self.world.open_inline_queries.add(query_id)
        payload = inline_query_json(
            query_id=query_id, from_user=user, query=query, offset=offset, chat_type=chat_type
        )
        return self.inject("inline_query", payload)

    def bot_membership_changes(
        self, chat: FakeChat, new: str, *, old: str = "member", by: FakeUser | None = None
    ) -> dict:
        """The bot was "kicked", "left", added back ("member") or promoted in ``chat``.

        A private chat's user blocking the bot is ``new="kicked"`` too, as in Telegram.
        """
        self.world.add_chat(chat)
        by = by or self.world.users.get(chat.id) or FakeUser(chat.id if chat.id > 0 else 1)
        payload = my_chat_member_json(
            chat=chat, from_user=by, bot=self.world.bot, old=old, new=new, date=int(time.time())
        )
        return self.inject("my_chat_member", payload)

    def group_migrates(
        self, group: FakeChat, new_chat_id: int, *, by: FakeUser | None = None
    ) -> FakeChat:
        """A group becomes a supergroup: both service messages arrive, the old id is refused."""
        by = by or FakeUser(1)
        new_chat = self.world.add_chat(supergroup(new_chat_id, group.title or "Papers"))
        self.inject("message", self._message(group, by, migrate_to_chat_id=new_chat_id))
        from_message = self._message(new_chat, by)
        from_message["migrate_from_chat_id"] = group.id
        self.inject("message", from_message)
        self.faults.migrated[group.id] = new_chat_id
        return new_chat
