"""Authors' names: their parts, and what counts as the same author.

Used to follow authors (`/follow`) and to write citations (surname first). Names arrive as
ingest stores them (whitespace collapsed, mojibake repaired: bot.ingest.normalize), and a
reader's typed name is cleaned the same way before it gets here.

Two names are the same author when

- their surnames are equal once folded: case, diacritics and special letters (Pérez = Perez,
  Ñúñez = Nunez, Øre = Ore, Łukasz = Lukasz, Straße = Strasse), and spaces, hyphens, dots and
  apostrophes ignored (van der Berg = Vanderberg, Pérez-Ñúñez = Perez Nunez, O'Neil = ONeil);
- and their given names agree as far as both go, in order: each pair equal once folded, or an
  initial on one side matching the first letter of the other ("Y." = "Yann",
  "J.-P." = "Jean-Pierre" = "Jean Pierre"). A name that stops sooner agrees with the rest:
  "Yann LeCun" = "Yann A. LeCun", and one word alone ("LeCun") is a surname, the same author as
  every LeCun.

The order is read as arXiv writes it: "First Last", or "Last, First" with a comma. Lowercase
particles just before the surname belong to it ("Ludwig van der Berg" is van der Berg), and
Jr., Sr., II, III and IV are kept for display but do not count. Different people who share a
name, or an initial and a surname, cannot be told apart: "Y. LeCun" is also every other
Y. LeCun. "Zhang Wei" and "Wei Zhang" are different names (no comma: the last word is the
surname). A name in Chinese, Japanese or Korean characters is one whole, spaces aside
("李 明" = "李明").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "dei",
        "da",
        "di",
        "du",
        "dos",
        "das",
        "la",
        "le",
        "ten",
        "ter",
        "bin",
        "ibn",
        "al",
        "el",
        "mac",
    ]
)
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
MAX_LENGTH = 100  # characters: longer is no one's name
_SPECIAL = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"}
)
_NOT_LETTER = re.compile(r"[\W\d_]+")
_NO_NAME = re.compile(r"[<>&@#$%*=+/\\|{}\[\]~^_!?\"]")  # markup, a handle, a formula
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class AuthorName:
    """A name in its parts, each as written."""

    given: str  # "Yann", "J.-P.", "" for one word
    surname: str  # particles included: "van der Berg"
    suffix: str = ""  # "Jr."

    @property
    def surname_key(self) -> str:
        return _letters(self.surname)

    @property
    def given_keys(self) -> tuple[str, ...]:
        """Each given name folded, an initial as its letter: "J.-P. Y." -> ("j", "p", "y")."""
        parts = re.split(r"[\s.\-‐]+", self.given)
        return tuple(key for key in (_letters(part) for part in parts) if key)

    @property
    def surname_alone(self) -> bool:
        """One word in Latin letters: the same author as everyone of that surname."""
        return not self.given_keys and not _CJK.search(self.surname)

    @property
    def key(self) -> str:
        """One normal form per way of writing: "lecun|yann"."""
        return f"{self.surname_key}|{' '.join(self.given_keys)}"

    @property
    def display(self) -> str:
        """The name as arXiv writes it: "Ludwig van der Berg Jr."."""
        return " ".join(part for part in (self.given, self.surname, self.suffix) if part)

    @property
    def citation(self) -> str:
        """Surname first, as BibTeX and RIS want it: "van der Berg, Jr., Ludwig"."""
        parts = [self.surname, self.suffix, self.given]
        return ", ".join(part for part in parts if part)


def parse(name: str) -> AuthorName | None:
    """The parts of a name, or None when it has no surname of two letters or more, or holds
    what no name does (markup, an address, a formula)."""
    text = " ".join(name.split()).strip(" ,;")
    if not text or len(text) > MAX_LENGTH or _NO_NAME.search(text):
        return None
    if _CJK.search(text):  # written in Chinese, Japanese or Korean: one whole, in its order
        return AuthorName("", text)
    found = _comma_form(text) if "," in text else _plain_form(text)
    return found if found is not None and len(found.surname_key) >= 2 else None


def from_key(key: str) -> AuthorName:
    """The name a normal form stands for, to match with (a displayed name may not say which
    of its words is the surname: "Jose Perez Nunez" was followed as "Perez Nunez, Jose")."""
    surname, _, given = key.partition("|")
    return AuthorName(given, surname)


def same_author(one: AuthorName, other: AuthorName) -> bool:
    """Whether the two names count as the same author (see the module's docstring)."""
    if one.surname_key != other.surname_key:
        return False
    return all(_agree(a, b) for a, b in zip(one.given_keys, other.given_keys, strict=False))


def fold(text: str) -> str:
    """Case, diacritics and special letters folded: "Pérez-Ñúñez" -> "perez-nunez"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _letters(text: str) -> str:
    return _NOT_LETTER.sub("", fold(text))


def _agree(one: str, other: str) -> bool:
    if len(one) == 1 or len(other) == 1:
        return one[0] == other[0]
    return one == other


def _comma_form(text: str) -> AuthorName | None:
    parts = [part.strip() for part in text.split(",")]
    surname, rest = parts[0], [part for part in parts[1:] if part]
    suffix = next((part for part in rest if _is_suffix(part)), "")
    given = " ".join(part for part in rest if part != suffix)
    return AuthorName(given, surname, suffix) if surname else None


def _plain_form(text: str) -> AuthorName:
    words = text.split()
    suffix = ""
    if len(words) > 1 and _is_suffix(words[-1]):
        suffix = words.pop()
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in PARTICLES:
        start -= 1
    # A name that is lowercase particles and a surname ("van der Berg") has no given name.
    if all(word.islower() and word in PARTICLES for word in words[:start]):
        start = 0
    return AuthorName(" ".join(words[:start]), " ".join(words[start:]), suffix)


def _is_suffix(word: str) -> bool:
    return _letters(word) in SUFFIXES and len(word) <= 4
