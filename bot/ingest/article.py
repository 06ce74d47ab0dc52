"""An editor's curated digest article (plain text or Markdown, 中文 or English) read into
sections of numbered items, each with one arXiv paper; pure, nothing fetched or stored.

An article is topic headings, each followed by numbered items (`1、Title`, `1. Title`,
`（1）Title`, `### 1. Title`), each item a title, summary paragraphs and one arXiv link.
Page furniture around the body (breadcrumbs, bylines, copyright notices, related posts) and
every item that cannot be imported are reported in `Article.skipped` with their lines, so
the import can say what it dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ingest import article_lines
from bot.ingest.article_body import Draft, Event, read_events
from bot.ingest.article_lines import Line
from bot.ingest.article_period import Stated, stated_in
from storage.cjk import chinese_share

# Chinese with English paper titles and terms still reads as Chinese well below half.
_ZH_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class Item:
    number: int | None  # None for an unnumbered `### Title` item
    title: str
    summary: str  # paragraphs and `- bullet` lines, joined with newlines
    arxiv_id: str
    version: int | None
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    heading: str  # "" for items before any heading
    line: int
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Skipped:
    line: int
    reason: str  # short, English, for the operator


@dataclass(frozen=True, slots=True)
class Article:
    language: str  # 'zh' | 'en'
    sections: list[Section]
    skipped: list[Skipped]
    stated: Stated | None = None  # the fortnight its title or text names, if any


def parse(text: str, *, lang: str | None = None) -> Article:
    """The sections and items of an article, and every line or item left out, with why."""
    if lang not in (None, "zh", "en"):
        raise ValueError(f"article language must be 'zh' or 'en', not {lang!r}")
    events = read_events(article_lines.split(text))
    start, end = _body_bounds(events)
    skipped: list[Skipped] = []
    tail = _cut_after_last_link(events[start:end])
    _report_outside(events[:start], "furniture: text before the first section", skipped)
    _report_outside(events[end:], "furniture: text after the last item", skipped)
    after = "furniture: text after the last item"
    skipped.extend(Skipped(line.number, _furniture_reason(line, after)) for line in tail)
    sections = _sections(events[start:end], skipped)
    skipped.sort(key=lambda skip: skip.line)
    return Article(lang or _language(sections), sections, skipped, stated_in(text))


def _body_bounds(events: list[Event]) -> tuple[int, int]:
    """From the heading of the first item with a link to the end of the last such item."""
    linked = [i for i, event in enumerate(events) if event.draft and event.draft.refs()]
    if not linked:
        return 0, len(events)
    first, last = linked[0], linked[-1]
    start = next((i for i in range(first, -1, -1) if events[i].heading is not None), None)
    if start is None:
        start = first
        while start > 0 and _continues(events[start - 1], events[start]):
            start -= 1
    end = last + 1
    while end < len(events) and _continues(events[end - 1], events[end]):
        end += 1
    return start, end


def _continues(before: Event, after: Event) -> bool:
    """An item directly after another in the same list (an item that lost its link)."""
    if not (before.draft and after.draft):
        return False
    first, second = before.draft.number, after.draft.number
    return (first is None and second is None) or (first is not None and second == first + 1)


def _cut_after_last_link(body: list[Event]) -> list[Line]:
    """Where items end with their link line, what follows the last link is not the item's."""
    drafts = [event.draft for event in body if event.draft and event.draft.refs()]
    if not drafts:
        return []
    # The last item cannot vote on its own end; an item linked in its title has no say.
    voters = [draft for draft in drafts[:-1] if not draft.title_line.refs]
    link_last = sum(draft.ends_with_link() for draft in voters) * 2 > len(voters)
    return drafts[-1].cut_after_link() if link_last else []


def _report_outside(events: list[Event], default: str, skipped: list[Skipped]) -> None:
    for event in events:
        for line in event.lines():
            skipped.append(Skipped(line.number, _furniture_reason(line, default)))


def _furniture_reason(line: Line, default: str) -> str:
    if line.kind == "furniture":
        return f"furniture: {line.furniture}"
    if line.kind == "image":
        return "furniture: image"
    if line.kind == "links":
        return "furniture: link that is not arXiv"
    return default


def _sections(body: list[Event], skipped: list[Skipped]) -> list[Section]:
    sections: list[Section] = []
    seen: dict[str, int] = {}  # arXiv id -> line of the item that has it
    for event in body:
        if event.heading is not None:
            sections.append(Section(event.heading, event.line.number))
        elif event.draft is not None:
            if not sections:
                sections.append(Section("", event.draft.line))
            _add_item(event.draft, sections[-1], seen, skipped)
        else:
            reason = _furniture_reason(event.line, "text outside any item")
            skipped.append(Skipped(event.line.number, reason))
    skipped.extend(Skipped(s.line, "heading without items") for s in sections if not s.items)
    return [section for section in sections if section.items]


def _add_item(draft: Draft, section: Section, seen: dict[str, int], skipped: list[Skipped]) -> None:
    ids = list(dict.fromkeys(ref.arxiv_id for ref in draft.refs()))
    title = article_lines.clean_title(draft.title)
    if not ids and any(article_lines.mentions_arxiv(line.text) for line in draft.lines()):
        reason = "item's arXiv link is malformed"
    elif not ids:
        reason = "item has no arXiv link"
    elif len(ids) > 1:
        reason = f"item has {len(ids)} different arXiv links"
    elif not title:
        reason = "item has no title"
    elif ids[0] in seen:
        reason = f"duplicate of item on line {seen[ids[0]]}"
    else:
        seen[ids[0]] = draft.line
        versions = [ref.version for ref in draft.refs() if ref.version is not None]
        version = max(versions) if versions else None
        item = Item(draft.number, title, draft.summary(), ids[0], version, draft.line)
        section.items.append(item)
        return
    skipped.append(Skipped(draft.line, reason))


def _language(sections: list[Section]) -> str:
    """'zh' when Chinese characters make a fair share of the letters of headings and items."""
    parts = [section.heading for section in sections]
    parts += [f"{item.title}\n{item.summary}" for section in sections for item in section.items]
    return "zh" if chinese_share("\n".join(parts)) >= _ZH_SHARE else "en"
