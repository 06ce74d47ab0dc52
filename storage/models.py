"""The plain objects storage takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Lang = Literal["zh", "en"]
SummarySource = Literal["editor", "llm", "abstract"]

# A better source replaces a worse one, never the other way round.
SOURCE_RANK: dict[str, int] = {"abstract": 1, "llm": 2, "editor": 3}


@dataclass(frozen=True, slots=True)
class Paper:
    arxiv_id: str  # without version
    version: int  # 0 while known only from an editor's article
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    categories: tuple[str, ...] = ()  # primary first
    submitted: datetime | None = None
    updated: datetime | None = None
    announced: datetime | None = None
    announce_type: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    id: int | None = field(default=None, compare=False)

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}" if self.version else self.arxiv_id

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.versioned_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.versioned_id}"

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None


@dataclass(frozen=True, slots=True)
class Summary:
    lang: Lang
    text: str
    source: SummarySource
    model: str | None = None
    importance: float | None = None
    created_at: datetime | None = None
    translated_from: Lang | None = None  # a model's translation of the editor's summary in it


@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    position: int = 0
    description: str = ""  # one line in English: what the topic covers, for a summary model

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True, slots=True)
class TopicMatch:
    slug: str
    score: float


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged
        )


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    status: str | None = None
    error: str | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class SearchHit:
    paper: Paper
    score: float
    by_meaning: bool = False  # found by the query's embedding alone, not by its words


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    total: int  # matches counted, at most the search's counting cap
    hits: tuple[SearchHit, ...]
    offset: int = 0
    total_is_capped: bool = False
    # (the reader's words, the same term in the other language) for each term searched both ways
    translated: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class EditorPick:
    """A paper an editor's article put in a fortnight's digest."""

    paper_id: int
    topic_slug: str | None  # None: the heading named no topic; the paper's rule topics apply
    position: int  # the item's place in the article, from 1


@dataclass(frozen=True, slots=True)
class PickedItem:
    """One imported item as storage records it: the pick, its topic and its summary."""

    paper_id: int
    topic_slug: str | None
    position: int
    summary: Summary | None


@dataclass(frozen=True, slots=True)
class CommunitySignal:
    """A paper's standing on Daily Papers over a period."""

    paper_id: int
    arxiv_id: str
    upvotes: int  # the most it had on any day listed
    comments: int  # the most it had on any day listed
    days: int  # days on the list
    best_rank: int  # 1: the most upvoted paper of its day
    day_share: float  # its upvotes over the day's most upvoted paper's, best day (0 to 1)
    first_day: date


@dataclass(frozen=True, slots=True)
class Standing:
    """A paper's signals regardless of topic, as a card shows them."""

    paper_id: int
    picked: bool  # an editor picked it for some fortnight
    importance: float | None
    upvotes: int  # on Hugging Face Daily Papers, the most on any day listed
    comments: int
    day_share: float  # its upvotes over its day's most upvoted paper's, best day
    listed: bool


@dataclass(frozen=True, slots=True)
class VoteTally:
    """What a card's vote buttons show: the counts of its voters and whether it is saved."""

    up: int = 0
    down: int = 0
    saved: bool = False
