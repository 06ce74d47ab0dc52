"""Telegram HTML measured and cut as Telegram counts it: visible text in UTF-16 code units.

Works on the bot's own rendered HTML (text escaped, tags balanced), so a light tokenizer is
enough; it never cuts inside a tag or an entity and always leaves tags balanced.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

MESSAGE_LIMIT = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH
BLOCK_SEPARATOR = "\n\n"
ELLIPSIS = "…"

_TOKEN = re.compile(r"<[^>]*>|&#?[0-9A-Za-z]+;|[^<&]+")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z0-9-]+)")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP (emoji) count two."""
    return len(text.encode("utf-16-le")) // 2


@lru_cache(maxsize=1 << 14)  # a push measures the same papers' blocks for thousands of chats
def visible_length(markup: str) -> int:
    """How long `markup` is for Telegram once tags are gone and entities decoded."""
    return sum(utf16_len(text) for kind, _raw, text in _tokens(markup) if kind != "tag")


def shorten_html(markup: str, limit: int) -> str:
    """`markup` itself if it fits in `limit`, else cut at a word boundary with "…", tags closed."""
    if visible_length(markup) <= limit:
        return markup
    budget = limit - utf16_len(ELLIPSIS)
    kept: list[str] = []
    open_tags: list[str] = []
    for kind, raw, text in _tokens(markup):
        if kind == "tag":
            _track(raw, open_tags)
            kept.append(raw)
            continue
        size = utf16_len(text)
        if size > budget:
            if kind == "text":
                kept.append(_cut_text(raw, budget))
            break
        kept.append(raw)
        budget -= size
    cut = "".join(kept).rstrip() + ELLIPSIS
    return cut + "".join(f"</{name}>" for name in reversed(open_tags))


def split_messages(
    blocks: list[str],
    limit: int = MESSAGE_LIMIT,
    header: str = "",
    footer: str = "",
    carry: Sequence[str] | None = None,
) -> list[str]:
    """Rendered blocks joined into as few messages as fit Telegram's limit, in order.

    Splits only between blocks (never inside a tag or an entity). The header opens the
    first message and the footer closes the last; a block too long to fit beside them is
    shortened at a safe place rather than split. `carry`, beside `blocks`, is the line a
    block repeats above itself when it opens a message ("" for none): a section's heading.
    """
    room = limit - _visible_with_separator(header) - _visible_with_separator(footer)
    carried = list(carry) if carry is not None else [""] * len(blocks)
    if len(carried) != len(blocks):
        raise ValueError("carry must have one line per block")
    widest = max((_visible_with_separator(line) for line in carried), default=0)
    if room - widest <= 0:
        raise ValueError(f"header and footer leave no room within {limit} characters")
    messages: list[list[str]] = [[header]] if header else [[]]
    used = visible_length(header)
    for block, line in zip(blocks, carried, strict=True):
        block = shorten_html(block, room - _visible_with_separator(line))
        size = visible_length(block)
        grown = used + (utf16_len(BLOCK_SEPARATOR) if messages[-1] else 0) + size
        if messages[-1] and grown > limit:
            opening = f"{line}{BLOCK_SEPARATOR}{block}" if line else block
            messages.append([opening])
            used = visible_length(opening)
        else:
            messages[-1].append(block)
            used = grown
    if footer:
        _close_with_footer(messages, used, footer, limit, carried[-1] if carried else "")
    return [BLOCK_SEPARATOR.join(parts) for parts in messages if parts]


def _close_with_footer(
    messages: list[list[str]], used: int, footer: str, limit: int, line: str
) -> None:
    # Every block fits beside the footer and its line, so moving the last block fits too.
    if used + _visible_with_separator(footer) > limit and len(messages[-1]) > 1:
        block = messages[-1].pop()
        messages.append([f"{line}{BLOCK_SEPARATOR}{block}" if line else block])
    messages[-1].append(footer)


def _visible_with_separator(part: str) -> int:
    return visible_length(part) + utf16_len(BLOCK_SEPARATOR) if part else 0


def _tokens(markup: str) -> Iterator[tuple[str, str, str]]:
    """(kind, raw markup, visible text) for each tag, entity and run of text."""
    for match in _TOKEN.finditer(markup):
        raw = match.group()
        if raw.startswith("<"):
            yield "tag", raw, ""
        elif raw.startswith("&"):
            yield "entity", raw, html.unescape(raw)
        else:
            yield "text", raw, raw


def _track(tag: str, open_tags: list[str]) -> None:
    name_match = _TAG_NAME.match(tag)
    if name_match is None:
        return
    if tag.startswith("</"):
        if open_tags:
            open_tags.pop()
    else:
        open_tags.append(name_match.group(1).lower())


def _cut_text(text: str, budget: int) -> str:
    """The longest head of `text` within `budget`, ending at a space when there is one."""
    used, end = 0, 0
    for char in text:
        used += utf16_len(char)
        if used > budget:
            break
        end += 1
    head = text[:end]
    if end < len(text) and not text[end].isspace():
        # Mid-word: back up to the last space; text without spaces (Chinese) is cut as is.
        space = max(head.rfind(" "), head.rfind("\n"))
        if space > 0:
            head = head[:space]
    return head
