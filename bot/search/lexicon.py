"""The bilingual lexicon of AI/ML terms: each entry's English and Chinese forms, looked up by
either, traditional Chinese folded to simplified first.

The data is bot/data/lexicon.tsv (one entry a line, how it was built in its header) and
bot/data/traditional.txt (traditional -> simplified characters). Both are read once, on the
first look-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
LEXICON_FILE = DATA / "lexicon.tsv"
TRADITIONAL_FILE = DATA / "traditional.txt"

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Entry:
    """One term in both languages; the first form of each side is the one a reader is shown."""

    area: str
    english: tuple[str, ...]
    chinese: tuple[str, ...]


class Lexicon:
    """Entries by each of their forms: English forms by `english_key`, Chinese forms folded."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = tuple(entries)
        self._chinese: dict[str, Entry] = {}
        self._english: dict[str, Entry] = {}
        for entry in entries:
            for form in entry.chinese:
                self._chinese.setdefault(fold(form), entry)
            for form in entry.english:
                self._english.setdefault(english_key(form), entry)
        self.longest_chinese = max((len(key) for key in self._chinese), default=0)
        self.longest_english = max((key.count(" ") + 1 for key in self._english), default=0)

    def chinese(self, text: str) -> Entry | None:
        """The entry a Chinese form names, traditional or simplified."""
        return self._chinese.get(fold(text))

    def english(self, words: str) -> Entry | None:
        """The entry an English form names, ignoring case, hyphens and a plural `s`."""
        key = english_key(words)
        found = self._english.get(key)
        if found is None and len(key) > 3 and key.endswith("s"):
            found = self._english.get(key[:-1])
        return found


def english_key(text: str) -> str:
    """An English form as it is looked up: lower case, hyphens and spaces as one space."""
    return _SPACES.sub(" ", text.lower().replace("-", " ")).strip()


@cache
def _traditional_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for line in TRADITIONAL_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for pair in line.split():
            table[ord(pair[0])] = pair[1]
    return table


def fold(text: str) -> str:
    """The text with traditional Chinese characters written in their simplified form."""
    return text.translate(_traditional_table())


def parse(text: str) -> list[Entry]:
    """The entries of lexicon.tsv's text; a malformed line raises, naming its number."""
    entries: list[Entry] = []
    area = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            area = line[3:].strip()
        elif line.strip() and not line.startswith("#"):
            entries.append(_entry(line, area, number))
    return entries


def _entry(line: str, area: str, number: int) -> Entry:
    sides = line.split("\t")
    if len(sides) != 2:
        raise ValueError(f"lexicon.tsv line {number}: expected English<TAB>Chinese")
    english, chinese = (_forms(side) for side in sides)
    if not english or not chinese:
        raise ValueError(f"lexicon.tsv line {number}: a side without forms")
    return Entry(area, english, chinese)


def _forms(side: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(form.strip() for form in side.split("|") if form.strip()))


@cache
def shipped() -> Lexicon:
    """The lexicon shipped with the bot, read once."""
    return Lexicon(parse(LEXICON_FILE.read_text(encoding="utf-8")))
