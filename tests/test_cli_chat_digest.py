"""`digestbot digest --chat CHAT_ID`: the digest one chat would get (its subscriptions, its
language, its own ranking once it voted), as an operator checks it from the shell."""

from __future__ import annotations

from tests import digest_world as world
from tests import taste_world
from tests.taste_world import order_in
from tests.test_cli import one_json_object, run

JUNE = ("--period", "2024-06-20")


async def seed(tmp_path) -> dict[str, str]:
    rt = await world.runtime(tmp_path / "db.sqlite3")
    ids = await taste_world.two_fortnights(rt)
    await world.subscribe(rt, 701, ["llm"])
    await world.subscribe(rt, 702, ["llm"])
    await world.subscribe(rt, 703, ["llm"], language="zh")
    await world.subscribe(rt, 704, [])
    await rt.close()
    return ids


def kinds(text: str, ids: dict[str, str]) -> list[str]:
    return [name.split("-")[0] for name in order_in(text, ids)]


async def test_a_chat_that_voted_reads_its_own_ranking_and_one_that_did_not_the_shared_one(
    tmp_path,
):
    ids = await seed(tmp_path)
    for name, vote in (("speech-old-1", "up"), ("speech-old-2", "up"), ("code-5", "down")):
        code, _, err = await run(tmp_path, "feedback", "701", ids[name], vote)
        assert code == 0, err
    code, out, _ = await run(tmp_path, "digest", "--chat", "701", *JUNE, "--json")
    own = one_json_object(out)
    assert code == 0
    assert own["period"] == ["2024-06-17", "2024-06-30"]
    assert kinds(own["parts"][0], ids) == ["speech"] * 4 + ["code"] * 4
    code, out, _ = await run(tmp_path, "digest", "--chat", "702", *JUNE, "--json")
    shared = one_json_object(out)
    code, out, _ = await run(tmp_path, "digest", "--topic", "llm", "--lang", "en", *JUNE, "--json")
    assert shared["parts"] == one_json_object(out)["parts"]


async def test_the_text_form_prints_the_messages_in_the_chats_language(tmp_path):
    ids = await seed(tmp_path)
    code, out, _ = await run(tmp_path, "digest", "--chat", "703", *JUNE)
    assert code == 0
    assert "2024年6月17日至30日" in out
    assert kinds(out, ids)[:5] == ["code"] * 5
    code, out, _ = await run(tmp_path, "digest", "--chat", "703", *JUNE, "--lang", "en")
    assert "Papers that mattered, Jun 17" in out
    code, out, _ = await run(tmp_path, "digest", "--chat", "704", *JUNE)
    assert (code, out.strip()) == (0, "chat 704 has no subscriptions: it gets no digest")


async def test_explain_says_whose_ranking_and_adds_the_taste_to_each_score(tmp_path):
    ids = await seed(tmp_path)
    for name, vote in (("speech-old-1", "up"), ("speech-old-2", "save"), ("code-1", "down")):
        await run(tmp_path, "feedback", "701", ids[name], vote)
    code, out, _ = await run(tmp_path, "digest", "--chat", "701", *JUNE, "--explain")
    assert code == 0
    assert out.startswith(
        "chat 701: its own ranking, the shared score plus its taste;"
        " 3 papers voted on (2 liked, 1 voted down)"
    )
    assert "the chat's taste" in out
    code, out, _ = await run(tmp_path, "digest", "--chat", "701", *JUNE, "--explain", "--json")
    found = one_json_object(out)
    assert found["ranking"] == {"own": True, "taste": True, "liked": 2, "voted_down": 1}
    [section] = found["explain"]
    first = section["papers"][0]
    assert first["parts"]["taste"] > 0
    assert first["taste"] > 0
    assert ids["code-1"] not in [paper["arxiv_id"] for paper in section["papers"]]


async def test_an_unknown_chat_is_one_clear_line_and_a_failure(tmp_path):
    await seed(tmp_path)
    code, out, err = await run(tmp_path, "digest", "--chat", "999", "--json")
    assert code == 1
    assert one_json_object(out) == {
        "error": "chat 999 is not known: it has never written to the bot"
    }
    assert err.count("\n") == 1
    code, _, err = await run(tmp_path, "digest", "--chat", "general")
    assert (code, "a Telegram chat or user id" in err) == (2, True)
    code, out, err = await run(tmp_path, "digest", "--chat", "701", "--topic", "rag", "--json")
    assert code == 2
    assert "leave out --topic" in one_json_object(out)["error"]
