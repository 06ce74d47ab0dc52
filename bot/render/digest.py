"""The fortnightly digest as Telegram HTML messages, written like a good research blog's:
a header naming the period, a section per topic, numbered papers each with why it is there,
a two-line TL;DR of its summary and its first authors; the full summary is the paper's card,
one tap away through the bot's deep link.

Pure: a Digest and a language in, message texts out, each within Telegram's limit and
split only between papers; a message that opens mid-section repeats the heading, "(cont.)".
"""

from __future__ import annotations

from bot import dates
from bot.arxiv_ids import to_deep_link
from bot.digest.compose import Digest, Section
from bot.digest.ranking import Score
from bot.i18n import _, ngettext, use
from bot.render.digest_library import library_sections
from bot.render.papers import authors_line, escape, escape_attribute
from bot.render.reasons import digest_reason
from bot.render.split import MESSAGE_LIMIT, split_messages
from bot.render.summary_shown import other_language_note, summary_for, translated_note
from bot.render.tldr import tldr
from storage.models import Paper, Summary


class Memo(dict):
    """What a pass of many digests renders once: each paper's lines but its number and why-line,
    each period's dates. Valid while papers and summaries do not change: one push's plan."""


def render_digest(
    digest: Digest,
    lang: str,
    *,
    empty_topics: str = "skip",
    bot_username: str | None = None,
    in_group: bool = False,
    limit: int = MESSAGE_LIMIT,
    memo: Memo | None = None,
) -> list[str]:
    """The digest's messages in `lang`; none when it has nothing to say.

    `empty_topics` is the chat's choice for a topic with nothing new: "skip" leaves it out,
    "line" says so in one short line. A digest with no paper at all sends nothing. With the
    bot's `bot_username`, each paper links to its card. A group's footer (`in_group`) leaves
    subscriptions to its admins, since a member may not change them. A `memo` shared by the
    digests of one pass renders what they have in common once.
    """
    if digest.is_empty:
        return []
    memo = memo if memo is not None else Memo()
    with use(lang) as lang:
        blocks: list[str] = []
        carry: list[str] = []
        for section in digest.sections:
            if section.papers:
                items = _section_blocks(section, digest, lang, bot_username, memo, in_group)
                blocks.extend(items)
                carry.extend(
                    ["", *[_heading(section, lang, in_group, continued=True)] * (len(items) - 1)]
                )
            elif empty_topics == "line":
                nothing = _("Nothing new this fortnight.")
                blocks.append(f"{_heading(section, lang, in_group)}\n<i>{escape(nothing)}</i>")
                carry.append("")
        for label, entries in library_sections(digest):
            items = _library_blocks(label, entries, digest, lang, bot_username, memo)
            blocks.extend(items)
            carry.extend(["", *[_labelled(label, continued=True)] * (len(items) - 1)])
        header = _header(digest, lang, memo)
        return split_messages(blocks, limit, header=header, footer=_footer(in_group), carry=carry)


def _header(digest: Digest, lang: str, memo: Memo) -> str:
    key = ("period", digest.period.start, digest.period.end, lang)
    period = memo.get(key)
    if period is None:
        period = memo[key] = dates.format_period(digest.period.start, digest.period.end, lang)
    listed = sum(len(section.papers) for section in digest.sections)
    count = listed + len(digest.followed) + len(digest.updated)
    title = _("Papers that mattered, {period}").format(period=period)
    papers = ngettext("{count} paper", "{count} papers", count).format(count=count)
    return f"📚 <b>{escape(title)}</b>\n{escape(papers)}"


def _heading(section: Section, lang: str, in_group: bool, *, continued: bool = False) -> str:
    if section.topic is not None:
        label = section.topic.name(lang)
    elif in_group:
        label = _("This group's search “{query}”").format(query=section.query)
    else:
        label = _("Your search “{query}”").format(query=section.query)
    return _labelled(label, continued=continued)


def _labelled(label: str, *, continued: bool = False) -> str:
    if continued:
        label = _("{heading} (cont.)").format(heading=label)
    return f"<b>▍{escape(label)}</b>"


def _library_blocks(
    label: str,
    entries: list[tuple[Paper, str]],
    digest: Digest,
    lang: str,
    bot_username: str | None,
    memo: Memo,
) -> list[str]:
    items = [
        _item(number, paper, why, digest, lang, bot_username, memo)
        for number, (paper, why) in enumerate(entries, start=1)
    ]
    items[0] = f"{_labelled(label)}\n\n{items[0]}"
    return items


def _section_blocks(
    section: Section,
    digest: Digest,
    lang: str,
    bot_username: str | None,
    memo: Memo,
    in_group: bool,
) -> list[str]:
    scores = section.scores or (None,) * len(section.papers)
    items = [
        _item(
            number,
            paper,
            _followed(_why(section, score, in_group), digest.by_followed.get(paper.id)),
            digest,
            lang,
            bot_username,
            memo,
        )
        for number, (paper, score) in enumerate(zip(section.papers, scores, strict=True), start=1)
    ]
    items[0] = f"{_heading(section, lang, in_group)}\n\n{items[0]}"
    return items


def _why(section: Section, score: Score | None, in_group: bool) -> str:
    if score is not None:
        return digest_reason(score, in_group=in_group)
    if section.query is not None and in_group:
        return _("🔎 matches this group's search")
    if section.query is not None:
        return _("🔎 matches your search")
    return _("new this fortnight")


def _followed(why: str, author: str | None) -> str:
    """The why-line, and the followed author when the paper is by one."""
    return f"{why} · 👤 {author}" if author else why


def _item(
    number: int,
    paper: Paper,
    why: str,
    digest: Digest,
    lang: str,
    bot_username: str | None,
    memo: Memo,
) -> str:
    key = ("paper", paper.id, lang, bot_username)
    found = memo.get(key)
    if found is None:
        summaries = digest.summaries.get(paper.id, {})
        found = memo[key] = _paper_lines(
            paper, _tldr(summaries, lang), _card_link(paper, bot_username)
        )
    title, rest = found
    return f"{number}. {title}\n<i>{escape(why)}</i>\n{rest}"


def _paper_lines(paper: Paper, summary: str | None, card: str | None) -> tuple[str, str]:
    """The paper's title, and its lines after the why-line: TL;DR, authors, links."""
    lines = []
    if summary:
        lines.append(summary)
    if paper.authors:
        lines.append(f"👥 {authors_line(paper.authors)}")
    link = escape_attribute(paper.abs_url)
    links = [f'<a href="{link}">arXiv:{escape(paper.arxiv_id)}</a>']
    if card:
        links.append(card)
    lines.append(" · ".join(links))
    return f"<b>{escape(paper.title)}</b>", "\n".join(lines)


def _tldr(summaries: dict[str, Summary], lang: str) -> str | None:
    """The paper's TL;DR as the card would show it: in `lang`, else in the other language,
    marked as such; a translation of the editor's summary says so."""
    shown = summary_for(summaries, lang)
    if shown is None:
        return None
    summary = shown.summary
    text = escape(tldr(summary.text, summary.lang))
    if shown.other_language:
        return _noted(other_language_note(lang), text)
    if summary.translated_from:
        return _noted(translated_note(), text)
    return text


def _noted(note: str, text: str) -> str:
    # Chinese sets nothing between a full-width colon and what follows it.
    space = "" if note.endswith("：") else " "
    return f"<i>{escape(note)}</i>{space}{text}"


def _card_link(paper: Paper, bot_username: str | None) -> str | None:
    if not bot_username:
        return None
    url = f"https://t.me/{bot_username}?start={to_deep_link(paper.arxiv_id)}"
    label = _("Full summary ›")
    return f'<a href="{escape_attribute(url)}">{escape(label)}</a>'


def _footer(in_group: bool) -> str:
    if in_group:
        hint = _(
            "Search all papers with /search, open one with /paper; "
            "the group's admins choose its topics with /topics."
        )
    else:
        hint = _(
            "Search all papers with /search, open one with /paper, "
            "change topics with /topics or stop with /unsubscribe."
        )
    return f"<i>{escape(hint)}</i>"
