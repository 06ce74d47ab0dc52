"""Daily Papers as a configured source: on by default after the arXiv feeds, left out by a
source list without `hf`; the daily job of the running bot and the `digestbot ingest`
command both read it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app import build_application
from bot.config import DEFAULT_HF_API, DEFAULT_SOURCES, ConfigError, load
from storage import hf_signals
from tests import digest_world as world
from tests.conftest import FIXTURES
from tests.fakes.arxiv_server import ATOM_TYPE, Answer, FakeArxiv
from tests.fakes.hf_server import FakeHf
from tests.running import running
from tests.test_cli import one_json_object, run
from tests.test_hf_daily_parse import SHARED_HF
from tests.test_ingest_fetch import atom_page

HF = FIXTURES / "hf_daily"
LISTED_JUNE_3 = [e["paper"]["id"] for e in json.loads((HF / "2024-06-03.json").read_bytes())]


def test_daily_papers_are_read_by_default_from_hugging_faces_api():
    settings = load({}, env_file=None)
    assert (settings.hf_daily, settings.hf_api_url) == (True, DEFAULT_HF_API)
    assert settings.sources == DEFAULT_SOURCES


def test_a_source_list_without_hf_leaves_daily_papers_out_and_with_it_keeps_them():
    feed = "https://rss.arxiv.org/rss/cs.CL"
    without = load({"DIGESTBOT_SOURCES": feed}, env_file=None)
    with_hf = load({"DIGESTBOT_SOURCES": f"{feed}, HF"}, env_file=None)
    assert (without.hf_daily, without.sources) == (False, (feed,))
    assert (with_hf.hf_daily, with_hf.sources) == (True, (feed,))


def test_a_hugging_face_api_that_is_not_an_http_url_is_refused_by_name():
    with pytest.raises(ConfigError, match="DIGESTBOT_HF_API"):
        load({"DIGESTBOT_HF_API": "huggingface.co/api"}, env_file=None)


async def stored(rt) -> dict[str, tuple[int, tuple[str, ...], str | None]]:
    rows = await rt.db.fetchall("SELECT arxiv_id, version, categories, announced_at FROM papers")
    return {r[0]: (r[1], tuple(json.loads(r[2])), (r[3] or "")[:10]) for r in rows}


async def test_the_daily_job_reads_the_feeds_then_daily_papers_then_completes_them_from_arxiv(
    tmp_path, api
):
    db_path = tmp_path / "fresh.sqlite3"
    rt = await world.runtime(db_path)
    for back in range(15):  # the fortnight before read already: nothing to catch up
        await hf_signals.record(rt.db, date(2024, 6, 4) - timedelta(days=back), [])
    await rt.close()
    async with FakeArxiv() as arxiv, FakeHf(HF) as hf:
        feed = arxiv.script(
            "/rss/cs.CL", Answer(body=(FIXTURES / "arxiv_rss_mixed.xml").read_bytes())
        )
        lookup = atom_page(LISTED_JUNE_3, total=3, start=0)
        api_url = arxiv.script("/api/query", Answer(body=lookup, content_type=ATOM_TYPE))
        settings = world.settings(
            db_path,
            api,
            DIGESTBOT_JOBS="ingest",
            DIGESTBOT_SOURCES=f"{feed} hf",
            DIGESTBOT_HF_API=hf.base_url,
            DIGESTBOT_ARXIV_API=api_url,
        )
        clock = lambda: datetime(2024, 6, 4, 1, 30, tzinfo=UTC)  # noqa: E731
        async with running(build_application(settings, clock=clock)) as app:
            runtime = app.bot_data["runtime"]
            for _ in range(200):
                if arxiv.seen("/api/query"):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            papers = await stored(runtime)
            signals = await hf_signals.for_day(runtime.db, date(2024, 6, 3))
        feed_read = arxiv.seen("/rss/cs.CL")[0].at
        lists_read = [(r.query["date"], r.at) for r in hf.seen()]
    assert [day for day, _ in lists_read] == ["2024-06-03", "2024-06-04"]
    assert all(at > feed_read for _, at in lists_read)
    assert len(papers) == 4 + 3
    for arxiv_id in LISTED_JUNE_3:
        # arXiv's version and categories; the day of the list stands as its announcement
        assert papers[arxiv_id] == (1, ("cs.CL",), "2024-06-03")
    assert sorted(signals) == sorted(LISTED_JUNE_3)


async def test_ingest_reads_saved_answers_and_a_day_url_with_the_usual_json(tmp_path):
    files = [arg for path in sorted(HF.glob("*.json")) for arg in ("--file", str(path))]
    code, out, err = await run(tmp_path, "ingest", "--json", *files)
    assert (code, err) == (0, "")
    assert one_json_object(out) == {"new": 6, "updated": 0, "unchanged": 0, "errors": []}
    async with FakeHf(HF) as hf:
        code, out, _ = await run(tmp_path, "ingest", "--json", "--source", hf.url("2024-06-03"))
        assert one_json_object(out) == {"new": 0, "updated": 0, "unchanged": 3, "errors": []}
        hf.script("2024-06-05", Answer(body=b'[{"paper": {"id": "2406.0', content_type="x"))
        code, out, err = await run(tmp_path, "ingest", "--json", "--source", hf.url("2024-06-05"))
    report = one_json_object(out)
    assert code == 1
    assert len(report["errors"]) == 1
    assert "not complete JSON" in report["errors"][0]


async def test_ingest_of_a_real_fortnight_of_lists_stores_every_paper_and_signal(tmp_path):
    if not SHARED_HF.is_dir():
        pytest.skip(f"recorded Hugging Face answers not found at {SHARED_HF}")
    paths = sorted(SHARED_HF.glob("*.json"))
    listed = sum(len(json.loads(p.read_bytes())) for p in paths)
    files = [arg for path in paths for arg in ("--file", str(path))]
    code, out, _ = await run(tmp_path, "ingest", "--json", *files)
    assert code == 0
    assert one_json_object(out) == {"new": listed, "updated": 0, "unchanged": 0, "errors": []}
