"""Inline mode: `@bot query` in any chat offers paper cards to share, a page at a time."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.ext import Application, ContextTypes, InlineQueryHandler

from bot.arxiv_ids import parse as parse_arxiv_id
from bot.cards import cards_for
from bot.handlers.context import chat_language, runtime
from bot.reader_input import whole_number
from bot.render import CardView, render_card
from bot.search import search as search_papers
from storage import papers

PER_ANSWER = 20  # Telegram allows 50; smaller pages come back faster and page on scrolling
MAX_OFFSET = 1000  # search counts and ranks at most this many matches


def _offset(text: str) -> int | None:
    return 0 if not text else whole_number(text, 0, MAX_OFFSET - 1)


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cards for the query: the latest papers when it is empty, one paper for an arXiv id."""
    query = update.inline_query
    offset = _offset(query.offset)
    if offset is None:  # a forged offset: nothing more to give
        await query.answer([], cache_time=0)
        return
    rt = runtime(context)
    lang = await chat_language(update, context)
    text = query.query.strip()
    if not text:
        found = await papers.latest(rt.db, PER_ANSWER, offset)
    elif (ref := parse_arxiv_id(text)) is not None:
        paper = await papers.get(rt.db, ref.arxiv_id) if offset == 0 else None
        found = [paper] if paper else []
    else:
        page = await search_papers(rt.db, text, lang=lang, limit=PER_ANSWER, offset=offset)
        found = [hit.paper for hit in page.hits]
    views = await cards_for(rt, found, context.bot.username)
    results = [_result(view, lang) for view in views][: InlineQueryLimit.RESULTS]
    more = len(found) == PER_ANSWER and offset + PER_ANSWER < MAX_OFFSET
    await query.answer(
        results,
        cache_time=30,
        is_personal=False,
        next_offset=str(offset + PER_ANSWER) if more else None,
    )


def _result(view: CardView, lang: str) -> InlineQueryResultArticle:
    card = render_card(view, lang)
    paper = view.paper
    return InlineQueryResultArticle(
        id=paper.arxiv_id,
        title=paper.title[:200],
        description=f"{_plain_authors(paper.authors)} · {paper.arxiv_id}"[:200],
        input_message_content=InputTextMessageContent(card.text, parse_mode=ParseMode.HTML),
        reply_markup=card.keyboard,
    )


def _plain_authors(authors: tuple[str, ...]) -> str:
    """A description is plain text, not HTML: names as they are, the rest as an ellipsis."""
    return ", ".join(authors[:2]) + (" …" if len(authors) > 2 else "")


def register(app: Application) -> None:
    app.add_handler(InlineQueryHandler(inline_query))
