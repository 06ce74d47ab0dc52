"""Inline mode: `@bot query` in any chat offers paper cards to share, a page at a time."""

from __future__ import annotations

import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes, InlineQueryHandler

from bot.arxiv_ids import parse as parse_arxiv_id
from bot.handlers.context import chat_language, runtime
from bot.handlers.recent import Recent
from bot.reader_input import whole_number
from bot.render.papers import CardView, render_card, searched
from bot.runtime import Runtime
from bot.search.cards import cards_for
from bot.search.service import search as search_papers
from bot.updates import seconds_since_received
from storage import papers
from storage.models import Paper

log = logging.getLogger(__name__)
PER_ANSWER = 20  # Telegram allows 50; smaller pages come back faster and page on scrolling
MAX_OFFSET = 1000  # search counts and ranks at most this many matches
# Telegram takes an answer for about 10 s after the query; this leaves the answer's trip
ANSWER_WINDOW = 9.0
# Popular words are asked by many readers at once; Telegram shares an answer as long (cache_time)
ANSWER_KEPT = 30.0
ANSWERS_KEPT = 256


def _offset(text: str) -> int | None:
    return 0 if not text else whole_number(text, 0, MAX_OFFSET - 1)


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cards for the query: the latest papers when it is empty, one paper for an arXiv id."""
    query = update.inline_query
    if _expired(query.id):
        return
    offset = _offset(query.offset)
    if offset is None:  # a forged offset: nothing more to give
        await query.answer([], cache_time=0)
        return
    rt = runtime(context)
    lang = await chat_language(update, context)
    text = query.query.strip()
    recent = context.bot_data.setdefault("inline_answers", Recent(ANSWER_KEPT, ANSWERS_KEPT))
    if (kept := recent.get((text, offset, lang))) is None:
        made = await _answer(rt, text, offset, lang, context.bot.username)
        kept = recent.put((text, offset, lang), made)
    results, more = kept
    if _expired(query.id):
        return
    try:
        await query.answer(
            results,
            cache_time=int(ANSWER_KEPT),
            is_personal=False,
            next_offset=str(offset + PER_ANSWER) if more else None,
        )
    except BadRequest as error:
        # The reader has moved on (or typed on): nobody waits for this answer any more
        if "query is too old" not in error.message.lower():
            raise
        log.debug("inline query %s answered too late: %s", query.id, error.message)


async def _answer(
    rt: Runtime, text: str, offset: int, lang: str, username: str
) -> tuple[list[InlineQueryResultArticle], bool]:
    """The page of cards for the query, and whether another page follows."""
    translated: tuple[tuple[str, str], ...] = ()
    if not text:
        found = await papers.latest(rt.db, PER_ANSWER, offset)
    elif (ref := parse_arxiv_id(text)) is not None:
        paper = await papers.get(rt.db, ref.arxiv_id) if offset == 0 else None
        found = [paper] if paper else []
    else:
        page = await search_papers(rt.db, text, lang=lang, limit=PER_ANSWER, offset=offset)
        found = [hit.paper for hit in page.hits]
        translated = page.translated
    views = await cards_for(rt, found, username)
    results = [_result(view, lang, translated) for view in views][: InlineQueryLimit.RESULTS]
    return results, len(found) == PER_ANSWER and offset + PER_ANSWER < MAX_OFFSET


def _expired(query_id: str) -> bool:
    """Whether Telegram would refuse the answer now: then it is neither made nor sent."""
    waited = seconds_since_received()
    if waited < ANSWER_WINDOW:
        return False
    log.debug("inline query %s dropped: %.1f s after it arrived", query_id, waited)
    return True


def _result(
    view: CardView, lang: str, translated: tuple[tuple[str, str], ...]
) -> InlineQueryResultArticle:
    card = render_card(view, lang)
    paper = view.paper
    # The terms searched in the other language say why a result in it is there.
    why = f"\n🔎 {searched(translated, shown=2)}" if translated else ""
    return InlineQueryResultArticle(
        id=paper.arxiv_id,
        title=paper.title[:200],
        description=f"{_byline(paper)}{why}"[:200],
        input_message_content=InputTextMessageContent(card.text, parse_mode=ParseMode.HTML),
        reply_markup=card.keyboard,
    )


def _byline(paper: Paper) -> str:
    """A description is plain text, not HTML: names as they are, the rest as an ellipsis; a
    paper without authors is named by its id alone."""
    names = ", ".join(paper.authors[:2]) + (" …" if len(paper.authors) > 2 else "")
    return f"{names} · {paper.arxiv_id}" if names else paper.arxiv_id


def register(app: Application) -> None:
    app.add_handler(InlineQueryHandler(inline_query))
