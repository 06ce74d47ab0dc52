"""`digestbot similar ID [--limit N]`: the papers most like a stored one, never itself."""

from __future__ import annotations

import argparse

from bot.cli.data import emit
from bot.cli.failures import USAGE, WORK_FAILED, arxiv_ref, fail
from bot.config import Settings
from bot.i18n import _
from bot.runtime import open_runtime
from bot.search import semantic
from bot.search import similar as similar_papers
from storage import papers

DEFAULT_LIMIT = 10


def add_parser(commands, positive) -> argparse.ArgumentParser:
    """The `similar` subcommand; `positive` parses --limit as the other commands do."""
    parser = commands.add_parser("similar", help=_("the stored papers most like a paper"))
    parser.add_argument("id", help=_("an arXiv id or link"))
    parser.add_argument("--limit", type=positive, default=DEFAULT_LIMIT, help=_("how many results"))
    return parser


async def similar(args: argparse.Namespace, settings: Settings) -> int:
    """Print the papers like the one named, best first."""
    ref = arxiv_ref(args, args.id)
    if ref is None:
        return USAGE
    rt = await open_runtime(settings)
    try:
        paper = await papers.get(rt.db, ref.arxiv_id)
        if paper is None:
            fail(args, _("paper {id} is not known").format(id=ref.arxiv_id))
            return WORK_FAILED
        semantic.wait_for_index(rt)
        hits = await similar_papers.similar(rt, paper, args.limit)
    finally:
        await semantic.close(rt)
        await rt.close()
    results = [
        {"arxiv_id": h.paper.arxiv_id, "title": h.paper.title, "score": round(h.score, 4)}
        for h in hits
    ]
    if hits:
        lines = [_("Papers like “{title}”:").format(title=paper.title)]
        lines += [
            f"{i}. {h.paper.title}  [{h.paper.arxiv_id}]  {h.score:.2f}"
            for i, h in enumerate(hits, start=1)
        ]
        text = "\n".join(lines)
    else:
        text = _("No stored paper is like “{title}” yet.").format(title=paper.title)
    emit(args, {"arxiv_id": paper.arxiv_id, "results": results}, text)
    return 0
