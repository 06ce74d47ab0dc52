"""The digest's sections from the chat's own library, after its topics: papers by the authors
it follows ("From authors you follow"), and its saved papers that have a new arXiv version
("updated: v2 → v3"). Pure: headings (each led by its sign, 👤 or 🔄, which its papers' buttons
show) and each paper's why-line, in the language in use."""

from __future__ import annotations

from bot.digest.compose import Digest
from bot.i18n import _
from storage.models import Paper


def library_sections(digest: Digest) -> list[tuple[str, list[tuple[Paper, str]]]]:
    """(heading, [(paper, why it is there)]) for each library section with papers."""
    sections = []
    if digest.followed:
        followed = [(paper, f"👤 {author}") for paper, author in digest.followed]
        sections.append(("👤 " + _("From authors you follow"), followed))
    if digest.updated:
        updated = [
            (paper, "🔄 " + updated_line(known, paper.version)) for paper, known in digest.updated
        ]
        sections.append(("🔄 " + _("Saved papers with a new version"), updated))
    return sections


def updated_line(known: int, now: int) -> str:
    """ "updated: v2 → v3", in the language in use."""
    return _("updated: v{old} → v{new}").format(old=known, new=now)
