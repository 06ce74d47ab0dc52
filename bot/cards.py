"""The paper-card service: from an id a user typed to everything a card shows."""

from __future__ import annotations

from bot.arxiv_ids import parse as parse_arxiv_id
from bot.render import CardView
from bot.runtime import Runtime
from storage import papers, summaries
from storage import topics as stored_topics


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
    return CardView(paper, by_lang, shown, bot_username)
