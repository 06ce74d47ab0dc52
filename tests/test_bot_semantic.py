"""The bot in a chat with an embeddings endpoint: /search finds papers near in meaning, and a
card's similar papers are its nearest embeddings, never itself."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot import config
from bot.app import build_application
from bot.runtime import open_runtime
from bot.search.embedding_run import embed_pending
from storage import embeddings, papers
from tests.fakes.conversation import reply_to
from tests.fakes.openai_server import FakeOpenAI
from tests.running import running
from tests.test_semantic import LIBRARY


async def test_search_and_similar_papers_in_chat_use_the_embeddings(tmp_path: Path, api):
    async with FakeOpenAI(embedding_dimensions=1024) as endpoint:
        settings, embedded = await _embedded_library(tmp_path, api, endpoint)
        assert embedded == len(LIBRARY)
        async with running(build_application(settings)):
            ada = api.user(1001, language_code="en")
            found = await reply_to(api, ada, "/search protein backbones diffusion")
            opens = _buttons(found)
            assert opens[0] == "card:open:2406.00001"  # the title match first
            assert "card:open:2406.00002" in opens  # near in meaning, not every word
            card = await reply_to(api, ada, "/paper 2406.00003")
            mark = api.mark()
            api.user_presses(ada, card, "card:similar:2406.00003")
            [similar] = await api.wait_for("sendMessage", since=mark)
            like = _buttons(similar.result)
            assert like[0] == "card:open:2406.00004"
            assert "card:open:2406.00003" not in like
        assert endpoint.embedding_requests[-1]["input"] == ["protein backbones diffusion"]


async def test_a_search_while_the_vector_index_loads_at_start_gets_the_words_answer_at_once(
    tmp_path: Path, api, monkeypatch: pytest.MonkeyPatch
):
    loaded = asyncio.Event()  # a large library: the index's first load takes seconds
    read = embeddings.written_since

    async def slow_read(*args, **kwargs):
        await loaded.wait()
        return await read(*args, **kwargs)

    async with FakeOpenAI(embedding_dimensions=1024) as endpoint:
        settings, embedded = await _embedded_library(tmp_path, api, endpoint)
        assert embedded == len(LIBRARY)
        monkeypatch.setattr(embeddings, "written_since", slow_read)
        async with running(build_application(settings)):
            ada = api.user(1001, language_code="en")
            started = time.monotonic()
            try:
                async with asyncio.timeout(2):
                    meanwhile = await reply_to(api, ada, "/search protein backbones diffusion")
            finally:
                loaded.set()  # loaded now (and a search still waiting lets the bot stop)
            assert time.monotonic() - started < 2.0
            assert _buttons(meanwhile) == ["card:open:2406.00001"]  # the words' one match
            after = await reply_to(api, ada, "/search protein backbones diffusion")
            assert _buttons(after)[:2] == ["card:open:2406.00001", "card:open:2406.00002"]
        said, later = meanwhile["text"].splitlines(), after["text"].splitlines()
        assert said[1].startswith("1 paper found")
        assert set(said) - {said[1]} <= set(later)  # no line the fused answer does not have


async def test_a_result_found_only_by_meaning_says_so_in_both_languages(tmp_path: Path, api):
    async with FakeOpenAI(embedding_dimensions=1024) as endpoint:
        settings, embedded = await _embedded_library(tmp_path, api, endpoint)
        assert embedded == len(LIBRARY)
        async with running(build_application(settings)):
            for lang, code, marker in (
                ("en", "en", "≈ close in meaning"),
                ("zh", "zh-hans", "≈ 语义相近"),
            ):
                reader = api.user(1001 if lang == "en" else 2001, language_code=code)
                found = await reply_to(api, reader, "/search protein backbones diffusion")
                lines = _result_lines(found)
                # The words find the backbones paper; the vectors add the other protein paper.
                assert marker not in lines["2406.00001"], lang
                assert lines["2406.00002"].endswith(f" · {marker}"), lang
                assert found["text"].count(marker) == 1, lang


async def test_without_an_embeddings_endpoint_no_result_is_marked(tmp_path: Path, api):
    async with FakeOpenAI(embedding_dimensions=1024) as endpoint:
        await _embedded_library(tmp_path, api, endpoint)  # embedded once, no endpoint now
    words_only = config.load(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_DB": str(tmp_path / "db.sqlite3"),
            "DIGESTBOT_JOBS": "push",
        },
        env_file=None,
    )
    async with running(build_application(words_only)):
        for user, code in ((1001, "en"), (2001, "zh-hans")):
            reader = api.user(user, language_code=code)
            for query in ("protein backbones diffusion", "protein", "retrieval generation"):
                found = await reply_to(api, reader, f"/search {query}")
                assert _buttons(found), query
                assert "≈" not in found["text"], (code, query)


async def _embedded_library(
    tmp_path: Path, api, endpoint: FakeOpenAI
) -> tuple[config.Settings, int]:
    """The library stored and embedded by the endpoint: the settings that search with it, and
    how many papers were embedded."""
    settings = _settings(tmp_path, api, endpoint)
    rt = await open_runtime(settings)
    await papers.upsert(rt.db, LIBRARY)
    embedded = (await embed_pending(rt.db, settings)).embedded
    await rt.close()
    return settings, embedded


def _settings(tmp_path: Path, api, endpoint: FakeOpenAI) -> config.Settings:
    return config.load(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DIGESTBOT_DB": str(tmp_path / "db.sqlite3"),
            "DIGESTBOT_JOBS": "push",
            "DIGESTBOT_EMBEDDINGS_MODEL": "fake-embedder",
            "DIGESTBOT_EMBEDDINGS_BASE_URL": endpoint.base_url,
            "DIGESTBOT_EMBEDDINGS_MIN_SCORE": "0.2",
        },
        env_file=None,
    )


def _buttons(message: dict) -> list[str]:
    rows = message["reply_markup"]["inline_keyboard"]
    return [
        b["callback_data"]
        for row in rows
        for b in row
        if b["callback_data"].startswith("card:open:")
    ]


def _result_lines(message: dict) -> dict[str, str]:
    """Each result's arXiv id and the line under its title, as the reader's client shows it."""
    lines = message["text"].splitlines()
    return {arxiv_id: line for line in lines for arxiv_id in [_id_in(line)] if arxiv_id is not None}


def _id_in(line: str) -> str | None:
    for word in line.split(" · "):
        if word.startswith("2406."):
            return word
    return None
