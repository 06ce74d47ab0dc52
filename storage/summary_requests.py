"""The ledger of summary requests: what each cost and how it ended, and what is left to summarize.

A run's and a day's spend are summed from the ledger. A paper whose answer was rejected waits
before it is asked again, and is given up after a few rejections; one whose request failed
(the endpoint, not the answer) is asked again on the next run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import papers as stored_papers
from storage.db import Database
from storage.models import Paper

OUTCOMES = ("stored", "rejected", "failed")
MAX_REASON_CHARS = 500
RETRY_REJECTED_AFTER = timedelta(hours=6)
MAX_REJECTIONS = 3


@dataclass(frozen=True, slots=True)
class Spend:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    paper_id: int
    model: str
    requested_at: datetime
    outcome: str
    reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def record(db: Database, entry: LedgerEntry) -> None:
    """Write one request's outcome and cost (a reason bounded, token counts never negative)."""
    if entry.outcome not in OUTCOMES:
        raise ValueError(f"summary request outcome {entry.outcome!r} is not one of {OUTCOMES}")
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO summary_requests (paper_id, model, requested_at, outcome, reason,"
            " prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                entry.paper_id,
                entry.model,
                _iso(entry.requested_at),
                entry.outcome,
                entry.reason[:MAX_REASON_CHARS] if entry.reason else entry.reason,
                max(0, entry.prompt_tokens),
                max(0, entry.completion_tokens),
            ),
        )


async def spend_since(db: Database, since: datetime) -> Spend:
    """Requests and tokens spent from `since` on."""
    row = await db.fetchone(
        "SELECT count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0)"
        " FROM summary_requests WHERE requested_at >= ?",
        (_iso(since),),
    )
    return Spend(row[0], row[1], row[2])


async def history(db: Database, paper_id: int) -> list[LedgerEntry]:
    """A paper's requests, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM summary_requests WHERE paper_id = ? ORDER BY requested_at, id", (paper_id,)
    )
    return [
        LedgerEntry(
            paper_id=row["paper_id"],
            model=row["model"],
            requested_at=datetime.fromisoformat(row["requested_at"]),
            outcome=row["outcome"],
            reason=row["reason"],
            prompt_tokens=row["prompt_tokens"],
            completion_tokens=row["completion_tokens"],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Wanted:
    """Which papers a run may summarize: announced in [start, end), and on one of these."""

    start: datetime
    end: datetime
    topics: Sequence[str] = ()
    subscribed_topics: bool = False  # also every topic some active chat subscribes to
    match_expressions: Sequence[str] = ()  # FTS5 MATCH expressions of saved queries


_ANNOUNCED = "coalesce(p.announced_at, p.submitted_at)"
_NOT_REJECTED = (
    " AND NOT EXISTS (SELECT 1 FROM summary_requests r WHERE r.paper_id = p.id"
    "      AND r.outcome = 'rejected' AND r.requested_at > :retry_from)"
    " AND (SELECT count(*) FROM summary_requests r WHERE r.paper_id = p.id"
    "      AND r.outcome = 'rejected') < :max_rejections"
)
_PENDING_SQL = (
    "WITH wanted (paper_id) AS ({sources})"
    " SELECT p.* FROM papers p WHERE p.id IN (SELECT paper_id FROM wanted)"
    f" AND {_ANNOUNCED} >= :start AND {_ANNOUNCED} < :end AND p.abstract != ''"
    " AND (SELECT count(*) FROM summaries s WHERE s.paper_id = p.id"
    "      AND s.source IN ('llm', 'editor')) < 2"
    " AND NOT EXISTS (SELECT 1 FROM summaries e WHERE e.paper_id = p.id AND e.source = 'editor')"
    f"{_NOT_REJECTED}"
    f" ORDER BY {_ANNOUNCED} DESC, p.id DESC LIMIT :limit"
)
_BY_TOPIC = (
    "SELECT paper_id FROM paper_topics WHERE topic_slug IN (SELECT value FROM json_each(:t))"
)
_BY_SUBSCRIPTION = (
    "SELECT pt.paper_id FROM paper_topics pt JOIN subscriptions s ON s.topic_slug = pt.topic_slug"
    " JOIN chats c ON c.id = s.chat_id JOIN topics t ON t.slug = pt.topic_slug"
    " WHERE c.active AND t.active"
)
_BY_QUERY = "SELECT rowid FROM paper_fts WHERE paper_fts MATCH :q{n}"


async def pending(db: Database, wanted: Wanted, *, now: datetime, limit: int) -> list[Paper]:
    """Papers still lacking a model's or an editor's summary in either language, newest first.

    Papers with an editor's summary are left out (theirs is translated: see `translations`),
    and so are papers whose answer was rejected lately, or too often.
    """
    sources, params = [], {}
    if wanted.topics:
        sources.append(_BY_TOPIC)
        params["t"] = json.dumps(list(wanted.topics))
    if wanted.subscribed_topics:
        sources.append(_BY_SUBSCRIPTION)
    for n, expression in enumerate(wanted.match_expressions):
        sources.append(_BY_QUERY.format(n=n))
        params[f"q{n}"] = expression
    if not sources or limit <= 0:
        return []
    params |= {
        "start": wanted.start.isoformat(),
        "end": wanted.end.isoformat(),
        "retry_from": _iso(now - RETRY_REJECTED_AFTER),
        "max_rejections": MAX_REJECTIONS,
        "limit": limit,
    }
    rows = await db.fetchall(_PENDING_SQL.format(sources=" UNION ".join(sources)), params)
    return [stored_papers.from_row(row) for row in rows]


@dataclass(frozen=True, slots=True)
class EditorOnly:
    """A paper whose editor wrote its summary in one language only: what to translate."""

    paper: Paper
    lang: str
    text: str


_TRANSLATIONS_SQL = (
    "SELECT p.*, s.lang AS editor_lang, s.text AS editor_text FROM papers p"
    " JOIN summaries s ON s.paper_id = p.id AND s.source = 'editor'"
    " WHERE NOT EXISTS (SELECT 1 FROM summaries o WHERE o.paper_id = p.id AND o.lang <> s.lang"
    "      AND o.source IN ('editor', 'llm'))"
    " {topic}"
    f"{_NOT_REJECTED}"
    " ORDER BY (SELECT max(ep.period_start) FROM editor_picks ep WHERE ep.paper_id = p.id)"
    " DESC NULLS LAST, p.id DESC LIMIT :limit"
)
_OF_TOPIC = (
    " AND p.id IN (SELECT paper_id FROM paper_topics WHERE topic_slug IN"
    " (SELECT value FROM json_each(:t)))"
)


async def translations(
    db: Database, *, now: datetime, limit: int, topics: Sequence[str] = ()
) -> list[EditorOnly]:
    """Papers with an editor's summary in one language and none by an editor or a model in the
    other, latest article first (of these topics only, when given); rejected lately or too
    often, left out. Their readers of the other language are waiting for a translation."""
    if limit <= 0:
        return []
    params = {
        "retry_from": _iso(now - RETRY_REJECTED_AFTER),
        "max_rejections": MAX_REJECTIONS,
        "limit": limit,
        "t": json.dumps(list(topics)),
    }
    sql = _TRANSLATIONS_SQL.format(topic=_OF_TOPIC if topics else "")
    rows = await db.fetchall(sql, params)
    return [
        EditorOnly(stored_papers.from_row(row), row["editor_lang"], row["editor_text"])
        for row in rows
    ]


async def without_abstract(db: Database, limit: int) -> list[str]:
    """arXiv ids of papers known only from an editor's article, newest first: their abstract
    and dates are wanted before they are summarized."""
    rows = await db.fetchall(
        "SELECT arxiv_id FROM papers WHERE version = 0 AND abstract = '' ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [row[0] for row in rows]
