"""Any issue, any time: `/digest` for a month, a day or the fortnight before (in English and
Chinese words), ◀ ▶ under a digest to walk between issues, and `/issues` listing them; the
bot's clock is set in the fortnight of 17–30 June 2024."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app import build_application
from tests import cldr
from tests import digest_world as world
from tests.fakes.bot_api_updates import FakeUser, group
from tests.fakes.conversation import press, reply_to
from tests.running import running

NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)  # a Wednesday in the fortnight of 17–30 June
ADA = FakeUser(601, "Ada", language_code="en")
LI = FakeUser(602, "Li", language_code="zh-CN")
JUNE_3, JUNE_17 = date(2024, 6, 3), date(2024, 6, 17)


@pytest.fixture
async def chat_app(tmp_path, api):
    path = tmp_path / "issues.sqlite3"
    rt = await world.runtime(path)
    await world.add_paper(rt, "2406.10001", datetime(2024, 6, 18, tzinfo=UTC), {"rag": 1.0},
                          title="Retrieval now")  # fmt: skip
    await world.add_paper(rt, "2406.10002", datetime(2024, 6, 5, tzinfo=UTC), {"rag": 1.0},
                          title="Retrieval in early June")  # fmt: skip
    await world.add_paper(rt, "2405.10003", datetime(2024, 5, 22, tzinfo=UTC), {"rag": 1.0},
                          title="Retrieval in May")  # fmt: skip
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)) as application:
        yield application


def buttons(message: dict) -> list[dict]:
    """The buttons that walk issues (a digest's numbered buttons open its papers' cards)."""
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    every = [button for row in markup["inline_keyboard"] for button in row]
    return [b for b in every if not b.get("callback_data", "").startswith("card:")]


def button(message: dict, starting: str) -> dict:
    [found] = [b for b in buttons(message) if b["text"].startswith(starting)]
    return found


async def test_a_day_opens_the_fortnight_that_holds_it_in_both_languages(chat_app, api):
    sent = await reply_to(api, ADA, "/digest rag 2024-06-05")
    assert "Retrieval in early June" in sent["text"]
    assert "Retrieval now" not in sent["text"]
    assert cldr.en_period(JUNE_3, date(2024, 6, 16)) in sent["text"]
    sent = await reply_to(api, LI, "/digest 检索增强生成 2024年6月16日")
    assert "2024年6月3日至16日" in sent["text"]
    assert "Retrieval in early June" in sent["text"]


async def test_a_topic_named_in_several_words_or_several_topics_with_a_date(chat_app, api):
    sent = await reply_to(api, ADA, "/digest Retrieval-augmented generation 2024-06-05")
    assert "Retrieval in early June" in sent["text"]
    sent = await reply_to(api, LI, "/digest 2024-06-05 rag agents")
    assert "▍RAG" in sent["text"]
    assert "Retrieval in early June" in sent["text"]
    sent = await reply_to(api, ADA, "/digest rag quantum 2024-06")
    assert sent["text"].startswith("Unknown topic “quantum”.")


async def test_a_month_opens_its_first_fortnight_and_says_so(chat_app, api):
    sent = await reply_to(api, ADA, "/digest rag 2024-06")
    assert "This month has 2 fortnights: here is the first, ▶ opens the next." in sent["text"]
    assert "Retrieval in early June" in sent["text"]
    sent = await reply_to(api, LI, "/digest rag 2024年6月")
    assert "这个月有 2 期：这是第一期，点 ▶ 看下一期。" in sent["text"]
    sent = await reply_to(api, LI, "/digest rag 2024年6月后2周")
    assert "Retrieval now" in sent["text"]


async def test_previous_in_chinese_and_a_date_not_yet_begun(chat_app, api):
    sent = await reply_to(api, LI, "/digest rag 上一期")
    assert "2024年6月3日至16日" in sent["text"]
    labels = [b["text"] for b in buttons(sent)]
    assert labels == ["◀ 2024年5月20日至6月2日", "2024年6月17日至30日 ▶"]
    sent = await reply_to(api, ADA, "/digest rag 2024-07-20")
    assert sent["text"] == "That fortnight has not begun yet. /digest shows this one so far."
    sent = await reply_to(api, LI, "/digest rag 2024-02-30")
    assert sent["text"].startswith("“2024-02-30”不是有效日期。")


async def test_the_arrows_walk_to_the_issues_before_and_after(chat_app, api):
    now = await reply_to(api, ADA, "/digest rag")
    assert [b["text"] for b in buttons(now)] == ["◀ " + cldr.en_period(JUNE_3, date(2024, 6, 16))]
    before = await press(api, ADA, now, buttons(now)[0]["callback_data"], "sendMessage")
    assert "Retrieval in early June" in before.result["text"]
    labels = [b["text"] for b in buttons(before.result)]
    assert labels[0].startswith("◀ ")  # May has papers, so there is an earlier issue
    assert labels[1] == cldr.en_period(JUNE_17, date(2024, 6, 30)) + " ▶"
    forward = buttons(before.result)[1]["callback_data"]
    again = await press(api, ADA, before.result, forward, "sendMessage")
    assert "Retrieval now" in again.result["text"]


async def test_a_double_tap_sends_the_issue_once(chat_app, api):
    now = await reply_to(api, ADA, "/digest rag")
    back = buttons(now)[0]["callback_data"]
    await press(api, ADA, now, back, "sendMessage")
    mark = api.mark()
    api.user_presses(ADA, now, back)
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert answer.params["text"] == "Already sent above."
    assert api.calls("sendMessage", since=mark) == []


@pytest.mark.parametrize(
    "forged",
    [
        "digest:20240618:rag",  # not the first day of a fortnight
        "digest:20240715:rag",  # a fortnight not yet begun
        "digest:20240617:quantum",  # no such topic
        "digest:20241317:rag",  # no such day
        "digest:20240617",
        "issues:0",
    ],
)
async def test_forged_buttons_are_told_they_expired(chat_app, api, forged):
    now = await reply_to(api, ADA, "/digest rag")
    mark = api.mark()
    api.user_presses(ADA, now, forged)
    [answer] = await api.wait_for("answerCallbackQuery", since=mark)
    assert answer.params["text"] == "This button has expired."
    assert api.calls("sendMessage", since=mark) == []


async def test_issues_lists_fortnights_newest_first_and_each_opens_its_digest(chat_app, api):
    await reply_to(api, ADA, "/subscribe rag")
    listed = await reply_to(api, ADA, "/issues")
    assert listed["text"].startswith("Past issues")
    labels = [b["text"] for b in buttons(listed)]
    assert labels == [
        cldr.en_period(JUNE_17, date(2024, 6, 30)) + " · 1 paper · in progress",
        cldr.en_period(JUNE_3, date(2024, 6, 16)) + " · 1 paper",
        cldr.en_period(date(2024, 5, 20), date(2024, 6, 2)) + " · 1 paper",
    ]
    opened = await press(api, ADA, listed, buttons(listed)[2]["callback_data"], "sendMessage")
    assert "Retrieval in May" in opened.result["text"]


async def test_issues_in_a_chinese_group_and_its_pages(tmp_path, api):
    path = tmp_path / "many.sqlite3"
    rt = await world.runtime(path)
    for n in range(12):  # twelve fortnights, each with a paper
        day = datetime(2024, 6, 18, tzinfo=UTC) - timedelta(days=14 * n)
        await world.add_paper(rt, f"2406.2{n:04d}", day, {"agents": 1.0})
    await rt.close()
    settings = world.settings(path, api, DIGESTBOT_JOBS="push")
    async with running(build_application(settings, clock=lambda: NOW)):
        room = group(-900, "读书会")
        listed = await reply_to(api, LI, "/issues", chat=room)
        assert listed["text"].startswith("往期 · 第 1 页，共 2 页")
        assert buttons(listed)[0]["text"] == "2024年6月17日至30日 · 1 篇论文 · 进行中"
        assert buttons(listed)[1]["text"] == "2024年6月3日至16日 · 1 篇论文"
        older = button(listed, "较早")["callback_data"]
        turned = await press(api, LI, listed, older, "editMessageText")
        assert turned.result["text"].startswith("往期 · 第 2 页，共 2 页")
        assert [b["text"] for b in buttons(turned.result)][-1] == "◀ 较新"
        opened = await press(api, LI, turned.result, buttons(turned.result)[0]["callback_data"],
                             "sendMessage")  # fmt: skip
        # The group subscribed to nothing: it sees every topic, and who chooses where.
        assert opened.result["text"].startswith(
            "本群还没有订阅主题，以下是全部主题；群管理员可在 /topics 中选择。"
        )
        assert "▍智能体" in opened.result["text"]
