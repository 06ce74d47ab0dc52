"""The paper-card service: from an id a user typed to everything a card shows, why the paper
stands out included."""

from __future__ import annotations

from bot.arxiv_ids import parse as parse_arxiv_id
from bot.render.papers import CardView
from bot.runtime import Runtime
from storage import papers, ranking_inputs, summaries
from storage import topics as stored_topics
from storage.models import Paper


async def card_for(rt: Runtime, text: str, bot_username: str | None) -> CardView | None:
    """The card of the stored paper a user names by id, versioned id or arXiv link."""
    ref = parse_arxiv_id(text)
    if ref is None:
        return None
    paper = await papers.get(rt.db, ref.arxiv_id)
    if paper is None:
        return None
    by_lang = await summaries.for_paper(rt.db, paper.id)
    slugs = (await stored_topics.for_papers(rt.db, [paper.id])).get(paper.id, [])
    by_slug = {topic.slug: topic for topic in rt.topics}
    shown = tuple(by_slug[slug] for slug in slugs if slug in by_slug)
    standing = (await ranking_inputs.standings(rt.db, [paper.id])).get(paper.id)
    return CardView(paper, by_lang, shown, bot_username, standing)


async def cards_for(rt: Runtime, found: list[Paper], bot_username: str | None) -> list[CardView]:
    """Cards of several papers at once (four queries, whatever their number)."""
    ids = [paper.id for paper in found]
    by_paper = await summaries.for_papers(rt.db, ids)
    slugs = await stored_topics.for_papers(rt.db, ids)
    standing = await ranking_inputs.standings(rt.db, ids)
    by_slug = {topic.slug: topic for topic in rt.topics}
    return [
        CardView(
            paper,
            by_paper.get(paper.id, {}),
            tuple(by_slug[s] for s in slugs.get(paper.id, []) if s in by_slug),
            bot_username,
            standing.get(paper.id),
        )
        for paper in found
    ]
