"""Answers of the fake arXiv API to `id_list` look-ups: one Atom entry per id asked, each
submitted on a given day, so that imports can be completed and placed in their fortnight."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from tests.fakes.arxiv_server import ATOM_TYPE, Answer, SeenRequest

_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch="
    '"http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom"'
    ' xmlns="http://www.w3.org/2005/Atom">\n  <id>https://arxiv.org/api/lookup</id>\n'
    "  <title>arXiv Query</title>\n  <updated>2024-07-01T00:00:00Z</updated>\n"
    "  <opensearch:totalResults>{n}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>0</opensearch:startIndex>\n"
)
_ENTRY = (
    "  <entry>\n    <id>http://arxiv.org/abs/{id}v1</id>\n    <title>Title of {id}</title>\n"
    "    <updated>{day}T09:00:00Z</updated>\n    <summary>{abstract}</summary>\n"
    '    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>\n'
    "    <published>{day}T09:00:00Z</published>\n"
    '    <arxiv:primary_category term="cs.CL"/>\n'
    "    <author><name>Ada Lovelace</name></author>\n  </entry>\n"
)


def lookup(submitted: date, unknown: frozenset[str] = frozenset()):
    """A responder: every id asked for is a paper submitted on `submitted`, except `unknown`."""

    def answer(request: SeenRequest) -> Answer:
        ids = [i for i in request.query.get("id_list", "").split(",") if i and i not in unknown]
        abstract = "We propose a method for {id}. It improves accuracy by 10% on three benchmarks."
        entries = "".join(
            _ENTRY.format(id=i, day=submitted.isoformat(), abstract=escape(abstract.format(id=i)))
            for i in ids
        )
        body = _HEAD.format(n=len(ids)) + entries + "</feed>\n"
        return Answer(body=body.encode(), content_type=ATOM_TYPE)

    return answer
