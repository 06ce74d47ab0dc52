"""Which summary a reader is shown, and how it is labelled: the one in the reader's language,
else the other one, marked as such; a model's translation of an editor's summary says so.

The card and the digest both choose here, so a paper reads the same in both (in full on the
card, its first sentences in the digest). Pure; labels are translated, escaping is the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import _
from storage.models import Summary


@dataclass(frozen=True, slots=True)
class Shown:
    summary: Summary
    other_language: bool  # the reader's language has none: this is the other one


def summary_for(summaries: Mapping[str, Summary], lang: str) -> Shown | None:
    """The summary a reader of `lang` sees; None when the paper has none in either language."""
    if (own := summaries.get(lang)) is not None:
        return Shown(own, False)
    other = summaries.get("en" if lang == "zh" else "zh")
    return Shown(other, True) if other is not None else None


def other_language_note(lang: str) -> str:
    """What a reader of `lang` is told before a summary in the other language."""
    if lang == "zh":
        return _("No Chinese summary yet — in English:")
    return _("Summary in Chinese:")


def translated_note() -> str:
    """What a digest says before a model's translation of an editor's summary."""
    return _("Translated from the editor's summary:")


def provenance(summary: Summary) -> str:
    """Where the summary comes from, as the card says it."""
    if summary.translated_from and summary.model:
        return _("Translated by {model} from the editor's summary").format(model=summary.model)
    if summary.translated_from:
        return _("Translated by a language model from the editor's summary")
    if summary.source == "editor":
        return _("Editor's summary")
    if summary.source == "llm" and summary.model:
        return _("Summary by {model}").format(model=summary.model)
    if summary.source == "llm":
        return _("Summary by a language model")
    return _("Extracted from the abstract")
