"""A model's summary text made safe to show: what is cleaned, and what rejects the answer.

Characters no reader should get (control, bidi overrides, zero-width, private-use, lone
surrogates) and Markdown emphasis a model adds out of habit are removed, and the removal is
said. A link or HTML markup rejects the summary: it is no longer the paper's words, and a
cleaned-out link leaves a broken sentence.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Cc control, Cf format (bidi overrides and isolates, zero-width), Co private use, Cs surrogate.
_INVISIBLE = frozenset(("Cc", "Cf", "Co", "Cs"))
_LINK = re.compile(
    r"[a-z][a-z0-9+.-]*://|\bwww\.|\b(?:javascript|data|mailto|tg):(?=\S)|\]\("
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/\S",
    re.IGNORECASE,
)
_LINK_HINTS = re.compile(r"[:/]|www\.|\]\(", re.IGNORECASE)  # no link without one of these
_TAG = re.compile(r"</?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>|<!--", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")  # terminal escapes, not only ESC
_EMPHASIS = re.compile(r"\*\*|__|`")
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)

CONTROL_REMOVED = "control or bidi characters removed"
MARKDOWN_REMOVED = "Markdown removed"


class UnsafeText(ValueError):
    """The text carries what a summary must not; the message says what."""


def _visible(text: str) -> str:
    if text.isprintable():  # the usual case, checked in C: nothing below could match
        return text
    text = _ANSI.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)


def clean(text: str) -> tuple[str, list[str]]:
    """The text as one line of plain characters, and what was removed from it.

    Raises UnsafeText when it carries a link or HTML markup.
    """
    notes = []
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)  # escaped by the renderer; an entity would show as typed
    visible = _visible(text)
    if visible != text:
        notes.append(CONTROL_REMOVED)
    if _LINK_HINTS.search(visible) and _LINK.search(visible):
        raise UnsafeText("carries a link")
    if "<" in visible and _TAG.search(visible):
        raise UnsafeText("carries HTML markup")
    plain = (
        _EMPHASIS.sub("", visible)
        if "*" in visible or "_" in visible or "`" in visible
        else visible
    )
    if plain != visible:
        notes.append(MARKDOWN_REMOVED)
    return " ".join(plain.split()), notes
