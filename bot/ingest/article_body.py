"""The body of a digest article read line by line into events: headings, drafted items,
furniture and loose lines, in order. `bot.ingest.article` decides which of them count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from bot.arxiv_ids import ArxivRef
from bot.ingest import article_lines
from bot.ingest.article_lines import Line

_BOUNDARIES = frozenset({"section", "heading", "item"})
_STANDALONE_AFTER = frozenset({"blank", "links", "furniture", "section"})


@dataclass(slots=True)
class Draft:
    """An item as read: its title line and every line up to the next item or heading."""

    title_line: Line
    content: list[Line] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.title_line.number

    @property
    def number(self) -> int | None:
        return self.title_line.item_number

    @property
    def title(self) -> str:
        return self.title_line.content

    def refs(self) -> tuple[ArxivRef, ...]:
        """The item's own links (title and link lines), else links inside its summary."""
        own = self.title_line.refs + tuple(
            ref for line in self.content if line.kind == "links" for ref in line.refs
        )
        return own or tuple(ref for line in self.content for ref in line.refs)

    def lines(self) -> list[Line]:
        """The title line and every line after it."""
        return [self.title_line, *self.content]

    def has_text(self) -> bool:
        return any(line.kind in ("text", "bullet", "sublist") for line in self.content)

    def last_text(self) -> Line | None:
        return next((line for line in reversed(self.content) if line.kind != "blank"), None)

    def ends_with_link(self) -> bool:
        """Whether nothing but links follows the item's last arXiv link line."""
        for line in reversed(self.content):
            if line.kind == "links" and line.refs:
                return True
            if line.kind in ("text", "bullet", "sublist"):
                return False
        return False

    def cut_after_link(self) -> list[Line]:
        """Drop what follows the last link line; the dropped lines that held anything."""
        linked = [i for i, line in enumerate(self.content) if line.kind == "links" and line.refs]
        if not linked:
            return []
        cut = self.content[linked[-1] + 1 :]
        del self.content[linked[-1] + 1 :]
        return [line for line in cut if line.kind != "blank"]

    def summary(self) -> str:
        """Paragraphs and list lines, one a line; wrapped lines of a paragraph joined."""
        parts: list[str] = []
        paragraph = ""
        for line in self.content:
            if line.kind in ("text", "bullet", "sublist"):
                text = article_lines.plain_text(line.content)
                if line.kind == "text" and text:
                    glue = "" if article_lines.joins_without_space(paragraph, text) else " "
                    paragraph = f"{paragraph}{glue}{text}" if paragraph else text
                    continue
                if text:
                    parts.extend([paragraph] if paragraph else [])
                    paragraph = ""
                    parts.append(f"- {text}" if line.kind == "bullet" else text)
            elif line.kind == "blank" and paragraph:
                parts.append(paragraph)
                paragraph = ""
        parts.extend([paragraph] if paragraph else [])
        return "\n".join(parts)


@dataclass(slots=True)
class Event:
    """One thing in the article: a heading, an item, or a line outside both."""

    line: Line
    heading: str | None = None
    draft: Draft | None = None

    def lines(self) -> list[Line]:
        """The lines this event holds that are not blank, for the skipped report."""
        if self.draft is None:
            return [self.line]
        return [self.line, *(line for line in self.draft.content if line.kind != "blank")]


def read_events(lines: list[Line]) -> list[Event]:
    """The article's events in order, each item drafted with its lines."""
    roles = _roles(lines)
    linked = _linked_ahead(lines, roles)
    events: list[Event] = []
    draft: Draft | None = None
    block = ""  # the furniture block (related posts, comments) being read, if any
    for i, line in enumerate(lines):
        role = roles[i]
        if role == "blank":
            if draft:
                draft.content.append(line)
            continue
        if role == "furniture":
            events.append(Event(line))
            if line.opens_block:
                block, draft = line.furniture, None
            continue
        if block:
            if role not in _BOUNDARIES or not linked[i]:
                events.append(Event(replace(line, kind="furniture", furniture=block)))
                continue
            block = ""
        if role in ("section", "heading") and not (
            role == "heading" and draft and _inside_summary(draft, line, lines, i)
        ):
            draft = None
            events.append(Event(line, heading=article_lines.clean_heading(line.content)))
            continue
        if role == "item" and not (draft and _is_sublist(draft, line)):
            draft = Draft(line)
            events.append(Event(line, draft=draft))
            continue
        content = _as_content(line, role)
        if draft:
            draft.content.append(content)
        else:
            events.append(Event(content))
    return events


def _roles(lines: list[Line]) -> list[str]:
    """Each line's role: markdown headings placed by level, plain headings by their shape."""
    item_level, in_items = _item_level(lines)
    roles = [_markdown_role(line, item_level, in_items) for line in lines]
    following = "blank"
    next_role = ["blank"] * len(lines)
    for i in range(len(lines) - 1, -1, -1):
        next_role[i] = following
        if roles[i] != "blank":
            following = roles[i]
    for i, line in enumerate(lines):
        before = roles[i - 1] if i else "blank"
        if (
            next_role[i] == "item"
            and before in _STANDALONE_AFTER
            and article_lines.looks_like_heading(line)
        ):
            roles[i] = "heading"
    return roles


def _markdown_role(line: Line, item_level: int, in_items: set[int]) -> str:
    if line.kind == "numbered":
        return "item"
    if line.kind != "markdown":
        return line.kind
    if line.number in in_items:
        return "text"
    if not item_level or line.level < item_level:
        return "section"
    return "item" if line.level == item_level else "text"


def _item_level(lines: list[Line]) -> tuple[int, set[int]]:
    """The Markdown heading level of items: the level whose blocks most often hold an arXiv
    link and no numbered list (a section heading's block ends where its first item starts).
    Also the lines of headings inside a numbered item (`#### Why it matters`): its text."""
    counts: Counter[int] = Counter()
    heading: Line | None = None
    linked = numbered = inside_item = False
    last_numbered = -1
    structural = (-1, 0)  # index and level of the last heading that is not inside an item
    in_items: set[int] = set()
    for index, line in enumerate([*lines, Line(0, "", "markdown", level=1)]):
        if line.kind == "markdown":
            if heading is not None and linked and not numbered and not inside_item:
                counts[heading.level] += 1
            inside_item = structural[0] < last_numbered and 0 < structural[1] < line.level
            if inside_item:
                in_items.add(line.number)
            else:
                structural = (index, line.level)
            heading, linked, numbered = line, bool(line.refs), False
        else:
            linked = linked or bool(line.refs)
            numbered = numbered or line.kind == "numbered"
            last_numbered = index if line.kind == "numbered" else last_numbered
    if not counts:
        return 0, in_items
    return max(counts, key=lambda level: (counts[level], level)), in_items


def _linked_ahead(lines: list[Line], roles: list[str]) -> list[bool]:
    """For each line, whether an arXiv link comes before the next item or heading; a heading
    counts its first item's."""
    linked = [False] * len(lines)
    carry = next_item = False
    for i in range(len(lines) - 1, -1, -1):
        if roles[i] in ("heading", "section"):
            linked[i], carry = next_item, False
            continue
        carry = bool(lines[i].refs) or carry
        linked[i] = carry
        if roles[i] == "item":
            next_item = carry
        if roles[i] == "item" or lines[i].opens_block:
            carry = False
    return linked


def _inside_summary(draft: Draft, line: Line, lines: list[Line], index: int) -> bool:
    """A heading-shaped line that leads a numbered list inside an item still being read."""
    if draft.refs() or not draft.has_text():
        return False
    if article_lines.ends_sentence(line.text):
        return True
    following = next((later for later in lines[index + 1 :] if later.kind != "blank"), None)
    return following is not None and article_lines.ends_sentence(following.content)


def _is_sublist(draft: Draft, line: Line) -> bool:
    """A numbered line inside a summary (`1. 首先…。`) rather than the next item."""
    if line.kind != "numbered" or line.refs or not draft.has_text():
        return False
    last = draft.last_text()
    led_in = last is not None and (
        last.kind == "sublist" or last.text.rstrip("*").endswith((":", "："))
    )
    return led_in or (not draft.refs() and article_lines.ends_sentence(line.content))


def _as_content(line: Line, role: str) -> Line:
    if line.kind == "numbered":
        return replace(line, kind="sublist", content=line.text)
    if role == "text" and line.kind == "markdown":
        return replace(line, kind="text")
    return line
