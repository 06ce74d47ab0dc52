"""Two fortnights of papers of two kinds, for the tests of a chat's own ranking.

In the fortnight of 3–16 June 2024 (the earlier one, whose papers readers vote on) and in
that of 17–30 June 2024 (the current one), papers on speech and papers on code, all in the
`llm` topic. In the current fortnight a model rated the code papers 5 and the speech papers
1, so the shared issue puts every code paper first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.runtime import Runtime
from storage import papers, summaries
from storage import topics as stored_topics
from storage.models import Paper, Summary, TopicMatch

EARLIER = datetime(2024, 6, 4, 8, tzinfo=UTC)
CURRENT = datetime(2024, 6, 18, 8, tzinfo=UTC)
NOW = datetime(2024, 6, 26, 12, tzinfo=UTC)  # a Wednesday of the current fortnight

SPEECH = (
    (
        "Streaming speech recognition with {n} spoken language units",
        "We train an audio encoder for automatic speech recognition of spoken utterances in "
        "setting {n}. Speech tokens feed a language model and the word error rate falls on "
        "noisy audio and accented speech.",
    ),
    (
        "Speech synthesis and spoken dialogue, study {n}",
        "A text-to-speech system turns a language model's replies into natural speech. "
        "Listeners rate the audio of spoken answers in setting {n}; prosody and speaker "
        "similarity improve.",
    ),
)
CODE = (
    (
        "Repository-level code generation, study {n}",
        "We evaluate code completion and program synthesis on programming tasks in setting "
        "{n}. The language model writes code that passes unit tests of software repositories.",
    ),
    (
        "Debugging programs with a code model, part {n}",
        "Given a failing unit test, the language model repairs the program's source code in "
        "setting {n}; compiler feedback and execution traces guide the code edits.",
    ),
)


async def add(
    rt: Runtime, arxiv_id: str, kind: tuple, n: int, announced: datetime, importance: float
) -> int:
    """One paper of a kind (SPEECH or CODE) in the `llm` topic; its row id."""
    title, abstract = kind[n % len(kind)]
    paper = Paper(
        arxiv_id,
        1,
        title.format(n=n),
        authors=("Ada Lovelace",),
        abstract=abstract.format(n=n),
        categories=("cs.CL",),
        submitted=announced,
        announced=announced,
        announce_type="new",
    )
    [stored] = (await papers.upsert(rt.db, [paper])).changed
    await stored_topics.assign(rt.db, [(stored.id, [TopicMatch("llm", 1.0)])])
    found = f"What paper {arxiv_id} found."
    await summaries.put(rt.db, stored.id, Summary("en", found, "llm", importance=importance))
    return stored.id


async def two_fortnights(rt: Runtime) -> dict[str, str]:
    """The papers of both fortnights; their arXiv ids by name: `speech-old-1`, `code-3`, …"""
    ids = {}
    for n in range(1, 4):
        ids[f"speech-old-{n}"] = f"2406.0{n:04d}"
        await add(rt, ids[f"speech-old-{n}"], SPEECH, n, EARLIER, 3)
        ids[f"code-old-{n}"] = f"2406.1{n:04d}"
        await add(rt, ids[f"code-old-{n}"], CODE, n, EARLIER, 3)
    for n in range(1, 6):
        ids[f"code-{n}"] = f"2406.3{n:04d}"
        await add(rt, ids[f"code-{n}"], CODE, n, CURRENT, 5)
    for n in range(1, 5):
        ids[f"speech-{n}"] = f"2406.4{n:04d}"
        await add(rt, ids[f"speech-{n}"], SPEECH, n, CURRENT, 1)
    return ids


def order_in(text: str, ids: dict[str, str]) -> list[str]:
    """The names of the papers a digest's text lists, in its order."""
    by_id = {arxiv_id: name for name, arxiv_id in ids.items()}
    found = []
    for line in text.splitlines():
        for arxiv_id, name in by_id.items():
            if f"arXiv:{arxiv_id}" in line:
                found.append(name)
    return found
