"""Callback data of inline buttons: packed with a feature prefix, parsed strictly.

Telegram caps `callback_data` at 64 bytes and hands it back verbatim, so anyone can send a
forged value: `pack_*` refuses what would not fit, `parse` turns anything unexpected into
None instead of raising.

Formats (fields separated by `:`, which no field may contain):

    card:open:<arxiv_id>            open a paper's card
    card:lang:<arxiv_id>:<zh|en>    show a card in the other language, in place
    card:similar:<arxiv_id>         papers similar to this one
    vote:<up|down|save>:<arxiv_id>:<zh|en>   👍 / 👎 / 🔖 on a card shown in that language
    search:<token>:<page>           a page (from 1) of a saved search
    topic:toggle:<slug>             subscribe to or unsubscribe from a topic
    lang:set:<zh|en>                the chat's language
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import arxiv_ids

MAX_BYTES = 64  # telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
LANGUAGES = ("zh", "en")
VOTES = ("up", "down", "save")
MAX_PAGE = 9999

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SLUG = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_PAGE = re.compile(r"[1-9][0-9]{0,3}")


class CallbackDataError(ValueError):
    """A button's data cannot be packed: a field is invalid or the whole is over 64 bytes."""


@dataclass(frozen=True, slots=True)
class OpenCard:
    arxiv_id: str


@dataclass(frozen=True, slots=True)
class CardLanguage:
    arxiv_id: str
    lang: str


@dataclass(frozen=True, slots=True)
class SimilarPapers:
    arxiv_id: str


@dataclass(frozen=True, slots=True)
class SearchPageRequest:
    token: str
    page: int


@dataclass(frozen=True, slots=True)
class TopicToggle:
    slug: str


@dataclass(frozen=True, slots=True)
class SetLanguage:
    lang: str


@dataclass(frozen=True, slots=True)
class Vote:
    action: str  # one of VOTES
    arxiv_id: str
    lang: str  # the card's language, so its buttons are redrawn in it


Callback = (
    OpenCard | CardLanguage | SimilarPapers | SearchPageRequest | TopicToggle | SetLanguage | Vote
)


def pack_open_card(arxiv_id: str) -> str:
    return _checked("card", "open", _valid_id(arxiv_id))


def pack_card_language(arxiv_id: str, lang: str) -> str:
    return _checked("card", "lang", _valid_id(arxiv_id), _valid_lang(lang))


def pack_similar(arxiv_id: str) -> str:
    return _checked("card", "similar", _valid_id(arxiv_id))


def pack_vote(action: str, arxiv_id: str, lang: str) -> str:
    if action not in VOTES:
        raise CallbackDataError(f"vote {action!r} is not one of {VOTES}")
    return _checked("vote", action, _valid_id(arxiv_id), _valid_lang(lang))


def pack_search_page(token: str, page: int) -> str:
    if not _TOKEN.fullmatch(token):
        raise CallbackDataError(f"search token {token!r} is not 1-32 URL-safe characters")
    if not 1 <= page <= MAX_PAGE:
        raise CallbackDataError(f"search page {page} is outside 1..{MAX_PAGE}")
    return _checked("search", token, str(page))


def pack_topic_toggle(slug: str) -> str:
    if not _SLUG.fullmatch(slug):
        raise CallbackDataError(f"topic slug {slug!r} is not a valid slug")
    return _checked("topic", "toggle", slug)


def pack_set_language(lang: str) -> str:
    return _checked("lang", "set", _valid_lang(lang))


def parse(data: object) -> Callback | None:
    """The button pressed, or None for data this bot did not (or could not) have packed."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    fields = data.split(":")
    parser = _PARSERS.get((fields[0], len(fields)))
    return parser(fields) if parser else None


def _checked(*fields: str) -> str:
    data = ":".join(fields)
    size = len(data.encode("utf-8"))
    if size > MAX_BYTES:
        raise CallbackDataError(f"callback data {data!r} is {size} bytes, over {MAX_BYTES}")
    return data


def _valid_id(arxiv_id: str) -> str:
    if not _is_canonical_id(arxiv_id):
        raise CallbackDataError(f"{arxiv_id!r} is not an arXiv id without version")
    return arxiv_id


def _valid_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise CallbackDataError(f"language {lang!r} is not one of {LANGUAGES}")
    return lang


def _is_canonical_id(text: str) -> bool:
    # Only the exact form this bot packs: no version, no URL, no `arXiv:` prefix.
    # ASCII only: `\d` in the id pattern would also take other scripts' digits.
    ref = arxiv_ids.parse(text) if text.isascii() and text == text.strip() else None
    return ref is not None and ref.version is None and ref.arxiv_id == text


def _parse_card(fields: list[str]) -> Callback | None:
    _, action, arxiv_id, *rest = fields
    if not _is_canonical_id(arxiv_id):
        return None
    if action == "open" and not rest:
        return OpenCard(arxiv_id)
    if action == "similar" and not rest:
        return SimilarPapers(arxiv_id)
    if action == "lang" and len(rest) == 1 and rest[0] in LANGUAGES:
        return CardLanguage(arxiv_id, rest[0])
    return None


def _parse_search(fields: list[str]) -> Callback | None:
    _, token, page = fields
    if _TOKEN.fullmatch(token) and _PAGE.fullmatch(page):
        return SearchPageRequest(token, int(page))
    return None


def _parse_topic(fields: list[str]) -> Callback | None:
    _, action, slug = fields
    return TopicToggle(slug) if action == "toggle" and _SLUG.fullmatch(slug) else None


def _parse_language(fields: list[str]) -> Callback | None:
    _, action, lang = fields
    return SetLanguage(lang) if action == "set" and lang in LANGUAGES else None


def _parse_vote(fields: list[str]) -> Callback | None:
    _, action, arxiv_id, lang = fields
    if action in VOTES and _is_canonical_id(arxiv_id) and lang in LANGUAGES:
        return Vote(action, arxiv_id, lang)
    return None


_PARSERS = {
    ("vote", 4): _parse_vote,
    ("card", 3): _parse_card,
    ("card", 4): _parse_card,
    ("search", 3): _parse_search,
    ("topic", 3): _parse_topic,
    ("lang", 3): _parse_language,
}
