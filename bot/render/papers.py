"""Papers and search results as Telegram HTML (parse mode HTML) with their inline keyboards.

Pure: data and a language in, text and buttons out. Everything that came from outside
(titles, authors, summaries, topic names, queries) is escaped here, so a title such as
`<script>&` shows literally and never breaks the message.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import dates
from bot.arxiv_ids import to_deep_link
from bot.i18n import _, ngettext, use
from bot.render import callbacks
from bot.render.follow_buttons import follow_row
from bot.render.paging import page_count, page_line, page_turns
from bot.render.reasons import card_reason
from bot.render.split import MESSAGE_LIMIT, shorten_html, split_messages, visible_length
from bot.render.summary_shown import other_language_note, provenance, summary_for
from storage.models import Paper, SearchHit, SearchPage, Standing, Summary, Topic, VoteTally

__all__ = [
    "CardView",
    "RenderedMessage",
    "card_keyboard",
    "render_card",
    "render_search_page",
    "split_messages",
    "visible_length",
]

AUTHORS_SHOWN = 3
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}  # each in its own language, never translated


@dataclass(frozen=True, slots=True)
class CardView:
    """Everything a paper card shows."""

    paper: Paper
    summaries: dict[str, Summary] = field(default_factory=dict)
    topics: tuple[Topic, ...] = ()
    bot_username: str | None = None
    standing: Standing | None = None  # what sets the paper apart: editors, Daily Papers, a model
    tally: VoteTally | None = None  # the votes this card's readers gave it
    # Which of its first authors the chat follows; None where the card cannot know (inline)
    followed: tuple[bool, ...] | None = None


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


def render_card(view: CardView, lang: str) -> RenderedMessage:
    """The paper card in `lang`, cut to one message if its summary is very long."""
    with use(lang) as lang:
        lines = [_title_line(view.paper), *_meta_lines(view, lang), "", *_summary_lines(view, lang)]
        text = shorten_html("\n".join(line for line in lines if line is not None), MESSAGE_LIMIT)
        return RenderedMessage(text, card_keyboard(view.paper, lang, view.tally, view.followed))


def render_search_page(
    page: SearchPage, query: str, token: str, page_no: int, lang: str, per_page: int = 5
) -> RenderedMessage:
    """One page of search results (`page_no` from 1) with ◀ ▶ and one button per result."""
    with use(lang):
        if not page.hits:
            return RenderedMessage(_nothing_found(query) + searched_line(page.translated))
        first_number = (page_no - 1) * per_page + 1
        items = [_result_block(first_number + i, hit) for i, hit in enumerate(page.hits)]
        text = "\n\n".join([_results_header(page, query, page_no, per_page), *items])
        keyboard = _search_keyboard(page, token, page_no, per_page, first_number)
        return RenderedMessage(shorten_html(text, MESSAGE_LIMIT), keyboard)


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def escape_attribute(text: str) -> str:
    return html.escape(text, quote=True)


def authors_line(authors: tuple[str, ...], shown: int = AUTHORS_SHOWN) -> str:
    """`A, B, C et al.` (localized) when there are more than `shown` authors; escaped."""
    names = escape(", ".join(authors[:shown]))
    if len(authors) > shown:
        return escape(_("{authors} et al.")).format(authors=names)
    return names


# The card


def _title_line(paper: Paper) -> str:
    return f'<b><a href="{escape_attribute(paper.abs_url)}">{escape(paper.title)}</a></b>'


def _meta_lines(view: CardView, lang: str) -> list[str | None]:
    paper = view.paper
    when = _date_label(paper, lang)
    facts = " · ".join(part for part in (when, paper.primary_category) if part)
    topics = " · ".join(escape(topic.name(lang)) for topic in view.topics)
    why = card_reason(view.standing)
    link = None
    if view.bot_username:
        url = f"https://t.me/{view.bot_username}?start={to_deep_link(paper.arxiv_id)}"
        label = _("Link to this card")  # outside the f-string, where pybabel extract sees it
        link = f'🔗 <a href="{escape_attribute(url)}">{escape(label)}</a>'
    return [
        authors_line(paper.authors) or None,
        f"📅 {escape(facts)}" if facts else None,
        f"🏷 {topics}" if topics else None,
        f"<i>{escape(why)}</i>" if why else None,
        link,
    ]


def _date_label(paper: Paper, lang: str) -> str | None:
    if paper.announced:
        return _("Announced {date}").format(date=dates.format_date(paper.announced, lang))
    if paper.submitted:
        return _("Submitted {date}").format(date=dates.format_date(paper.submitted, lang))
    return None


def _summary_lines(view: CardView, lang: str) -> list[str | None]:
    shown = summary_for(view.summaries, lang)
    if shown is None:
        none_yet = _("No summary yet.")
        return [f"<i>{escape(none_yet)}</i>"]
    summary = shown.summary
    notice = other_language_note(lang) if shown.other_language else None
    return [
        f"<i>{escape(notice)}</i>" if notice else None,
        f"<i>{escape(provenance(summary))}</i>",
        escape(summary.text.strip()),
    ]


def card_keyboard(
    paper: Paper, lang: str, tally: VoteTally | None, followed: tuple[bool, ...] | None = None
) -> InlineKeyboardMarkup:
    """The card's buttons: votes, its first authors to follow (✓ those `followed`), the other
    language, similar papers, links and sharing."""
    with use(lang) as lang:
        return _card_keyboard(paper, lang, tally or VoteTally(), followed)


def _vote_row(arxiv_id: str, lang: str, tally: VoteTally) -> list[InlineKeyboardButton]:
    def counted(emoji: str, count: int) -> str:
        return f"{emoji} {count}" if count else emoji

    saved = f"🔖 {_('Saved')}" if tally.saved else "🔖"
    return [
        InlineKeyboardButton(
            counted("👍", tally.up), callback_data=callbacks.pack_vote("up", arxiv_id, lang)
        ),
        InlineKeyboardButton(
            counted("👎", tally.down), callback_data=callbacks.pack_vote("down", arxiv_id, lang)
        ),
        InlineKeyboardButton(saved, callback_data=callbacks.pack_vote("save", arxiv_id, lang)),
    ]


def _card_keyboard(
    paper: Paper, lang: str, tally: VoteTally, followed: tuple[bool, ...] | None
) -> InlineKeyboardMarkup:
    other = "en" if lang == "zh" else "zh"
    arxiv_id = paper.arxiv_id
    follow = follow_row(paper, lang, followed)
    return InlineKeyboardMarkup(
        [
            _vote_row(arxiv_id, lang, tally),
            *([follow] if follow else []),
            [
                InlineKeyboardButton(
                    LANGUAGE_NAMES[other],
                    callback_data=callbacks.pack_card_language(arxiv_id, other),
                ),
                InlineKeyboardButton(
                    _("Similar papers"), callback_data=callbacks.pack_similar(arxiv_id)
                ),
            ],
            [
                InlineKeyboardButton(_("Abstract"), url=paper.abs_url),
                InlineKeyboardButton("PDF", url=paper.pdf_url),
                InlineKeyboardButton(_("Share"), switch_inline_query=arxiv_id),
            ],
        ]
    )


# Search results


def _nothing_found(query: str) -> str:
    found = escape(_("Nothing found for “{query}”.")).format(query=escape(query))
    hint = _("Try fewer or other words, an author's name, or an arXiv id such as 2406.15877.")
    return f"🔎 {found}\n{escape(hint)}"


def _results_header(page: SearchPage, query: str, page_no: int, per_page: int) -> str:
    if page.total_is_capped:
        count = ngettext(
            "At least {count} paper found", "At least {count} papers found", page.total
        )
    else:
        count = ngettext("{count} paper found", "{count} papers found", page.total)
    title = f"🔎 <b>{escape(query)}</b>"
    parts = [count.format(count=page.total), page_line(page_no, page_count(page.total, per_page))]
    counted = " · ".join(escape(part) for part in parts if part)
    return f"{title}\n{counted}{searched_line(page.translated)}"


def searched_line(translated: tuple[tuple[str, str], ...]) -> str:
    """`\n🌐 Also searched: 幻觉 → hallucination · …`, or nothing when no term was translated."""
    if not translated:
        return ""
    return "\n🌐 " + escape(_("Also searched: {terms}")).format(terms=escape(searched(translated)))


def searched(translated: tuple[tuple[str, str], ...], shown: int = 6) -> str:
    """`幻觉 → hallucination · 检测 → detection`: the terms searched in both languages, plain."""
    return " · ".join(f"{said} → {other}" for said, other in translated[:shown])


def _result_block(number: int, hit: SearchHit) -> str:
    paper = hit.paper
    parts = [authors_line(paper.authors, shown=1), f"<code>{escape(paper.arxiv_id)}</code>"]
    if hit.by_meaning:  # a reader wonders why a paper without their words is listed
        marker = _("≈ close in meaning")  # outside the f-string, where pybabel extract sees it
        parts.append(f"<i>{escape(marker)}</i>")
    byline = " · ".join(part for part in parts if part)
    return f"{number}. <b>{escape(paper.title)}</b>\n{byline}"


def _search_keyboard(
    page: SearchPage, token: str, page_no: int, per_page: int, first_number: int
) -> InlineKeyboardMarkup:
    opens = [
        InlineKeyboardButton(
            str(first_number + i), callback_data=callbacks.pack_open_card(hit.paper.arxiv_id)
        )
        for i, hit in enumerate(page.hits)
    ]
    paging = page_turns(
        page_no,
        page_count(page.total, per_page),
        lambda to: callbacks.pack_search_page(token, to),
    )
    return InlineKeyboardMarkup([row for row in (opens, paging) if row])
