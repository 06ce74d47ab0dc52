"""The fake arXiv API's answers to submitted-date searches: a catalogue of papers, each filed
under some categories on some instant, searched by category and date range, sorted by
submission, paged with start/max_results as arXiv pages them. Faults can be set for given
pages (a 503, a truncated body, an empty page arXiv sometimes sends too early), each answered
once in place of the page."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

from tests.fakes.arxiv_server import ATOM_TYPE, Answer, SeenRequest

_QUERY = re.compile(r"cat:([\w.-]+).*submittedDate:\[(\d{8})\d{4} TO (\d{8})\d{4}\]")
_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch="
    '"http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom"'
    ' xmlns="http://www.w3.org/2005/Atom">\n  <id>https://arxiv.org/api/search</id>\n'
    "  <title>arXiv Query</title>\n  <updated>2024-07-01T00:00:00Z</updated>\n"
    "  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
    "  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
)
_ENTRY = (
    "  <entry>\n    <id>http://arxiv.org/abs/{id}v1</id>\n    <title>{title}</title>\n"
    "    <updated>{at}</updated>\n    <summary>{abstract}</summary>\n"
    "{categories}"
    "    <published>{at}</published>\n"
    '    <arxiv:primary_category term="{primary}"/>\n'
    "    <author><name>Ada Lovelace</name></author>\n"
    "    <author><name>Grace Hopper</name></author>\n  </entry>\n"
)
_VOCABULARY = (
    "model models language training data performance results method approach tasks benchmark"
    " evaluation attention transformer tokens context reasoning retrieval generation agents"
    " alignment safety preference reward policy fine-tuning instruction multimodal vision"
    " speech translation summarization question answering knowledge graph efficient inference"
    " quantization distillation pruning sparse mixture experts decoding latency memory cache"
    " robustness adversarial privacy fairness bias hallucination factuality calibration"
    " uncertainty dataset annotation human feedback scaling laws pretraining corpus"
)
_WORDS = ("retrieval", "alignment", "reasoning", "agents", "benchmark", "fine-tuning", "vision")


@dataclass(frozen=True, slots=True)
class Listed:
    arxiv_id: str
    categories: tuple[str, ...]
    submitted: datetime


def fortnights_of_papers(
    categories: tuple[str, ...], first: date, days: int, per_day: int, shared_every: int = 5
) -> list[Listed]:
    """`per_day` papers a day and category; every `shared_every`-th is cross-listed in the
    next category too, so that a backfill meets it twice."""
    listed = []
    for d in range(days):
        day = first + timedelta(days=d)
        for c, category in enumerate(categories):
            for n in range(per_day):
                number = (d * len(categories) + c) * per_day + n
                arxiv_id = f"{day:%y%m}.{number:05d}"
                cats = (category,)
                if number % shared_every == 0 and len(categories) > 1:
                    cats += (categories[(c + 1) % len(categories)],)
                at = datetime(day.year, day.month, day.day, 8) + timedelta(seconds=number)
                listed.append(Listed(arxiv_id, cats, at))
    return listed


class Catalogue:
    """A responder for `FakeArxiv.respond("/api/query", catalogue)`."""

    def __init__(self, papers: list[Listed], abstract_words: int = 0) -> None:
        """`abstract_words` pads each abstract to a real one's length (about 180 words)."""
        self.papers = sorted(papers, key=lambda p: p.submitted)
        self.abstract_words = abstract_words
        self.faults: dict[tuple[str, int], list[Answer]] = {}
        # (category, first day, start) -> times that page was answered
        self.pages: Counter[tuple[str, date, int]] = Counter()

    def fault(self, category: str, start: int, *answers: Answer) -> None:
        """Answer these, in turn, to the page of `category` at `start` before the real page."""
        self.faults[(category, start)] = list(answers)

    def asked(self, category: str, start: int) -> int:
        """How many times a page at `start` of `category` was answered, in any range."""
        return sum(n for (c, _, s), n in self.pages.items() if (c, s) == (category, start))

    def __call__(self, request: SeenRequest) -> Answer:
        match = _QUERY.search(request.query.get("search_query", ""))
        if match is None:
            return Answer(status=400, body=b"bad query", content_type="text/plain")
        category = match[1]
        first = datetime.strptime(match[2], "%Y%m%d")
        last = datetime.strptime(match[3], "%Y%m%d") + timedelta(days=1)
        start = int(request.query.get("start", 0))
        size = int(request.query.get("max_results", 10))
        pending = self.faults.get((category, start))
        if pending:
            return pending.pop(0)
        self.pages[(category, first.date(), start)] += 1
        found = [p for p in self.papers if category in p.categories and first <= p.submitted < last]
        body = _feed(found, start, size, self.abstract_words)
        return Answer(body=body, content_type=ATOM_TYPE)


def _feed(found: list[Listed], start: int, size: int, words: int) -> bytes:
    head = _HEAD.format(per_page=size, total=len(found), start=start)
    entries = "".join(_entry(p, words) for p in found[start : start + size])
    return (head + entries + "</feed>\n").encode()


def _padding(seed: int, words: int) -> str:
    vocabulary = _VOCABULARY.split()
    return " ".join(vocabulary[(seed * 7919 + n * 104729) % len(vocabulary)] for n in range(words))


def _entry(paper: Listed, words: int = 0) -> str:
    number = int(paper.arxiv_id[-5:])
    word = _WORDS[int(paper.arxiv_id[-3:]) % len(_WORDS)]
    title = f"Paper {paper.arxiv_id} on {word} for large language models"
    abstract = f"We study {word} in large language models and report results on {paper.arxiv_id}."
    if words:
        abstract += " " + _padding(number, words) + "."
    categories = "".join(
        f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n'
        for c in paper.categories
    )
    return _ENTRY.format(
        id=paper.arxiv_id,
        title=escape(title),
        abstract=escape(abstract),
        at=paper.submitted.strftime("%Y-%m-%dT%H:%M:%SZ"),
        categories=categories,
        primary=paper.categories[0],
    )
