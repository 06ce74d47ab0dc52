"""Telegram's HTML parse mode, checked strictly: visible text, entities, and the 400 texts.

Follows the Bot API "HTML style" rules and the wording of the parser behind it: only the
documented tags, attributes quoted or bare, the four named entities plus numeric ones.
One deliberate strictness: a bare ``&`` is refused, because the documentation says it must
be escaped even where the server would let it through, and an unescaped ``&`` in rendered
text means an unescaped ``<`` is one title away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ENTITY_TYPE_BY_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_SPECIAL = re.compile(r"[<&]")
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_START_TAG_NAME = re.compile(r"[^\s>]*")
_END_TAG = re.compile(r"</([a-zA-Z0-9-]*)\s*(>?)")
_ATTRIBUTE_NAME = re.compile(r"[a-zA-Z0-9_-]*")
_SPACES = re.compile(r"\s*")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is the server's wording."""


@dataclass
class ParsedText:
    """What a client sees: the text without tags, and entities in UTF-16 offsets."""

    text: str
    entities: list[dict] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    offset: int
    attributes: dict[str, str]


def utf16_len(text: str) -> int:
    """Length as Telegram measures offsets: UTF-16 code units, astral characters count two."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(html: str) -> ParsedText:
    """Visible text and entities of ``html``, or HtmlParseError with Telegram's description."""
    parser = _Parser(html)
    parser.run()
    entities = sorted(parser.entities, key=lambda entity: (entity["offset"], -entity["length"]))
    return ParsedText("".join(parser.chunks), entities)


def strip_text(parsed: ParsedText) -> ParsedText:
    """Trim surrounding whitespace as Telegram does, moving entities with the text."""
    stripped = parsed.text.lstrip()
    lead = utf16_len(parsed.text[: len(parsed.text) - len(stripped)])
    stripped = stripped.rstrip()
    end = utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, end)
        if stop > start:
            entities.append({**entity, "offset": start, "length": stop - start})
    return ParsedText(stripped, entities)


class _Parser:
    """One pass over the markup; the position ``i`` only moves forward."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.i = 0
        self.chunks: list[str] = []
        self.length = 0  # UTF-16 length of the visible text so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    def run(self) -> None:
        html = self.html
        while (match := _SPECIAL.search(html, self.i)) is not None:
            self.emit(html[self.i : match.start()])
            self.i = match.start()
            if html[self.i] == "&":
                self.emit(self.entity())
            elif html.startswith("</", self.i):
                self.end_tag()
            else:
                self.start_tag()
        self.emit(html[self.i :])
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )

    def emit(self, text: str) -> None:
        if text:
            self.chunks.append(text)
            self.length += utf16_len(text)

    def byte_offset(self, position: int) -> int:
        return len(self.html[:position].encode())

    def entity(self) -> str:
        match = _HTML_ENTITY.match(self.html, self.i)
        if match is None:
            offset = self.byte_offset(self.i)
            raise HtmlParseError(
                f'Character "&" must be escaped as "&amp;" at byte offset {offset}'
            )
        self.i = match.end()
        return _decode_entity(match)

    def start_tag(self) -> None:
        begin = self.i
        name_match = _START_TAG_NAME.match(self.html, begin + 1)
        self.i = name_match.end()
        if self.i >= len(self.html):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = name_match.group().lower()
        if name not in ENTITY_TYPE_BY_TAG:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attributes = self.attributes(name, begin)
        _check_attributes(name, attributes)
        self.stack.append(_OpenTag(name, self.length, attributes))

    def attributes(self, tag: str, begin: int) -> dict[str, str]:
        html, attributes = self.html, {}
        while True:
            self.i = _SPACES.match(html, self.i).end()
            if self.i >= len(html):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if html[self.i] == ">":
                self.i += 1
                return attributes
            name_match = _ATTRIBUTE_NAME.match(html, self.i)
            name = name_match.group().lower()
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            self.i = _SPACES.match(html, name_match.end()).end()
            if html.startswith("=", self.i):
                attributes[name] = self.attribute_value(tag, begin)
            elif name == "expandable":
                attributes[name] = ""
            else:
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )

    def attribute_value(self, tag: str, begin: int) -> str:
        html = self.html
        self.i = _SPACES.match(html, self.i + 1).end()
        quote = html[self.i : self.i + 1]
        if quote in ('"', "'"):
            close = html.find(quote, self.i + 1)
            if close < 0:
                raise HtmlParseError(
                    f'Unclosed end of attribute value in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            raw, self.i = html[self.i + 1 : close], close + 1
        else:
            value_end = _START_TAG_NAME.match(html, self.i).end()
            raw, self.i = html[self.i : value_end], value_end
        return _HTML_ENTITY.sub(_decode_entity, raw)

    def end_tag(self) -> None:
        begin = self.i
        match = _END_TAG.match(self.html, begin)
        name, closed = match.group(1).lower(), match.group(2)
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        if not closed:
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        expected = self.stack[-1].name
        if name != expected:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{expected}>", found "</{name}>"'
            )
        self.i = match.end()
        self.close_entity(self.stack.pop())

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.length - tag.offset
        if length <= 0 or (tag.name == "a" and "href" not in tag.attributes):
            return
        entity = {"type": ENTITY_TYPE_BY_TAG[tag.name], "offset": tag.offset, "length": length}
        attributes = tag.attributes
        if tag.name == "a":
            entity["url"] = attributes["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = attributes["emoji-id"]
        elif tag.name == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            # <pre><code class="language-x"> is one pre entity carrying the language
            language = attributes.get("class", "")
            if language.startswith("language-"):
                self.stack[-1].attributes["language"] = language.removeprefix("language-")
            return
        elif tag.name == "pre" and "language" in attributes:
            entity["language"] = attributes["language"]
        self.entities.append(entity)


def _check_attributes(tag: str, attributes: dict[str, str]) -> None:
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlParseError('Tag "span" must have class "tg-spoiler"')
    if tag == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise HtmlParseError('Tag "tg-emoji" must have attribute "emoji-id" with a number')


def _decode_entity(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return NAMED_ENTITIES[named]
    code_point = int(decimal) if decimal else int(hexadecimal, 16)
    return chr(code_point) if 0 < code_point <= 0x10FFFF else ""
