"""Why a paper is shown, in one short line in the reader's language: `🔥 HF 26 赞 · 主题吻合`.

Pure: a paper's score for a topic (in a digest) or its standing (on a card) in, the line out,
in the language `bot.i18n.use` set. The parts come in a fixed order, the strongest reason
first: an editor's pick, the chat's taste, the Daily Papers upvotes, a model's high rating,
the topic fit.
"""

from __future__ import annotations

from bot.digest.ranking import Score
from bot.i18n import _, ngettext
from storage.models import Standing

SEPARATOR = " · "
IMPORTANT = 4  # a model's rating (1 to 5) worth telling the reader
TO_YOUR_TASTE = 0.5  # a chat's taste (-1 to 1) worth telling it: a standard deviation up


def digest_reason(score: Score, *, in_group: bool = False) -> str:
    """Why a paper is in its topic's issue (a group's, `in_group`, liked by its members
    together); never empty."""
    signals = score.signals
    parts = []
    if score.picked:
        parts.append(_editor())
    if score.taste is not None and score.taste >= TO_YOUR_TASTE:
        parts.append(_("💡 similar to papers this group liked") if in_group else _liked())
    if signals.community is not None:
        parts.append(_upvotes(signals.community.upvotes))
    if signals.importance is not None and signals.importance >= IMPORTANT:
        parts.append(_rated(signals.importance))
    if not score.picked:
        parts.append(_("on topic") if score.gate >= 1 else _("related to the topic"))
    return SEPARATOR.join(parts)


def card_reason(standing: Standing | None) -> str | None:
    """Why a paper stands out, for its card; None when nothing sets it apart."""
    if standing is None:
        return None
    parts = []
    if standing.picked:
        parts.append(_editor())
    if standing.listed:
        parts.append(_upvotes(standing.upvotes))
    if standing.importance is not None and standing.importance >= IMPORTANT:
        parts.append(_rated(standing.importance))
    return SEPARATOR.join(parts) or None


def _liked() -> str:
    return _("💡 similar to papers you liked")


def _editor() -> str:
    return _("✍️ editor's pick")


def _upvotes(count: int) -> str:
    return ngettext("🔥 HF {count} upvote", "🔥 HF {count} upvotes", count).format(count=count)


def _rated(importance: float) -> str:
    return _("⭐ rated {score}/5 by the model").format(score=round(importance))
