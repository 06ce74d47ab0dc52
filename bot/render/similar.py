"""Papers like a card's paper as Telegram HTML: a heading naming the paper, the numbered list,
and one button per paper that opens its card. Pure."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _, use
from bot.render import callbacks
from bot.render.papers import RenderedMessage, authors_line, escape
from bot.render.split import MESSAGE_LIMIT, shorten_html
from storage.models import Paper, SearchHit


def render_similar(paper: Paper, hits: list[SearchHit], lang: str) -> RenderedMessage:
    """The papers like `paper`, best first, or a line saying there are none yet."""
    with use(lang):
        title = f"<b>{escape(paper.title)}</b>"
        if not hits:
            line = escape(_("No stored paper is like “{title}” yet.")).format(title=title)
            return RenderedMessage(f"🔗 {line}")
        heading = escape(_("Papers like “{title}”:")).format(title=title)
        items = [_item(number, hit.paper) for number, hit in enumerate(hits, start=1)]
        text = shorten_html("\n\n".join([f"🔗 {heading}", *items]), MESSAGE_LIMIT)
        opens = [
            InlineKeyboardButton(
                str(number), callback_data=callbacks.pack_open_card(hit.paper.arxiv_id)
            )
            for number, hit in enumerate(hits, start=1)
        ]
        return RenderedMessage(text, InlineKeyboardMarkup([opens]))


def _item(number: int, paper: Paper) -> str:
    first_author = authors_line(paper.authors, shown=1)
    arxiv_id = f"<code>{escape(paper.arxiv_id)}</code>"
    byline = f"{first_author} · {arxiv_id}" if first_author else arxiv_id
    return f"{number}. <b>{escape(paper.title)}</b>\n{byline}"
