"""The command menus by scope: private chats see every command, a group's members the ones
they may use, its admins the ones that change the group too; in English and Chinese."""

from __future__ import annotations

import logging
import re

from bot import config
from bot.app import build_application
from tests.fakes.conversation import reply_to
from tests.running import running

ADMIN_ONLY = {"topics", "subscribe", "unsubscribe", "settings", "lang", "follow"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def names(commands: list[dict]) -> list[str]:
    return [command["command"] for command in commands]


async def test_group_members_see_what_they_may_use_and_admins_also_what_changes_the_group(app, api):
    for code in ("", "zh"):
        private = names(api.commands({"type": "all_private_chats"}, code))
        members = names(api.commands({"type": "all_group_chats"}, code))
        admins = names(api.commands({"type": "all_chat_administrators"}, code))
        assert {"start", "digest", "search"} | ADMIN_ONLY <= set(private)
        assert {"help", "digest", "issues", "search", "paper"} <= set(members)
        assert {"saved", "export", "following"} <= set(members)
        assert not ADMIN_ONLY & set(members)
        assert set(admins) == set(members) | ADMIN_ONLY
        assert names(api.commands(language_code=code)) == private  # clients without scopes


async def test_each_menu_is_described_in_its_language(app, api):
    for scope in ("all_private_chats", "all_group_chats", "all_chat_administrators"):
        english = api.commands({"type": scope})
        chinese = api.commands({"type": scope}, "zh")
        assert names(english) == names(chinese) != []
        assert all(CJK.search(command["description"]) for command in chinese)
        assert not any(CJK.search(command["description"]) for command in english)


async def test_a_refused_menu_costs_one_log_line_and_the_bot_still_answers(api, seeded, caplog):
    api.fail_next("setMyCommands", 400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    api.fail_next("setMyCommands", 400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    settings = config.load(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_DB": str(seeded),
            "DIGESTBOT_JOBS": "push",
        },
        env_file=None,
    )
    with caplog.at_level(logging.WARNING, logger="bot.menus"):
        async with running(build_application(settings)):
            ada = api.user(1001)
            assert (await reply_to(api, ada, "/start"))["text"].startswith("Hello, Ada!")
    [line] = [r for r in caplog.records if r.name == "bot.menus"]
    assert "2 of 8 command menus" in line.getMessage()
    assert "bot_command_description_invalid" in line.getMessage().lower()
    assert names(api.commands({"type": "all_group_chats"}, "zh"))  # the rest were published
