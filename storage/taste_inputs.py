"""What a chat's taste is learnt from: its verdict on each paper it voted on or saved, and the
papers' text.

A verdict is the chat's 👍 less its 👎 on the paper (a private chat's reader's, or all the
members' of a group), plus one when the chat saved it (🔖): above 0 liked, below 0 not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from storage.db import Database

_CHUNK = 500  # ids per IN (…), well under SQLite's variable limit

LATEST = 200  # papers a chat's taste learns from: its latest, as tastes move and time is short

_VERDICTS_SQL = """
WITH marks AS (
    SELECT chat_id, paper_id, vote AS verdict, voted_at AS at FROM votes
    WHERE chat_id IN ({marks})
    UNION ALL
    SELECT chat_id, paper_id, 1, saved_at FROM saved_papers WHERE chat_id IN ({marks})
),
papers AS (
    SELECT chat_id, paper_id, sum(verdict) AS verdict, row_number() OVER (
        PARTITION BY chat_id ORDER BY max(at) DESC, paper_id DESC) AS latest
    FROM marks GROUP BY chat_id, paper_id
)
SELECT chat_id, paper_id, verdict FROM papers WHERE latest <= :latest
"""


async def verdicts(db: Database, chat_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """Each chat's verdicts by paper id on the `LATEST` papers it voted on or saved last, for
    the chats that did (others absent)."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    ids = list(dict.fromkeys(chat_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        params = {f"c{n}": chat_id for n, chat_id in enumerate(chunk)}
        marks = ", ".join(f":{name}" for name in params)
        rows = await db.fetchall(_VERDICTS_SQL.format(marks=marks), {**params, "latest": LATEST})
        for chat_id, paper_id, verdict in rows:
            found[chat_id][paper_id] = verdict
    return dict(found)


async def texts(db: Database, paper_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Each paper's title and abstract, by paper id."""
    found: dict[int, tuple[str, str]] = {}
    ids = list(dict.fromkeys(paper_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = await db.fetchall(
            f"SELECT id, title, abstract FROM papers WHERE id IN ({marks})", chunk
        )
        found.update((row[0], (row[1] or "", row[2] or "")) for row in rows)
    return found
