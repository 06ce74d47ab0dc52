"""An import's report for people, in the current language: one block per part (summary,
sections, skipped lines), so a chat can split it between blocks."""

from __future__ import annotations

import re

from bot import dates
from bot.i18n import _, ngettext
from bot.ingest.editor_import import ImportReport

_SKIPPED_PER_BLOCK = 20
_COUNTED = re.compile(r"^(item has (\d+) different arXiv links|duplicate of item on line (\d+))$")


def blocks(report: ImportReport, lang: str) -> list[str]:
    """The report as plain-text blocks, in order."""
    period = period_text(report, lang)
    head = ngettext(
        "Imported {n} item for {period}.", "Imported {n} items for {period}.", report.items
    ).format(n=report.items, period=period)
    counts = _("{new} new papers, {updated} updated.").format(
        new=report.papers_new, updated=report.papers_updated
    )
    why = _placement_line(report)
    parts = ["\n".join([head, *([why] if why else []), counts, *_metadata_lines(report)])]
    if report.sections:
        parts.append("\n".join(_section_line(section) for section in report.sections))
    skipped = [
        _("line {line}: {reason}").format(line=s.line, reason=reason_text(s.reason))
        for s in report.skipped
    ]
    for start in range(0, len(skipped), _SKIPPED_PER_BLOCK):
        title = [_("Skipped:")] if start == 0 else []
        parts.append("\n".join([*title, *skipped[start : start + _SKIPPED_PER_BLOCK]]))
    return parts


def period_text(report: ImportReport, lang: str) -> str:
    """`the fortnight of Jun 17, 2024 to Jun 30, 2024`, in the current language."""
    return _("the fortnight of {start} to {end}").format(
        start=dates.format_date(report.period.start, lang),
        end=dates.format_date(report.period.end, lang),
    )


def text(report: ImportReport, lang: str) -> str:
    """The whole report as one text (for the command line)."""
    return "\n\n".join(blocks(report, lang))


def _placement_line(report: ImportReport) -> str | None:
    """Why the article went under its fortnight; nothing when the operator named it."""
    placement = report.placement
    if placement.reason == "papers":
        return _("Why this fortnight: most of its papers were announced in it.")
    if placement.reason == "article":
        return _("Why this fortnight: the article says “{words}”.").format(words=placement.words)
    if placement.reason == "ids":
        return _(
            "Why this fortnight: its papers' arXiv numbers (such as {id}); "
            "their dates are not known yet."
        ).format(id=placement.words)
    if placement.reason == "arxiv":
        return _("Why this fortnight: the dates arXiv gives for its papers.")
    if placement.reason == "kept":
        return _("Why this fortnight: the article was imported before and stays where it was.")
    if placement.reason == "now":
        return _(
            "Why this fortnight: nothing tells when its papers were announced, so it is the "
            "current one; import again with --period to move it."
        )
    return None


def _metadata_lines(report: ImportReport) -> list[str]:
    lines = [_("arXiv could not be asked: {problem}").format(problem=p) for p in report.problems]
    if report.waiting:
        lines.append(
            _("Still waiting for arXiv's details: {ids}").format(ids=", ".join(report.waiting))
        )
    return lines


def _section_line(section) -> str:
    heading = section.heading or _("(no heading)")
    items = ngettext("{n} item", "{n} items", section.items).format(n=section.items)
    if section.topic is None:
        return _("• {heading}: {items}, no topic of that name (topics from the rules)").format(
            heading=heading, items=items
        )
    return _("• {heading} → {topic}: {items}").format(
        heading=heading, topic=section.topic, items=items
    )


def reason_text(reason: str) -> str:
    """The parser's reason for skipping a line, in the current language."""
    known = {
        "item has no arXiv link": _("item has no arXiv link"),
        "item has no title": _("item has no title"),
        "item's arXiv link is malformed": _("the item's arXiv link is malformed"),
        "heading without items": _("heading without items"),
        "text outside any item": _("text outside any item"),
        "furniture: text before the first section": _("page text before the first section"),
        "furniture: text after the last item": _("page text after the last item"),
        "furniture: image": _("image"),
        "furniture: link that is not arXiv": _("link that is not arXiv"),
        "furniture: breadcrumb": _("breadcrumb"),
        "furniture: source line": _("source line"),
        "furniture: byline": _("byline"),
        "furniture: date line": _("date line"),
        "furniture: reading stats": _("reading statistics"),
        "furniture: copyright notice": _("copyright notice"),
        "furniture: share links": _("share links"),
        "furniture: advertisement": _("advertisement"),
        "furniture: subscribe prompt": _("subscribe prompt"),
        "furniture: navigation": _("navigation"),
        "furniture: tags": _("tags"),
        "furniture: related articles": _("related articles"),
        "furniture: comments": _("comments"),
    }
    if reason in known:
        return known[reason]
    counted = _COUNTED.match(reason)
    if counted and counted[2]:
        return _("item has {n} different arXiv links").format(n=counted[2])
    if counted:
        return _("duplicate of the item on line {line}").format(line=counted[3])
    return reason
