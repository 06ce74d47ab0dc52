"""A summary model chooses papers' topics among the configured ones, in the request that writes
their summaries, through a fake OpenAI-compatible server: its choice replaces the keyword
rules' (an editor's heading stays), ranks high, survives a new match by the rules, and an
answer naming topics that do not exist changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.digest import ranking
from bot.digest.issues import to_signals, topic_issue
from bot.summarize import topic_choice
from bot.summarize.service import summarize_pending
from bot.topics import config as topic_config
from storage import editor_picks, summaries
from storage import summary_requests as ledger
from storage import topics as stored_topics
from storage.db import Database
from storage.models import PickedItem, Topic, TopicMatch
from storage.ranking_inputs import Candidate
from tests.fakes.openai_server import FakeOpenAI
from tests.summary_world import NOW, add, paper, settings, subscribe
from tests.test_cli import one_json_object, run

DAY = timedelta(days=1)
PERIOD = date(2024, 6, 17)  # the fortnight of NOW
TOPICS = topic_config.load()
RESHAPE = (
    "We reassemble broken 3D shapes from their fractured parts. A safe and robust alignment of"
    " the fragments' point clouds recovers the object, and we evaluate on a benchmark of"
    " everyday objects."
)


@pytest.fixture
async def llm():
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def ids(db: Database) -> dict[str, int]:
    """A 3D reassembly paper the rules put under safety, and a RAG paper they put there too."""
    found = await add(
        db,
        [
            (paper(1, "Jigsaw: 3D Shape Reassembly from Fractured Parts", NOW - DAY), "safety"),
            (paper(2, "Retrieval-augmented generation for long documents", NOW - DAY), "safety"),
        ],
    )
    await stored_topics.sync(db, TOPICS)
    await subscribe(db, 1, topic="safety")
    return found


async def topics_of(db: Database, paper_id: int) -> list[str]:
    return (await stored_topics.for_papers(db, [paper_id])).get(paper_id, [])


async def test_the_models_topics_replace_a_rules_mistake_in_topics_and_in_the_digest(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    reassembly = ids["Jigsaw: 3D Shape Reassembly from Fractured Parts"]
    rag = ids["Retrieval-augmented generation for long documents"]
    llm.choose("Jigsaw")  # on none of the topics
    llm.choose("Retrieval", "rag")
    before = await topic_issue(db, PERIOD, "safety")
    assert set(before.issue.paper_ids) == {reassembly, rag}

    run = await summarize_pending(db, settings(llm.base_url), now=NOW, topics=TOPICS)

    assert run.stored == 2
    prompt = llm.requests[0].system
    assert '"topics"' in prompt
    assert "- rag: Retrieval-augmented generation (retrieving documents" in prompt
    assert await topics_of(db, reassembly) == []
    assert await topics_of(db, rag) == ["rag"]
    assert (await topic_issue(db, PERIOD, "safety")).issue.paper_ids == ()
    in_rag = await topic_issue(db, PERIOD, "rag")
    assert in_rag.issue.paper_ids == (rag,)
    assert in_rag.scores[rag].signals.fit == 0.9  # [topic_sources] model in ranking.toml


async def test_the_rules_matching_again_do_not_undo_the_models_choice(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    reassembly = ids["Jigsaw: 3D Shape Reassembly from Fractured Parts"]
    llm.choose("Jigsaw")
    await summarize_pending(db, settings(llm.base_url), now=NOW, topics=TOPICS)
    # as a new version's ingestion or `digestbot topics --reassign` does
    await stored_topics.assign(db, [(reassembly, [TopicMatch("safety", 3.0)])])
    assert await topics_of(db, reassembly) == []


async def test_an_editors_heading_stays_beside_the_models_choice(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    rag = ids["Retrieval-augmented generation for long documents"]
    await editor_picks.record(db, PERIOD, [PickedItem(rag, "agents", 1, None)])
    llm.choose("Retrieval", "rag")
    await summarize_pending(db, settings(llm.base_url), now=NOW, topics=TOPICS)
    assert await stored_topics.sources_of(db, rag) == {"rag": "model", "agents": "editor"}


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("garbage_topics", "topics: unknown topic 'not-a-topic' dropped"),
        ("all_topics", "topics: 9 topics chosen, at most 3"),
    ],
)
async def test_topics_that_do_not_exist_or_every_topic_leave_the_rules_and_keep_the_summaries(
    db: Database, llm: FakeOpenAI, ids: dict[str, int], mode: str, reason: str
):
    reassembly = ids["Jigsaw: 3D Shape Reassembly from Fractured Parts"]
    llm.default = mode
    run = await summarize_pending(db, settings(llm.base_url), now=NOW, topics=TOPICS)
    assert (run.stored, run.rejected) == (2, 0)
    assert await topics_of(db, reassembly) == ["safety"]
    assert set(await summaries.for_paper(db, reassembly)) == {"zh", "en"}
    [entry] = await ledger.history(db, reassembly)
    assert reason in entry.reason


async def test_offline_the_rules_alone_give_topics(db: Database, ids: dict[str, int]):
    reassembly = ids["Jigsaw: 3D Shape Reassembly from Fractured Parts"]
    run = await summarize_pending(db, settings(None), now=NOW, topics=TOPICS)
    assert run.requests == 0
    assert await topics_of(db, reassembly) == ["safety"]


async def test_without_topics_to_offer_the_model_is_not_asked_for_any(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    reassembly = ids["Jigsaw: 3D Shape Reassembly from Fractured Parts"]
    await summarize_pending(db, settings(llm.base_url), now=NOW)
    assert '"topics"' not in llm.requests[0].system
    assert await topics_of(db, reassembly) == ["safety"]


@pytest.mark.parametrize(
    ("value", "slugs", "notes"),
    [
        (["RAG ", "rag", "agents"], ("rag", "agents"), ()),
        ([], (), ()),
        ("rag", None, ("topics 'rag' is not a list",)),
        ({"rag": 1}, None, ("topics {'rag': 1} is not a list",)),
        ([None, "x" * 500], None, ("unknown topic None dropped",)),
        (["rag"] * 10_000, None, ("10000 topics listed, at most 3 wanted",)),
        (["safety", "nope"], ("safety",), ("unknown topic 'nope' dropped",)),
    ],
)
def test_a_topic_answer_is_read_strictly_whatever_it_holds(value, slugs, notes):
    choice = topic_choice.read_choice({"topics": value}, TOPICS)
    assert choice.slugs == slugs
    assert choice.notes[: len(notes)] == notes


def test_an_answer_without_topics_is_no_choice():
    assert topic_choice.read_choice({"zh": "…"}, TOPICS).slugs is None


async def test_the_command_asks_for_topics_and_paper_json_and_the_digest_follow_the_model(
    tmp_path: Path,
):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await add(db, [(paper(1, "Jigsaw: 3D Shape Reassembly", yesterday, RESHAPE), "safety")])
        await subscribe(db, 1, topic="safety")
    code, out, _ = await run(tmp_path, "digest", "--json", "--topic", "safety")
    assert "3D Shape Reassembly" in "".join(one_json_object(out)["parts"])
    async with FakeOpenAI() as llm:
        llm.choose("Jigsaw")
        code, out, err = await run(tmp_path, "summarize", "--json", OPENAI_BASE_URL=llm.base_url)
        assert (code, one_json_object(out)["stored"]) == (0, 1), err
        assert "- safety: Safety & alignment (making language models safe" in llm.requests[0].system
    code, out, _ = await run(tmp_path, "paper", "--json", "--offline", "2406.00001")
    assert one_json_object(out)["topics"] == []
    code, out, _ = await run(tmp_path, "digest", "--json", "--topic", "safety")
    assert one_json_object(out)["parts"] == []


def test_a_topic_description_is_one_line(tmp_path: Path):
    topics = tmp_path / "topics.toml"
    topics.write_text(
        '[[topic]]\nslug = "rag"\nname_zh = "检索"\nname_en = "RAG"\nkeywords = ["RAG"]\n'
        'description = """two\nlines"""\n'
    )
    with pytest.raises(topic_config.TopicsError, match="topic 'rag': 'description' must be one"):
        topic_config.load(topics)


async def test_a_topic_configured_after_the_models_choice_is_given_by_the_rules(
    db: Database, llm: FakeOpenAI, ids: dict[str, int]
):
    reassembly = ids["Jigsaw: 3D Shape Reassembly from Fractured Parts"]
    llm.choose("Jigsaw")
    await summarize_pending(db, settings(llm.base_url), now=NOW, topics=TOPICS)
    robotics = Topic("robotics", "机器人", "Robotics", keywords=("robot",), position=9)
    await stored_topics.sync(db, (*TOPICS, robotics))
    matches = [TopicMatch("safety", 3.0), TopicMatch("robotics", 2.0)]
    await stored_topics.assign(db, [(reassembly, matches)])
    assert await topics_of(db, reassembly) == ["robotics"]


def test_the_fit_of_a_models_topic_is_data_in_the_ranking_file(tmp_path: Path):
    assert ranking.load().model_fit == 0.9
    custom = tmp_path / "ranking.toml"
    custom.write_text("[topic_sources]\nmodel = 0.6\n")
    weights = ranking.load(custom)
    chosen = Candidate(1, NOW, None, 1.0, "model", None)
    assert to_signals(chosen, None, None, weights).fit == 0.6
    wrong = tmp_path / "wrong.toml"  # another file: load() keeps what it read
    wrong.write_text("[topic_sources]\nrules = 0.6\n")
    with pytest.raises(ranking.RankingError, match=r"\[topic_sources\] has an unknown key 'rules'"):
        ranking.load(wrong)
