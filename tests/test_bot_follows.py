"""Following authors: `/follow` with names written any way (and odd ones refused), the 👤
buttons under a card, `/following` with its ✖ buttons; in a group only admins follow for the
group and the reply says so; forged buttons change nothing.

The real python-telegram-bot Application polls the fake Bot API on 127.0.0.1.
"""

from __future__ import annotations

import logging

from bot.render import follow_buttons
from storage import follows
from storage.db import Database
from tests.fakes.bot_api_updates import group
from tests.fakes.conversation import press, reply_to

PAPER = "2406.17001"  # Wei Zhang, Aurora Ramírez, José Raúl Romero, Jörg Müller


def trouble(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def labels(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def data_of(message: dict, label: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    [data] = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    return data


async def followed(seeded, chat_id: int) -> list[str]:
    async with await Database.open(seeded) as db:
        return [f.name for f in await follows.of_chat(db, chat_id)]


async def test_a_reader_follows_by_name_written_any_way_and_lists_and_removes(
    app, api, seeded, caplog
):
    ada = api.user(1001, language_code="en")
    with caplog.at_level(logging.WARNING):
        done = await reply_to(api, ada, "/follow   Ramírez,   Aurora ")
        assert done["text"].startswith("👤 Following Aurora Ramírez: their new papers")
        assert "“From authors you follow”" in done["text"]
        # Following alone brings no digest: the reader is told where topics are chosen.
        assert done["text"].endswith("so no digest comes: choose in /topics.")
        again = await reply_to(api, ada, "/follow A. Ramirez")
        assert again["text"] == "This chat already follows Aurora Ramírez."
        await reply_to(api, ada, "/follow Jörg Müller")
        listed = await reply_to(api, ada, "/following")
        assert "This chat follows 2 authors" in listed["text"]
        assert "1. Aurora Ramírez\n2. Jörg Müller" in listed["text"]
        assert labels(listed) == ["✖ 1", "✖ 2"]
        answer = await press(api, ada, listed, data_of(listed, "✖ 1"), "answerCallbackQuery")
        assert answer.params["text"] == "No longer following Aurora Ramírez."
        await api.wait_for("editMessageText", since=answer.index)
        now = api.world.messages[(listed["chat"]["id"], listed["message_id"])]
        assert "1. Jörg Müller" in now["text"]
        # A double tap on the same ✖: nothing more goes, and the reader is told.
        late = await press(api, ada, listed, data_of(listed, "✖ 1"), "answerCallbackQuery")
        assert late.params["text"] == "This chat does not follow that author any more."
    assert await followed(seeded, ada.id) == ["Jörg Müller"]
    assert trouble(caplog) == []


async def test_odd_names_are_refused_with_the_usage_in_both_languages(app, api, seeded, caplog):
    ada = api.user(1001, language_code="en")
    li = api.user(2001, "李", language_code="zh-hans")
    with caplog.at_level(logging.WARNING):
        usage = await reply_to(api, ada, "/follow")
        assert usage["text"].startswith("Usage: /follow <author name>")
        for odd in ("🤖 🚀", "Y. L.", "x" * 300, "<b>&amp;</b> ,,,"):
            refused = await reply_to(api, ada, f"/follow {odd}")
            assert "is not an author's name I can follow." in refused["text"], odd
            assert len(refused["text"]) < 400
        refused = await reply_to(api, li, "/follow 🤖")
        assert refused["text"].startswith("“🤖”不是可以关注的作者姓名。\n用法：/follow")
        empty = await reply_to(api, li, "/following")
        assert empty["text"].startswith("👤 本聊天还没有关注任何作者。")
    assert await followed(seeded, ada.id) == []
    assert trouble(caplog) == []


async def test_a_surname_alone_is_followed_and_the_reader_told_it_counts_every_such_author(
    app, api, seeded, caplog
):
    ada = api.user(1001, language_code="en")
    li = api.user(2001, "李", language_code="zh-hans")
    with caplog.at_level(logging.WARNING):
        broad = await reply_to(api, ada, "/follow Zhang")
        assert broad["text"].startswith("👤 Following Zhang: their new papers")
        assert (
            "A surname alone counts every author named Zhang: add a first name or an initial "
            "to follow one person, as in /follow A. Zhang."
        ) in broad["text"]
        chinese = await reply_to(api, li, "/follow Müller")
        assert (
            "只写姓氏会把所有姓 Müller 的作者都算进来；只想关注其中一位的话，请加上名字或"
            "名字的首字母，例如 /follow A. Müller。"
        ) in chinese["text"]
        # A full name, or a name in Chinese characters, is one person: nothing to add.
        for whole in ("Wei Zhang", "张伟"):
            narrow = await reply_to(api, li, f"/follow {whole}")
            assert "只写姓氏" not in narrow["text"]
    assert await followed(seeded, ada.id) == ["Zhang"]
    assert trouble(caplog) == []


async def test_the_cards_follow_buttons_follow_its_first_authors(app, api, seeded, caplog):
    li = api.user(2001, "李", language_code="zh-hans")
    card = await reply_to(api, li, f"/paper {PAPER}")
    assert "👤 关注 Zhang" in labels(card)
    assert "👤 关注 Ramírez" in labels(card)
    with caplog.at_level(logging.WARNING):
        answer = await press(
            api, li, card, follow_buttons.pack_follow(PAPER, 1), "answerCallbackQuery"
        )
        assert answer.params["text"] == (
            "👤 已关注 Aurora Ramírez：其新论文会出现在本聊天的速递中。再按一次该按钮即可取消关注。"
        )
        answer = await press(
            api, li, card, follow_buttons.pack_follow(PAPER, 1), "answerCallbackQuery"
        )
        assert answer.params["text"] == "本聊天已经关注了 Aurora Ramírez。"
    assert await followed(seeded, li.id) == ["Aurora Ramírez"]
    assert trouble(caplog) == []


async def test_in_a_group_only_admins_follow_for_the_group_and_are_told_so(
    app, api, seeded, caplog
):
    reading = api.add_chat(group(-500, "Reading group"))
    boss = api.user(1001, "Boss")
    bob = api.user(1002, "Bob")
    api.set_admins(reading.id, [boss.id])
    with caplog.at_level(logging.WARNING):
        refused = await reply_to(api, bob, "/follow Wei Zhang", chat=reading)
        assert refused["text"].startswith("Only the group's administrators can choose")
        card = await reply_to(api, bob, f"/paper {PAPER}", chat=reading)
        answer = await press(
            api, bob, card, follow_buttons.pack_follow(PAPER, 0), "answerCallbackQuery"
        )
        assert answer.params["text"].startswith("Only the group's administrators")
        assert answer.params["show_alert"] is True
        done = await reply_to(api, boss, "/follow Wei Zhang", chat=reading)
        assert done["text"].startswith("👤 Following Wei Zhang")
        assert done["text"].endswith("Only the group's administrators can change whom it follows.")
        listed = await reply_to(api, bob, "/following", chat=reading)  # anyone may look
        answer = await press(api, bob, listed, data_of(listed, "✖ 1"), "answerCallbackQuery")
        assert answer.params["text"].startswith("Only the group's administrators")
    assert await followed(seeded, reading.id) == ["Wei Zhang"]
    assert trouble(caplog) == []


async def test_a_chinese_member_who_presses_a_groups_unfollow_is_told_who_decides(
    app, api, seeded, caplog
):
    room = api.add_chat(group(-501, "读书会"))
    boss = api.user(2001, "老板", language_code="zh-hans")
    wang = api.user(2002, "王", language_code="zh-hans")
    api.set_admins(room.id, [boss.id])
    with caplog.at_level(logging.WARNING):
        await reply_to(api, boss, "/follow Wei Zhang", chat=room)
        listed = await reply_to(api, wang, "/following", chat=room)
        answer = await press(api, wang, listed, data_of(listed, "✖ 1"), "answerCallbackQuery")
        # Stopping is following too: the refusal speaks of both, not only of adding one.
        assert answer.params["text"].startswith(
            "关注作者会改变全群收到的速递，所以只有群管理员能决定本群关注哪些作者。"
        )
    assert await followed(seeded, room.id) == ["Wei Zhang"]
    assert trouble(caplog) == []


async def test_forged_follow_buttons_change_nothing(app, api, seeded, caplog):
    ada = api.user(1001)
    card = await reply_to(api, ada, "/paper hep-th/9901001")  # a single author
    assert [label for label in labels(card) if label.startswith("👤")] == ["👤 Follow Witten"]
    forged = [
        "follow:add:hep-th/9901001:1",  # no second author
        "follow:add:2101.99999:0",
        f"follow:add:{PAPER}:2",
        f"follow:add:{PAPER}:-1",
        f"follow:add:{PAPER}v2:0",
        f"follow:add:{PAPER}:０",
        "follow:rm:zz",
        "follow:rm:" + "a" * 11,
        "follow:",
        "follow:add:" + "9" * 60,
    ]
    with caplog.at_level(logging.WARNING):
        for data in forged:
            answer = await press(api, ada, card, data, "answerCallbackQuery")
            assert answer.params.get("text") == "This button has expired.", data
        unknown = await press(api, ada, card, "follow:rm:" + "a" * 10, "answerCallbackQuery")
        assert unknown.params["text"] == "This chat does not follow that author any more."
    assert await followed(seeded, ada.id) == []
    assert trouble(caplog) == []


async def test_a_follow_pressed_on_a_card_shared_inline_follows_in_the_pressers_private_chat(
    app, api, seeded, caplog
):
    ada = api.user(1001)
    bob = api.user(1002, "Bob", language_code="zh")
    mark = api.mark()
    api.user_queries_inline(ada, PAPER)
    [answer] = await api.wait_for("answerInlineQuery", since=mark)
    shared = api.user_shares_inline_result(ada, answer.params, PAPER)
    with caplog.at_level(logging.WARNING):
        mark = api.mark()
        api.user_presses_inline(bob, shared, follow_buttons.pack_follow(PAPER, 0))
        [toast] = await api.wait_for("answerCallbackQuery", since=mark)
    assert (
        toast.params["text"]
        == "👤 已在你和我的私聊中关注 Wei Zhang，其新论文会出现在私聊的速递中。"
    )
    assert await followed(seeded, bob.id) == ["Wei Zhang"]
    assert await followed(seeded, ada.id) == []
    assert trouble(caplog) == []
