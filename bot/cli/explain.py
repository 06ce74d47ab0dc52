"""`digestbot digest … --explain`: each pick's score and its parts, for an operator checking
why the digest holds what it holds (and for tuning bot/data/ranking.toml)."""

from __future__ import annotations

from bot.digest.compose import Digest, Section
from bot.digest.ranking import Score
from bot.i18n import _, use
from bot.render.reasons import digest_reason

_PART_NAMES = {
    "topic_fit": lambda: _("topic fit"),
    "hf_presence": lambda: _("on Daily Papers"),
    "hf_upvotes": lambda: _("upvotes"),
    "hf_comments": lambda: _("comments"),
    "importance": lambda: _("model's rating"),
    "reader_votes": lambda: _("readers' votes"),
    "taste": lambda: _("the chat's taste"),
}


def explain_text(digest: Digest, lang: str) -> str:
    """Every section's papers, best first, each with its score, its parts and its why-line."""
    with use(lang) as lang:
        blocks = []
        for section in digest.sections:
            lines = [_heading(section, lang)]
            if not section.papers:
                lines.append("  " + _("(no papers)"))
            for number, (paper, score) in enumerate(_pairs(section), start=1):
                lines.append(f"{number:>3}. {paper.arxiv_id}  {paper.title}")
                lines.extend(f"     {line}" for line in _score_lines(score))
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)


def explain_json(digest: Digest, lang: str) -> list[dict]:
    """The same per section and paper, as plain values."""
    with use(lang) as lang:
        return [
            {
                "topic": section.topic.slug if section.topic else None,
                "query": section.query,
                "papers": [_paper_json(paper, score) for paper, score in _pairs(section)],
            }
            for section in digest.sections
        ]


def _pairs(section: Section):
    scores = section.scores or (None,) * len(section.papers)
    return zip(section.papers, scores, strict=True)


def _heading(section: Section, lang: str) -> str:
    if section.topic is not None:
        return f"▍{section.topic.name(lang)} ({section.topic.slug})"
    return "▍" + _("Your search “{query}”").format(query=section.query)


def _score_lines(score: Score | None) -> list[str]:
    if score is None:
        return [_("ranked by full-text relevance")]
    lines = [_("why: {reason}").format(reason=digest_reason(score))]
    signals = score.signals
    if signals.pick_position is not None:
        lines.append(_("editor's pick no. {n}, ahead of any score").format(n=signals.pick_position))
    parts = " + ".join(f"{_PART_NAMES[k]()} {v:.2f}" for k, v in score.parts.items() if v)
    lines.append(
        _("score {total:.2f} = gate {gate:.2f} × ({parts})").format(
            total=score.total, gate=score.gate, parts=parts or "0"
        )
    )
    facts = [_("fit {fit:.2f}").format(fit=signals.fit if signals.fit is not None else 0.0)]
    if signals.community is not None:
        c = signals.community
        facts.append(
            _("HF {upvotes} upvotes, {comments} comments, {share:.0%} of its day's top").format(
                upvotes=c.upvotes, comments=c.comments, share=c.day_share
            )
        )
    if signals.importance is not None:
        facts.append(_("model rated {n}/5").format(n=round(signals.importance)))
    else:
        facts.append(_("no model rating: counted as middling"))
    lines.append(" · ".join(facts))
    return lines


def _paper_json(paper, score: Score | None) -> dict:
    found = {"arxiv_id": paper.arxiv_id, "title": paper.title}
    if score is None:
        return found
    signals = score.signals
    community = signals.community
    return found | {
        "score": score.total,
        "gate": score.gate,
        "parts": score.parts,
        "why": digest_reason(score),
        "editor_pick": signals.pick_position,
        "fit": signals.fit,
        "importance": signals.importance,
        "taste": score.taste,
        "hf": None
        if community is None
        else {
            "upvotes": community.upvotes,
            "comments": community.comments,
            "day_share": community.day_share,
            "days": community.days,
        },
    }
