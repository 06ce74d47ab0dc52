"""`digestbot summarize`: one summarizer run now, as the daily job does it (papers without an
abstract completed from arXiv first)."""

from __future__ import annotations

import argparse

from bot.cli.data import emit, fail
from bot.config import Settings
from bot.i18n import _, ngettext
from bot.ingest.completion import summarize_completed
from bot.runtime import open_runtime
from bot.summarize.service import SummaryRun, endpoint_configured
from storage.chat_models import UnknownTopic


def _budget_line(reason: str) -> str:
    """Which budget stopped the run, naming the variable that sets it."""
    lines = {
        "run_papers": _(
            "Stopped: this run's paper budget (DIGESTBOT_SUMMARY_RUN_PAPERS) is spent."
        ),
        "run_tokens": _(
            "Stopped: this run's token budget (DIGESTBOT_SUMMARY_RUN_TOKENS) is spent."
        ),
        "daily_papers": _(
            "Stopped: today's paper budget (DIGESTBOT_SUMMARY_DAILY_PAPERS) is spent."
        ),
        "daily_tokens": _(
            "Stopped: today's token budget (DIGESTBOT_SUMMARY_DAILY_TOKENS) is spent."
        ),
    }
    return lines[reason]


def _text(run: SummaryRun) -> str:
    if run.requests == 0 and run.budget_stopped is None:
        return _("Nothing to summarize.")
    lines = []
    if run.requests:
        counts = ngettext(
            "{n} paper asked: {stored} stored, {rejected} rejected, {failed} failed.",
            "{n} papers asked: {stored} stored, {rejected} rejected, {failed} failed.",
            run.requests,
        ).format(n=run.requests, stored=run.stored, rejected=run.rejected, failed=run.failed)
        tokens = ngettext("{n} token spent.", "{n} tokens spent.", run.tokens).format(n=run.tokens)
        lines.append(f"{counts} {tokens}")
    if run.budget_stopped:
        lines.append(_budget_line(run.budget_stopped))
    return "\n".join(lines)


async def summarize(args: argparse.Namespace, settings: Settings) -> int:
    """Summarize the papers readers will see (or one topic's), within the budgets."""
    if not endpoint_configured(settings):
        fail(args, _("OPENAI_BASE_URL is not set: there is no summary endpoint to ask"))
        return 2
    rt = await open_runtime(settings)
    try:
        run = await summarize_completed(rt, limit=args.limit, topic=args.topic)
    except UnknownTopic:
        fail(args, _("unknown topic “{topic}”").format(topic=args.topic))
        return 2
    finally:
        await rt.close()
    emit(args, run.as_json(), _text(run))
    return 1 if run.failed else 0
