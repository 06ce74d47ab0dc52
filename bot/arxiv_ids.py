"""arXiv identifiers: new style (2406.15877, 0704.0001), old style (hep-th/9901001), in URLs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Archive names of old-style ids: letters and hyphens, optionally a subject class (math.AG).
_OLD = r"(?P<old>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_VERSION = r"(?:v(?P<version>\d+))?"
_ID = rf"(?:{_NEW}|{_OLD}){_VERSION}"

# ASCII: `\d` would otherwise take any script's digits, which no arXiv id holds
_BARE = re.compile(rf"^(?:arxiv:\s*)?{_ID}$", re.IGNORECASE | re.ASCII)
_URL = re.compile(
    rf"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/{_ID}(?:\.pdf)?",
    re.IGNORECASE | re.ASCII,
)
_OAI = re.compile(rf"oai:arXiv\.org:{_ID}", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True, slots=True)
class ArxivRef:
    arxiv_id: str  # without version
    version: int | None = None


def _ref(match: re.Match[str]) -> ArxivRef:
    arxiv_id = match["new"] or match["old"]
    if match["old"]:
        archive, number = arxiv_id.split("/")
        head, _, subject = archive.partition(".")
        arxiv_id = head.lower() + (f".{subject.upper()}" if subject else "") + "/" + number
    version = int(match["version"]) if match["version"] else None
    return ArxivRef(arxiv_id, version)


def parse(text: str) -> ArxivRef | None:
    """The paper a user or a feed names: a bare or versioned id, `arXiv:` id, or arXiv URL.

    Full-width characters, as a Chinese input method types them (２４０６．１５８７７), count as
    their ASCII forms.
    """
    text = unicodedata.normalize("NFKC", text).strip().strip("<>()[]\"'")
    if len(text) > 200:
        return None
    match = _BARE.match(text) or _URL.fullmatch(text.rstrip("/")) or _OAI.fullmatch(text)
    return _ref(match) if match else None


def find_in(text: str) -> ArxivRef | None:
    """The first arXiv URL or `oai:` id inside a longer text (a link, a guid)."""
    match = _URL.search(text) or _OAI.search(text)
    return _ref(match) if match else None


def from_deep_link(payload: str) -> ArxivRef | None:
    """A deep-link payload `paper_2406_15877` or `paper_2406.15877` (dots are not allowed)."""
    if not payload.startswith("paper_"):
        return None
    body = payload.removeprefix("paper_")
    if re.fullmatch(r"\d{4}_\d{4,5}(?:v\d+)?", body):
        body = body.replace("_", ".", 1)
    else:
        # Old style: hep-th_9901001 -> hep-th/9901001, math_AG_0101001 -> math.AG/0101001
        body = re.sub(r"^([a-z-]+)_([A-Z]{2})_(\d{7})", r"\1.\2/\3", body)
        body = re.sub(r"^([a-z-]+)_(\d{7})", r"\1/\2", body)
    return parse(body)


def to_deep_link(arxiv_id: str) -> str:
    """The `/start` payload of a paper (Telegram allows A-Z a-z 0-9 _ - only)."""
    return "paper_" + arxiv_id.replace(".", "_").replace("/", "_")
