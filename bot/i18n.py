"""Translations: catalogs compiled at start-up, the current locale per task, Babel formatting.

`_("Hello, {name}!").format(name=…)`, never an f-string inside `_()`, and `ngettext` for
counts, so that `pybabel extract` sees every message.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("digestbot_locale", default=DEFAULT_LANGUAGE)


class CatalogError(Exception):
    """A translation catalog is missing or broken."""


def locales_dir() -> Path:
    """Installed wheels carry the catalogs inside the package; a checkout has them at the top."""
    here = Path(__file__).parent
    packaged = here / "locales"
    return packaged if packaged.is_dir() else here.parent / "locales"


@functools.cache
def translations(lang: str) -> Translations:
    """The compiled catalog of one language, compiled once from its .po file."""
    po_path = locales_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        with po_path.open("rb") as po:
            catalog = read_po(po, locale=lang)
    except OSError as exc:
        raise CatalogError(f"translation catalog {po_path} cannot be read: {exc}") from exc
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def load_all() -> None:
    """Compile every catalog now, so that a missing one stops start-up, not a reply."""
    for lang in LANGUAGES:
        translations(lang)


def negotiate(code: str | None) -> str:
    """A Telegram `language_code` or POSIX locale as `zh` or `en` (zh, zh-hans, zh_CN → zh)."""
    if not code:
        return DEFAULT_LANGUAGE
    try:
        locale = Locale.parse(code.split(".")[0].replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return DEFAULT_LANGUAGE
    return locale.language if locale.language in LANGUAGES else DEFAULT_LANGUAGE


def current() -> str:
    """The language of the message being written now."""
    return _current.get()


@contextmanager
def use(lang: str) -> Iterator[str]:
    """Write in `lang` inside the block (per task: concurrent updates do not mix)."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_current(lang: str) -> None:
    """Write in `lang` from now on in this task (for whole-process use such as the CLI)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


_ = gettext
