"""A card's author buttons say whom the chat follows: ✓ on an author it follows (by the same
rule as the digest: "Y. LeCun" followed is "Yann LeCun" on a card), pressed again to stop;
after each press the card's buttons are redrawn in place, votes and all. In a group only
admins change them. A card shared inline claims nothing about anyone's follows. Buttons
forged or left from an older card change nothing they do not say.

The real python-telegram-bot Application polls the fake Bot API on 127.0.0.1.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from telegram import Update

from bot.app import build_application
from bot.render import callbacks, follow_buttons
from storage import follows, papers
from storage import topics as stored_topics
from storage.db import Database
from storage.models import Paper, TopicMatch
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser, group
from tests.fakes.conversation import press, reply_to
from tests.running import running

PAPER = "2406.17001"  # Wei Zhang, Aurora Ramírez, José Raúl Romero, Jörg Müller


def reaction(chat, message: dict, user, new: list[str]) -> dict:
    return {
        "chat": chat.to_json(),
        "message_id": message["message_id"],
        "date": int(time.time()),
        "user": user.to_json(),
        "old_reaction": [],
        "new_reaction": [{"type": "emoji", "emoji": emoji} for emoji in new],
    }


def trouble(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def buttons(message: dict, prefix: str) -> list[str]:
    """The labels of the message's buttons whose data starts with `prefix`."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row if b.get("callback_data", "").startswith(prefix)]


def data_of(message: dict, label: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    [data] = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    return data


async def press_and_redraw(api, user, card: dict, data: str) -> tuple[dict, dict]:
    """`user` presses a card's button: the answer they get and the card as it looks after the
    bot redrew its buttons."""
    mark = api.mark()
    api.user_presses(user, card, data)
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    await api.wait_for("editMessageReplyMarkup", since=mark)
    return answer, api.world.messages[(card["chat"]["id"], card["message_id"])]


async def followed(seeded, chat_id: int) -> list[str]:
    async with await Database.open(seeded) as db:
        return [f.name for f in await follows.of_chat(db, chat_id)]


async def test_a_reader_follows_from_the_card_and_unfollows_by_pressing_it_again(
    app, api, seeded, caplog
):
    li = api.user(2001, "李", language_code="zh-hans")
    card = await reply_to(api, li, f"/paper {PAPER}")
    assert buttons(card, "follow:") == ["👤 关注 Zhang", "👤 关注 Ramírez"]
    with caplog.at_level(logging.WARNING):
        _, card = await press_and_redraw(api, li, card, callbacks.pack_vote("up", PAPER, "zh"))
        answer, card = await press_and_redraw(api, li, card, data_of(card, "👤 关注 Ramírez"))
        assert answer.params["text"] == (
            "👤 已关注 Aurora Ramírez：其新论文会出现在本聊天的速递中。再按一次该按钮即可取消关注。"
        )
        # Redrawn in place: the author followed shows ✓, the vote count and the rest stay.
        assert buttons(card, "follow:") == ["👤 关注 Zhang", "✓ 已关注 Ramírez"]
        assert buttons(card, "vote:") == ["👍 1", "👎", "🔖"]
        assert "English" in buttons(card, "card:lang:")
        # A card opened later knows too, and in the other language says so in that language.
        again = await reply_to(api, li, f"/paper {PAPER}")
        assert buttons(again, "follow:") == ["👤 关注 Zhang", "✓ 已关注 Ramírez"]
        english = await press(api, li, again, data_of(again, "English"), "editMessageText")
        assert buttons(english.result, "follow:") == ["👤 Follow Zhang", "✓ Following Ramírez"]

        answer, card = await press_and_redraw(api, li, card, data_of(card, "✓ 已关注 Ramírez"))
        assert answer.params["text"] == "已取消关注 Aurora Ramírez。"
        assert buttons(card, "follow:") == ["👤 关注 Zhang", "👤 关注 Ramírez"]
        assert buttons(card, "vote:") == ["👍 1", "👎", "🔖"]
        # The same ✓ pressed twice (a double tap): nothing more changes, and the reader is told.
        stale = follow_buttons.pack_stop_following(PAPER, 1, "zh")
        late = await press(api, li, card, stale, "answerCallbackQuery")
        assert late.params["text"] == "本聊天已不再关注这位作者。"
        listed = await reply_to(api, li, "/following")
        assert listed["text"].startswith("👤 本聊天还没有关注任何作者。")
    assert await followed(seeded, li.id) == []
    assert trouble(caplog) == []


async def test_a_card_drawn_before_the_chat_changed_its_follows_does_what_its_label_says(
    app, api, seeded, caplog
):
    ada = api.user(1001, language_code="en")
    card = await reply_to(api, ada, f"/paper {PAPER}")
    with caplog.at_level(logging.WARNING):
        await reply_to(api, ada, "/follow W. Zhang")
        # "Follow" on the older card does not turn into "stop following": it says so, and shows ✓.
        answer, card = await press_and_redraw(api, ada, card, data_of(card, "👤 Follow Zhang"))
        assert answer.params["text"] == "This chat already follows W. Zhang."
        assert buttons(card, "follow:") == ["✓ Following Zhang", "👤 Follow Ramírez"]
        listed = await reply_to(api, ada, "/following")
        await press(api, ada, listed, data_of(listed, "✖ 1"), "editMessageText")
        # …and a ✓ drawn before /following removed the name stops nothing, and shows 👤 again.
        answer, card = await press_and_redraw(api, ada, card, data_of(card, "✓ Following Zhang"))
        assert answer.params["text"] == "This chat does not follow that author any more."
        assert buttons(card, "follow:") == ["👤 Follow Zhang", "👤 Follow Ramírez"]
        # A card from before buttons carried their language still follows, redrawn in the chat's.
        old = f"follow:add:{PAPER}:1"
        answer, card = await press_and_redraw(api, ada, card, old)
        assert answer.params["text"].startswith("👤 Following Aurora Ramírez")
        assert buttons(card, "follow:") == ["👤 Follow Zhang", "✓ Following Ramírez"]
    assert await followed(seeded, ada.id) == ["Aurora Ramírez"]
    assert trouble(caplog) == []


async def test_in_a_group_only_an_admin_stops_following_from_the_card(app, api, seeded, caplog):
    api.world.updates.set_allowed(list(Update.ALL_TYPES))  # as `digestbot run` asks
    reading = api.add_chat(group(-500, "Reading group"))
    boss = api.user(1001, "Boss")
    bob = api.user(1002, "Bob")
    api.set_admins(reading.id, [boss.id])
    card = await reply_to(api, bob, f"/paper {PAPER}", chat=reading)
    with caplog.at_level(logging.WARNING):
        _, card = await press_and_redraw(api, boss, card, data_of(card, "👤 Follow Zhang"))
        assert buttons(card, "follow:") == ["✓ Following Zhang", "👤 Follow Ramírez"]
        # Every member sees the group's follows, on cards opened by anyone.
        bobs = await reply_to(api, bob, f"/paper {PAPER}", chat=reading)
        assert buttons(bobs, "follow:") == ["✓ Following Zhang", "👤 Follow Ramírez"]
        mark = api.mark()
        refused = await press(
            api, bob, card, data_of(card, "✓ Following Zhang"), "answerCallbackQuery"
        )
        assert refused.params["text"].startswith("Only the group's administrators can choose")
        assert refused.params["show_alert"] is True
        assert api.calls("editMessageReplyMarkup", since=mark) == []
        assert await followed(seeded, reading.id) == ["Wei Zhang"]
        # A 👍 reaction redraws the card's counts and keeps its ✓.
        mark = api.mark()
        api.inject("message_reaction", reaction(reading, card, bob, ["👍"]))
        await api.wait_for("editMessageReplyMarkup", since=mark)
        card = api.world.messages[(reading.id, card["message_id"])]
        assert buttons(card, "vote:") == ["👍 1", "👎", "🔖"]
        assert buttons(card, "follow:") == ["✓ Following Zhang", "👤 Follow Ramírez"]
        answer, card = await press_and_redraw(api, boss, card, data_of(card, "✓ Following Zhang"))
        assert answer.params["text"] == "No longer following Wei Zhang."
        assert buttons(card, "follow:") == ["👤 Follow Zhang", "👤 Follow Ramírez"]
    assert await followed(seeded, reading.id) == []
    assert trouble(caplog) == []


async def test_forged_stop_buttons_change_nothing(app, api, seeded, caplog):
    ada = api.user(1001)
    await reply_to(api, ada, "/follow Wei Zhang")
    card = await reply_to(api, ada, f"/paper {PAPER}")
    forged = [
        f"follow:off:{PAPER}:0",  # stopping always names the card's language
        f"follow:off:{PAPER}:0:fr",
        f"follow:off:{PAPER}:2:en",
        f"follow:off:{PAPER}v1:0:en",
        "follow:off:2101.99999:0:en",
        f"follow:add:{PAPER}:0:xx",
        f"follow:off:{PAPER}:0:en:1",
        "follow:on:" + PAPER + ":0:en",
    ]
    with caplog.at_level(logging.WARNING):
        for data in forged:
            answer = await press(api, ada, card, data, "answerCallbackQuery")
            assert answer.params.get("text") == "This button has expired.", data
    assert await followed(seeded, ada.id) == ["Wei Zhang"]
    assert trouble(caplog) == []


async def test_a_card_shared_inline_claims_no_follows_and_never_offers_to_stop(
    app, api, seeded, caplog
):
    ada = api.user(1001)
    await reply_to(api, ada, "/follow Wei Zhang")
    mark = api.mark()
    api.user_queries_inline(ada, PAPER)
    [answer] = await api.wait_for("answerInlineQuery", since=mark)
    [result] = [r for r in answer.params["results"] if r["id"] == PAPER]
    assert buttons(result, "follow:") == ["👤 Follow Zhang", "👤 Follow Ramírez"]
    shared = api.user_shares_inline_result(ada, answer.params, PAPER)
    with caplog.at_level(logging.WARNING):
        mark = api.mark()
        api.user_presses_inline(ada, shared, follow_buttons.pack_follow(PAPER, 0, "en"))
        [toast] = await api.wait_for("answerCallbackQuery", since=mark)
        assert toast.params["text"] == (
            "You already follow Wei Zhang in your private chat with me; /following there lists "
            "and removes whom you follow."
        )
        mark = api.mark()
        api.user_presses_inline(ada, shared, follow_buttons.pack_stop_following(PAPER, 0, "en"))
        [toast] = await api.wait_for("answerCallbackQuery", since=mark)
        assert toast.params["text"] == "This button has expired."
        # A vote redraws the shared card: still no ✓, whoever follows whom.
        mark = api.mark()
        api.user_presses_inline(ada, shared, callbacks.pack_vote("up", PAPER, "en"))
        await api.wait_for("editMessageReplyMarkup", since=mark)
    assert buttons(api.world.inline_messages[shared], "follow:") == [
        "👤 Follow Zhang",
        "👤 Follow Ramírez",
    ]
    assert await followed(seeded, ada.id) == ["Wei Zhang"]
    assert trouble(caplog) == []


async def test_a_reader_who_follows_the_most_is_told_so_for_the_private_chat_from_inline(
    app, api, seeded, caplog
):
    bob = api.user(1002, "Bob")
    async with await Database.open(seeded) as db:
        for n in range(follows.MAX_PER_CHAT):
            await follows.follow(db, bob.id, f"author{n}|", f"Author{n}", bob.id)
    mark = api.mark()
    api.user_queries_inline(bob, PAPER)
    [answer] = await api.wait_for("answerInlineQuery", since=mark)
    shared = api.user_shares_inline_result(bob, answer.params, PAPER)
    with caplog.at_level(logging.WARNING):
        mark = api.mark()
        api.user_presses_inline(bob, shared, follow_buttons.pack_follow(PAPER, 0, "en"))
        [toast] = await api.wait_for("answerCallbackQuery", since=mark)
    assert toast.params["text"] == (
        "You follow 50 authors in your private chat with me, the most you can; remove one with "
        "/following there first."
    )
    assert len(await followed(seeded, bob.id)) == follows.MAX_PER_CHAT
    assert trouble(caplog) == []


ADA = FakeUser(501, "Ada", language_code="en")
JUNE_18 = datetime(2024, 6, 18, 8, tzinfo=UTC)  # in the fortnight of 17–30 June 2024


async def add(rt, arxiv_id: str, authors: tuple[str, ...], topics=()) -> None:
    paper = Paper(
        arxiv_id,
        1,
        f"Findings of {arxiv_id}",
        authors,
        "An abstract.",
        ("cs.CL",),
        submitted=JUNE_18,
        announced=JUNE_18,
        announce_type="new",
    )
    stored = (await papers.upsert(rt.db, [paper])).changed[0]
    await stored_topics.assign(rt.db, [(stored.id, [TopicMatch(slug, 1.0) for slug in topics])])


async def digest_text(api) -> str:
    mark = api.mark()
    api.user_says(ADA, "/digest")
    calls = await api.wait_for("sendMessage", since=mark)
    return calls[-1].result["text"]


async def test_an_author_followed_by_initials_shows_followed_and_unfollowing_empties_the_digest(
    tmp_path, api, caplog
):
    path = tmp_path / "chat.sqlite3"
    rt = await world.runtime(path)
    await add(rt, "2406.20030", ("Ada Lovelace",), ["rag"])
    await add(rt, "2406.20031", ("Yann LeCun", "Léon Bottou"))  # in no topic of the chat
    await add(rt, "2406.20032", ("Y. LeCun",))
    # Subscribed after the last push was due: no push runs while the test reads /digest.
    await world.subscribe(rt, ADA.id, ["rag"], since=datetime(2024, 6, 20, tzinfo=UTC))
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    clock = lambda: datetime(2024, 6, 26, 12, tzinfo=UTC)  # noqa: E731
    with caplog.at_level(logging.WARNING):
        async with running(build_application(settings, clock=clock)):
            await reply_to(api, ADA, "/follow Y. LeCun")
            card = await reply_to(api, ADA, "/paper 2406.20031")
            assert buttons(card, "follow:") == ["✓ Following LeCun", "👤 Follow Bottou"]
            before = await digest_text(api)
            assert "▍👤 From authors you follow" in before
            assert "👤 Yann LeCun" in before
            answer, card = await press_and_redraw(
                api, ADA, card, data_of(card, "✓ Following LeCun")
            )
            assert answer.params["text"] == "No longer following Y. LeCun."
            assert buttons(card, "follow:") == ["👤 Follow LeCun", "👤 Follow Bottou"]
            listed = await reply_to(api, ADA, "/following")
            assert listed["text"].startswith("👤 This chat follows no authors yet.")
            assert "From authors you follow" not in await digest_text(api)

            # Two authors the chat follows both count as "Y. LeCun": stopping drops both, so
            # the card's ✓ and the digest's section agree afterwards.
            await reply_to(api, ADA, "/follow Yann LeCun")
            await reply_to(api, ADA, "/follow Yves LeCun")
            card = await reply_to(api, ADA, "/paper 2406.20032")
            assert buttons(card, "follow:") == ["✓ Following LeCun"]
            answer, card = await press_and_redraw(
                api, ADA, card, data_of(card, "✓ Following LeCun")
            )
            assert answer.params["text"] == "No longer following Yann LeCun, Yves LeCun."
            assert "From authors you follow" not in await digest_text(api)
    assert trouble(caplog) == []


async def test_an_open_following_list_shows_what_the_cards_buttons_changed(
    app, api, seeded, caplog
):
    li = api.user(2001, "李", language_code="zh-hans")
    card = await reply_to(api, li, f"/paper {PAPER}")
    with caplog.at_level(logging.WARNING):
        await press_and_redraw(api, li, card, data_of(card, "👤 关注 Zhang"))
        _, card = await press_and_redraw(api, li, card, data_of(card, "👤 关注 Ramírez"))
        listing = await reply_to(api, li, "/following")
        key = (listing["chat"]["id"], listing["message_id"])
        assert "1. Wei Zhang\n2. Aurora Ramírez" in listing["text"]
        # ✓ on the card stops following Zhang: the list above is redrawn without him.
        mark = api.mark()
        _, card = await press_and_redraw(api, li, card, data_of(card, "✓ 已关注 Zhang"))
        await api.wait_for("editMessageText", since=mark)
        shown = api.world.messages[key]
        assert "本聊天关注了 1 位作者" in shown["text"]
        assert "Wei Zhang" not in shown["text"]
        assert buttons(shown, "follow:rm:") == ["✖ 1"]
        # Followed again from the card, he is back on the list.
        mark = api.mark()
        await press_and_redraw(api, li, card, data_of(card, "👤 关注 Zhang"))
        await api.wait_for("editMessageText", since=mark)
        assert "1. Aurora Ramírez\n2. Wei Zhang" in api.world.messages[key]["text"]
        # A list the chat deleted meanwhile is no reason to fail the press.
        del api.world.messages[key]
        answer, card = await press_and_redraw(api, li, card, data_of(card, "✓ 已关注 Ramírez"))
        assert answer.params["text"] == "已取消关注 Aurora Ramírez。"
        # Typing /follow redraws the list the same way.
        again = await reply_to(api, li, "/following")
        mark = api.mark()
        await reply_to(api, li, "/follow Jörg Müller")
        await api.wait_for("editMessageText", since=mark)
        redrawn = api.world.messages[(again["chat"]["id"], again["message_id"])]
        assert "1. Wei Zhang\n2. Jörg Müller" in redrawn["text"]
        # ✖ on a newer list redraws the older one too.
        newer = await reply_to(api, li, "/following")
        mark = api.mark()
        await press(api, li, newer, data_of(newer, "✖ 1"), "answerCallbackQuery")
        await api.wait_for("editMessageText", 2, since=mark)
        redrawn = api.world.messages[(again["chat"]["id"], again["message_id"])]
        assert "1. Jörg Müller" in redrawn["text"]
        assert "Wei Zhang" not in redrawn["text"]
    assert await followed(seeded, li.id) == ["Jörg Müller"]
    assert trouble(caplog) == []


async def test_a_follow_from_a_card_shared_inline_shows_on_the_private_following_list(
    app, api, seeded, caplog
):
    li = api.user(2001, "李", language_code="zh-hans")
    listing = await reply_to(api, li, "/following")
    mark = api.mark()
    api.user_queries_inline(li, PAPER)
    [answer] = await api.wait_for("answerInlineQuery", since=mark)
    shared = api.user_shares_inline_result(li, answer.params, PAPER)
    with caplog.at_level(logging.WARNING):
        mark = api.mark()
        api.user_presses_inline(li, shared, follow_buttons.pack_follow(PAPER, 1, "zh"))
        await api.wait_for("answerCallbackQuery", since=mark)
        await api.wait_for("editMessageText", since=mark)
    shown = api.world.messages[(listing["chat"]["id"], listing["message_id"])]
    assert "本聊天关注了 1 位作者" in shown["text"]
    assert "1. Aurora Ramírez" in shown["text"]
    assert await followed(seeded, li.id) == ["Aurora Ramírez"]
    assert trouble(caplog) == []
