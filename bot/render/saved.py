"""The chat's saved papers (🔖) as a paged list with its buttons, and their callback data.

    saved:v:<page>                a page (from 1) of the list, each number opening its card
    saved:x:<page>                the same page in remove mode: ✖ buttons instead
    saved:rm:<arxiv_id>:<page>    remove that paper, and show that page again in remove mode

Pure: papers and a language in, text and buttons out. Telegram hands callback data back
verbatim, so `parse` returns None for anything this bot could not have packed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _, ngettext, use
from bot.render import callbacks, paging
from bot.render.callbacks import MAX_BYTES, CallbackDataError
from bot.render.digest_library import updated_line
from bot.render.papers import RenderedMessage, authors_line, escape
from bot.render.split import MESSAGE_LIMIT, shorten_html
from storage.models import Paper

PER_PAGE = 8
PER_ROW = 4
MAX_PAGE = 999
_PAGE = re.compile(r"[1-9]\d{0,2}")


@dataclass(frozen=True, slots=True)
class ShowSaved:
    page: int
    removing: bool  # remove mode: ✖ buttons instead of the numbers that open cards


@dataclass(frozen=True, slots=True)
class RemoveSaved:
    arxiv_id: str
    page: int


def pack_show(page: int, *, removing: bool = False) -> str:
    return _checked(f"saved:{'x' if removing else 'v'}:{_valid_page(page)}")


def pack_remove(arxiv_id: str, page: int) -> str:
    callbacks.pack_open_card(arxiv_id)  # the same arXiv id check, or CallbackDataError
    return _checked(f"saved:rm:{arxiv_id}:{_valid_page(page)}")


def parse(data: object) -> ShowSaved | RemoveSaved | None:
    """The button pressed, or None for data this bot did not (or could not) have packed."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    fields = data.split(":")
    if fields[0] != "saved" or not _PAGE.fullmatch(fields[-1]):
        return None
    page = int(fields[-1])
    if len(fields) == 3 and fields[1] in ("v", "x"):
        return ShowSaved(page, removing=fields[1] == "x")
    if len(fields) == 4 and fields[1] == "rm" and _packable(fields[2]):
        return RemoveSaved(fields[2], page)
    return None


def page_count(total: int) -> int:
    return paging.page_count(total, PER_PAGE)


def render_saved(
    total: int,
    papers: Sequence[Paper],
    page: int,
    lang: str,
    *,
    removing: bool = False,
    known: Mapping[int, int] | None = None,
) -> RenderedMessage:
    """Page `page` (from 1) of the chat's `total` saved papers, which `papers` are; `known`
    holds the version the chat saw of each (a newer one is pointed out)."""
    with use(lang):
        if not total or not papers:
            return RenderedMessage(_empty())
        first = (page - 1) * PER_PAGE + 1
        known = known or {}
        items = [_item(first + i, p, known.get(p.id, 0)) for i, p in enumerate(papers)]
        text = "\n\n".join([_header(total, page, removing), *items, _footer()])
        keyboard = _keyboard(total, papers, page, first, removing)
        return RenderedMessage(shorten_html(text, MESSAGE_LIMIT), keyboard)


def _empty() -> str:
    nothing = _("Nothing saved yet.")
    how = _(
        "Press 🔖 under a paper's card (from /search, /paper or a digest's numbered buttons) "
        "to keep it here; /export then sends your saved papers to Zotero, Mendeley or EndNote."
    )
    return f"🔖 <b>{escape(nothing)}</b>\n{escape(how)}"


def _header(total: int, page: int, removing: bool) -> str:
    title = _("Saved papers")
    count = ngettext("{count} paper", "{count} papers", total).format(count=total)
    counted = " · ".join(
        escape(part) for part in (count, paging.page_line(page, page_count(total))) if part
    )
    lines = [f"🔖 <b>{escape(title)}</b>", counted]
    if removing:
        hint = _("Press ✖ and a number to remove that paper.")
        lines.append(f"<i>{escape(hint)}</i>")
    return "\n".join(lines)


def _item(number: int, paper: Paper, known: int) -> str:
    first_author = authors_line(paper.authors, shown=1)
    parts = [first_author, f"<code>{escape(paper.arxiv_id)}</code>"]
    if 0 < known < paper.version:
        parts.append("🔄 " + escape(updated_line(known, paper.version)))
    byline = " · ".join(part for part in parts if part)
    return f"{number}. <b>{escape(paper.title)}</b>\n{byline}"


def _footer() -> str:
    hint = _("/export bibtex or /export ris sends them all as a file for your reference manager.")
    return f"<i>{escape(hint)}</i>"


def _keyboard(
    total: int, papers: Sequence[Paper], page: int, first: int, removing: bool
) -> InlineKeyboardMarkup:
    if removing:
        buttons = [
            InlineKeyboardButton(f"✖ {first + i}", callback_data=pack_remove(p.arxiv_id, page))
            for i, p in enumerate(papers)
        ]
    else:
        buttons = [
            InlineKeyboardButton(str(first + i), callback_data=callbacks.pack_open_card(p.arxiv_id))
            for i, p in enumerate(papers)
        ]
    rows = [buttons[start : start + PER_ROW] for start in range(0, len(buttons), PER_ROW)]
    mode = _("✓ Done") if removing else _("✖ Remove…")
    controls = paging.page_turns(
        page,
        page_count(total),
        lambda to: pack_show(to, removing=removing),
        between=InlineKeyboardButton(mode, callback_data=pack_show(page, removing=not removing)),
    )
    return InlineKeyboardMarkup([*rows, controls])


def _checked(data: str) -> str:
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise CallbackDataError(f"callback data {data!r} is over {MAX_BYTES} bytes")
    return data


def _valid_page(page: int) -> int:
    if not 1 <= page <= MAX_PAGE:
        raise CallbackDataError(f"saved papers page {page} is outside 1..{MAX_PAGE}")
    return page


def _packable(arxiv_id: str) -> bool:
    try:
        callbacks.pack_open_card(arxiv_id)
    except CallbackDataError:
        return False
    return True


EXPORT_FORMATS = {"bibtex": "BibTeX", "ris": "RIS"}  # names of file formats: never translated


def pack_export(kind: str) -> str:
    if kind not in EXPORT_FORMATS:
        raise CallbackDataError(f"export format {kind!r} is not one of {list(EXPORT_FORMATS)}")
    return f"export:{kind}"


def export_choice(lang: str) -> RenderedMessage:
    """`/export` without a format: what each is for, and a button for each."""
    with use(lang):
        text = _(
            "Which format? BibTeX for LaTeX, Zotero, Mendeley and JabRef; RIS for EndNote, "
            "Zotero and Mendeley. Or send /export bibtex or /export ris."
        )
    buttons = [
        InlineKeyboardButton(label, callback_data=pack_export(kind))
        for kind, label in EXPORT_FORMATS.items()
    ]
    return RenderedMessage(escape(text), InlineKeyboardMarkup([buttons]))


def export_caption(count: int, kind: str, lang: str) -> str:
    with use(lang):
        caption = ngettext(
            "🔖 {count} saved paper as {format}: open the file with your reference manager.",
            "🔖 {count} saved papers as {format}: open the file with your reference manager.",
            count,
        )
        return escape(caption.format(count=count, format=EXPORT_FORMATS[kind]))
