"""Translations: every message has a Chinese and an English translation, none fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import i18n

LOCALES = Path(__file__).resolve().parent.parent / "locales"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def _source_messages() -> set[str]:
    found = set()
    root = LOCALES.parent
    for package in ("bot", "storage"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            root / package, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_template_holds_every_message_the_code_uses():
    template = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in _catalog(LOCALES / "messages.pot")
        if m.id
    }
    missing = sorted(_source_messages() - template)
    assert not missing, f"run pybabel extract and update (see README): {missing}"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang: str):
    catalog = _catalog(LOCALES / lang / "LC_MESSAGES" / "messages.po")
    template = _catalog(LOCALES / "messages.pot")
    problems = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id)
        strings = (
            entry.string if entry and isinstance(entry.string, tuple) else (entry and entry.string,)
        )
        if entry is None or not all(strings):
            problems.append(f"untranslated: {message.id!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    assert not problems, f"{lang}: " + "; ".join(problems)


def test_placeholders_survive_translation():
    for lang in i18n.LANGUAGES:
        catalog = _catalog(LOCALES / lang / "LC_MESSAGES" / "messages.po")
        for message in catalog:
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = {p for text in ids for p in _placeholders(text)}
            for text in strings:
                assert _placeholders(text) <= wanted, f"{lang}: {message.id!r} -> {text!r}"


def _placeholders(text: str) -> set[str]:
    import re

    return set(re.findall(r"\{(\w*)\}", text))


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("zh", "zh"),
        ("zh-hans", "zh"),
        ("zh-CN", "zh"),
        ("zh_TW.UTF-8", "zh"),
        ("en-US", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
        ("C.UTF-8", "en"),
        ("!!", "en"),
    ],
)
def test_language_codes_negotiate_to_zh_or_en(code, lang):
    assert i18n.negotiate(code) == lang


def test_the_language_in_use_is_per_block_and_restored_after():
    with i18n.use("zh"):
        assert i18n.current() == "zh"
        with i18n.use("en"):
            assert i18n.current() == "en"
        assert i18n.current() == "zh"
    assert i18n.current() == i18n.DEFAULT_LANGUAGE
