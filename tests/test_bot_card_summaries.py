"""What a card says about its summary: a Chinese reader of a paper with only the English
extract is told so plainly, then sees the English text and where it came from."""

from __future__ import annotations

from pathlib import Path

from storage import papers, summaries
from storage.db import Database
from tests.fakes.conversation import reply_to


async def a_paper_with_only_its_extract(seeded: Path) -> tuple[str, str]:
    async with await Database.open(seeded) as db:
        for paper in await papers.latest(db, 50):
            found = await summaries.for_paper(db, paper.id)
            if set(found) == {"en"} and found["en"].source == "abstract":
                return paper.arxiv_id, found["en"].text
    raise AssertionError("every ingested paper with an abstract should have its extract")


async def test_a_chinese_card_says_no_chinese_summary_yet_and_shows_the_english_extract(
    app, api, seeded
):
    arxiv_id, extract = await a_paper_with_only_its_extract(seeded)
    li = api.user(1002, "李", language_code="zh-hans")
    text = (await reply_to(api, li, f"/paper {arxiv_id}"))["text"]
    notice = text.index("暂无中文摘要")
    provenance = text.index("摘自论文摘要")
    assert notice < provenance < text.index(extract[:40])


async def test_an_english_card_shows_the_extract_with_its_provenance_and_no_notice(
    app, api, seeded
):
    arxiv_id, extract = await a_paper_with_only_its_extract(seeded)
    ada = api.user(1001, language_code="en")
    text = (await reply_to(api, ada, f"/paper {arxiv_id}"))["text"]
    assert "Extracted from the abstract" in text
    assert extract[:40] in text
    assert "No Chinese summary" not in text
