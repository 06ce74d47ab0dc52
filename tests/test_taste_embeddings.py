"""A chat's taste from the papers' embeddings as well as their words: papers whose vectors are
near the ones the chat liked rise even when they share no word with them; a paper without a
vector keeps its words' taste; without an embeddings model the issue is the words' alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from bot.digest import personal, ranking
from bot.digest.periods import Period
from bot.push.plan import chat_digest, render_for
from bot.runtime import Runtime
from bot.search.vectors import packed
from storage import chats, embeddings, papers, subscriptions, votes
from tests import digest_world as world
from tests import taste_world
from tests.taste_world import CURRENT, order_in

MODEL = "taste-test-embedder"
JUNE = Period(date(2024, 6, 17))
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)  # Monday 09:00 in Shanghai after 17–30 June
# On listening to lectures, in words none of the speech papers use
HEARING = (
    (
        "Phoneme lattices for lecture transcripts, trial {n}",
        "Recorded lectures are decoded into phoneme lattices in trial {n}; acoustic frames "
        "align with transcripts of classrooms.",
    ),
)
LIKES_SPEECH = {"speech-old-1": "up", "speech-old-2": "up", "code-old-1": "down"}


async def world_with_hearing(rt: Runtime) -> dict[str, str]:
    """The two fortnights of speech and code papers, and three on hearing this fortnight
    (rated 1 by the model, as the speech ones: the shared issue puts them after the code)."""
    ids = await taste_world.two_fortnights(rt)
    for n in range(1, 4):
        ids[f"hearing-{n}"] = f"2406.5{n:04d}"
        await taste_world.add(rt, ids[f"hearing-{n}"], HEARING, n, CURRENT, 1)
    return ids


async def embed(rt: Runtime, ids: dict[str, str], leave_out: tuple[str, ...] = ()) -> None:
    """Store each paper's embedding as a model would give it: speech and hearing papers near
    one direction, code papers near another."""
    rng = np.random.default_rng(13)
    sound, code = rng.standard_normal((2, 64))
    names = {(await papers.get(rt.db, arxiv_id)).id: name for name, arxiv_id in ids.items()}
    rows = []
    for paper in await embeddings.pending(rt.db, MODEL, limit=100):
        name = names[paper.id]
        if name in leave_out:
            continue
        vector = (code if name.startswith("code") else sound) + 0.3 * rng.standard_normal(64)
        unit = vector / np.linalg.norm(vector)
        rows.append(embeddings.StoredEmbedding(paper.id, paper.changed_at, 64, packed(unit)))
    await embeddings.store(rt.db, MODEL, rows)


async def cast(rt: Runtime, ids: dict[str, str], chat_id: int, ballot: dict[str, str]) -> None:
    for name, action in ballot.items():
        paper = await papers.get(rt.db, ids[name])
        await votes.set_vote(rt.db, chat_id, chat_id, paper.id, action)


async def issue_of(rt: Runtime, ids: dict[str, str], chat_id: int, model: str | None) -> list:
    """The names of the papers of the chat's June issue, with the taste of `model`'s vectors."""
    chat = await chats.get(rt.db, chat_id)
    subs = await subscriptions.for_chat(rt.db, chat_id)
    taste = await personal.taste_of(rt.db, chat_id, model=model)
    [text] = render_for(await chat_digest(rt, chat, subs, JUNE, taste=taste), chat)
    return order_in(text, ids)


def kinds(names: list[str]) -> list[str]:
    return [name.split("-")[0] for name in names]


async def test_papers_near_the_liked_ones_by_embedding_rise_though_they_share_no_word(push_rt):
    ids = await world_with_hearing(push_rt)
    await embed(push_rt, ids)
    await world.subscribe(push_rt, 701, ["llm"])
    await cast(push_rt, ids, 701, LIKES_SPEECH)
    words_alone = await issue_of(push_rt, ids, 701, None)
    assert kinds(words_alone)[:4] == ["speech"] * 4
    assert kinds(words_alone)[4:] == ["code"] * 5 + ["hearing"]  # the words miss them
    with_vectors = await issue_of(push_rt, ids, 701, MODEL)
    assert sorted(kinds(with_vectors)[:7]) == ["hearing"] * 3 + ["speech"] * 4
    assert kinds(with_vectors)[7:] == ["code"] * 3


async def test_a_paper_without_an_embedding_keeps_the_taste_of_its_words(push_rt):
    ids = await world_with_hearing(push_rt)
    await embed(push_rt, ids, leave_out=("hearing-3",))
    await world.subscribe(push_rt, 702, ["llm"])
    await cast(push_rt, ids, 702, LIKES_SPEECH)
    found = await issue_of(push_rt, ids, 702, MODEL)
    assert {"hearing-1", "hearing-2"} <= set(found[:7])
    assert "hearing-3" not in found[:9]


async def test_without_stored_embeddings_of_the_model_the_issue_is_the_words_alone(push_rt):
    ids = await world_with_hearing(push_rt)
    await embed(push_rt, ids)
    await world.subscribe(push_rt, 703, ["llm"])
    await cast(push_rt, ids, 703, LIKES_SPEECH)
    assert await issue_of(push_rt, ids, 703, "another-model") == await issue_of(
        push_rt, ids, 703, None
    )


async def test_a_chat_whose_liked_papers_have_no_embedding_has_the_taste_of_their_words(push_rt):
    ids = await world_with_hearing(push_rt)
    await embed(push_rt, ids, leave_out=("speech-old-1", "speech-old-2"))
    await world.subscribe(push_rt, 704, ["llm"])
    await cast(push_rt, ids, 704, LIKES_SPEECH)
    assert await issue_of(push_rt, ids, 704, MODEL) == await issue_of(push_rt, ids, 704, None)


async def test_the_push_blends_the_embeddings_of_the_configured_model(tmp_path: Path, api):
    api.world.any_chat = True
    env = {
        "DIGESTBOT_EMBEDDINGS_MODEL": MODEL,
        "DIGESTBOT_EMBEDDINGS_BASE_URL": "http://127.0.0.1:9/v1",  # never asked: vectors stored
    }
    rt = await world.runtime(tmp_path / "push.sqlite3", api, **env)
    try:
        ids = await world_with_hearing(rt)
        await embed(rt, ids)
        await world.subscribe(rt, 705, ["llm"])
        await cast(rt, ids, 705, LIKES_SPEECH)
        await world.run_pass(rt, DUE)
    finally:
        await rt.close()
    [text] = [call.params["text"] for call in api.calls("sendMessage", chat_id=705)]
    assert sorted(kinds(order_in(text, ids))[:7]) == ["hearing"] * 3 + ["speech"] * 4


def test_the_embeddings_share_of_the_taste_is_data_from_0_to_1(tmp_path):
    assert ranking.load().taste_embeddings == 0.25
    wrong = tmp_path / "ranking.toml"
    wrong.write_text("[taste]\nembeddings = 1.5\n", encoding="utf-8")
    with pytest.raises(ranking.RankingError, match=r"\[taste\] embeddings must be from 0 to 1"):
        ranking.load(wrong)
