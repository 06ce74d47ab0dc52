"""Buttons pressed again once they have done their work: the message already shows the result,
so nothing changes and nothing fails."""

from __future__ import annotations

import asyncio
import logging

from bot.render import callbacks
from tests.fakes.conversation import press, reply_to


def trouble(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_pressing_a_language_button_twice_changes_nothing_the_second_time(app, api, caplog):
    ada = api.user(1001, language_code="en")
    buttons = await reply_to(api, ada, "/lang")
    data = callbacks.pack_set_language("zh")
    with caplog.at_level(logging.WARNING):
        await press(api, ada, buttons, data, "editMessageText")
        mark = api.mark()
        api.user_presses(ada, buttons, data)
        [edit] = await api.wait_for("editMessageText", since=mark)
        await asyncio.sleep(0.2)  # a failure would reach the error handler by now
        answers = api.calls("answerCallbackQuery", since=mark)
    assert not edit.ok  # Telegram refuses an edit that changes nothing
    assert [a.ok for a in answers] == [True]
    assert api.messages_in(ada.id)[-1]["text"] == "本聊天现在使用中文。"
    assert trouble(caplog) == []


async def test_a_double_tap_on_similar_papers_or_a_numbered_button_sends_one_message(
    app, api, caplog
):
    li = api.user(2001, "李", language_code="zh-hans")
    card = await reply_to(api, li, "/paper 2406.17001")
    similar = callbacks.pack_similar("2406.17001")
    with caplog.at_level(logging.WARNING):
        mark = api.mark()
        api.user_presses(li, card, similar)
        api.user_presses(li, card, similar)
        [listed] = await api.wait_for("sendMessage", since=mark)
        answers = await api.wait_for("answerCallbackQuery", 2, since=mark)
        await asyncio.sleep(0.3)  # a second list would be on its way by now
        assert len(api.calls("sendMessage", since=mark)) == 1
        assert "已经发过了，请往上翻。" in [a.params.get("text") for a in answers]
        # The list's numbered buttons: a double tap opens one card.
        opens = listed.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        mark = api.mark()
        api.user_presses(li, listed.result, opens)
        api.user_presses(li, listed.result, opens)
        await api.wait_for("sendMessage", since=mark)
        await api.wait_for("answerCallbackQuery", 2, since=mark)
        await asyncio.sleep(0.3)
        assert len(api.calls("sendMessage", since=mark)) == 1
    assert trouble(caplog) == []
