"""A person's side of a conversation with the bot under test: say something, get the reply."""

from __future__ import annotations

from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_updates import FakeUser


async def reply_to(api: FakeBotApi, user: FakeUser, text: str, **where: object) -> dict:
    """The message the bot sends after `user` says `text` (in `chat=`, `thread_id=`)."""
    mark = api.mark()
    api.user_says(user, text, **where)
    [sent] = await api.wait_for("sendMessage", since=mark)
    return sent.result


async def press(api: FakeBotApi, user: FakeUser, message: dict, data: str, answer: str):
    """The bot's `answer` call (editMessageText, answerCallbackQuery…) to a button press."""
    mark = api.mark()
    api.user_presses(user, message, data)
    [call] = await api.wait_for(answer, since=mark)
    return call
