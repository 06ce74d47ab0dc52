"""The fortnightly digest as Telegram HTML messages, written like a good research blog's:
a header naming the period, a section per topic, numbered papers with why each is there
and their summaries.

Pure: a Digest and a language in, message texts out, each within Telegram's limit and
split only between papers (a section's heading stays with its first paper).
"""

from __future__ import annotations

from bot import dates
from bot.digest.compose import Digest, Section
from bot.digest.ranking import Score
from bot.i18n import _, ngettext, use
from bot.render.papers import escape, escape_attribute
from bot.render.reasons import digest_reason
from bot.render.split import split_messages
from storage.models import Paper, Summary


def render_digest(digest: Digest, lang: str, *, empty_topics: str = "skip") -> list[str]:
    """The digest's messages in `lang`; none when it has nothing to say.

    `empty_topics` is the chat's choice for a topic with nothing new: "skip" leaves it out,
    "line" says so in one short line. A digest with no paper at all sends nothing.
    """
    if digest.is_empty:
        return []
    with use(lang) as lang:
        blocks: list[str] = []
        for section in digest.sections:
            if section.papers:
                blocks.extend(_section_blocks(section, digest, lang))
            elif empty_topics == "line":
                nothing = _("Nothing new this fortnight.")
                blocks.append(f"{_heading(section, lang)}\n<i>{escape(nothing)}</i>")
        return split_messages(blocks, header=_header(digest, lang), footer=_footer())


def _header(digest: Digest, lang: str) -> str:
    period = dates.format_period(digest.period.start, digest.period.end, lang)
    count = sum(len(section.papers) for section in digest.sections)
    title = _("Papers that mattered, {period}").format(period=period)
    papers = ngettext("{count} paper", "{count} papers", count).format(count=count)
    return f"📚 <b>{escape(title)}</b>\n{escape(papers)}"


def _heading(section: Section, lang: str) -> str:
    if section.topic is not None:
        return f"<b>▍{escape(section.topic.name(lang))}</b>"
    label = _("Your search “{query}”").format(query=section.query)
    return f"<b>▍{escape(label)}</b>"


def _section_blocks(section: Section, digest: Digest, lang: str) -> list[str]:
    scores = section.scores or (None,) * len(section.papers)
    items = [
        _item(number, paper, _why(section, score), digest.summaries.get(paper.id, {}), lang)
        for number, (paper, score) in enumerate(zip(section.papers, scores, strict=True), start=1)
    ]
    items[0] = f"{_heading(section, lang)}\n\n{items[0]}"
    return items


def _why(section: Section, score: Score | None) -> str:
    if score is not None:
        return digest_reason(score)
    if section.query is not None:
        return _("🔎 matches your search")
    return _("new this fortnight")


def _item(number: int, paper: Paper, why: str, summaries: dict[str, Summary], lang: str) -> str:
    lines = [f"{number}. <b>{escape(paper.title)}</b>", f"<i>{escape(why)}</i>"]
    summary_line = _summary(summaries, lang)
    if summary_line:
        lines.append(summary_line)
    link = escape_attribute(paper.abs_url)
    lines.append(f'<a href="{link}">arXiv:{escape(paper.arxiv_id)}</a>')
    return "\n".join(lines)


def _summary(summaries: dict[str, Summary], lang: str) -> str | None:
    own = summaries.get(lang)
    if own is not None:
        return escape(own.text.strip())
    other = summaries.get("en" if lang == "zh" else "zh")
    if other is None:
        return None
    # Each reader is told which language they are reading instead of their own.
    zh_missing = _("No Chinese summary yet — in English:")
    marker = zh_missing if lang == "zh" else _("Summary in Chinese:")
    return f"<i>{escape(marker)}</i> {escape(other.text.strip())}"


def _footer() -> str:
    hint = _(
        "Search all papers with /search, open one with /paper, "
        "change topics with /topics or stop with /unsubscribe."
    )
    return f"<i>{escape(hint)}</i>"
