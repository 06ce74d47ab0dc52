"""What a reader is told, in both catalogs, names things as a reader does: no topic slug, setting
key, raw URL, Python identifier or traceback reaches a chat.

A message counts as the reader's when any code outside the operators' tools uses it (the
command line, the configuration, /stats and /import speak to operators, who read env names).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import i18n
from tests.reader_words import ROOT, wording_problems

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
OPERATORS_ONLY = (
    "bot/cli/",
    "bot/config.py",
    "bot/config_values.py",
    "bot/handlers/stats.py",
    "bot/handlers/imports.py",
    "bot/ingest/import_report.py",
)


@cache
def reader_messages() -> frozenset[str]:
    """Every message some code outside the operators' tools shows."""
    files: dict[str, set[str]] = defaultdict(set)
    for package in ("bot", "storage"):
        for path, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords=KEYWORDS, comment_tags=()
        ):
            files[message[0] if isinstance(message, tuple) else message].add(f"{package}/{path}")
    return frozenset(
        message
        for message, paths in files.items()
        if any(not path.startswith(OPERATORS_ONLY) for path in paths)
    )


def reader_strings(lang: str) -> list[tuple[str, str]]:
    """(msgid, translation) of every message a reader sees in `lang`, plural forms apart."""
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    found = []
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if not key or key not in reader_messages():
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [(key, text) for text in strings if text]
    return found


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_no_reader_facing_message_shows_a_slug_key_url_identifier_or_traceback(lang):
    problems = [
        f"{msgid!r} -> {text!r}: {problem}"
        for msgid, text in reader_strings(lang)
        for problem in wording_problems(text, lang)
    ]
    assert not problems, f"{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "lang", "found"),
    [
        ("试试 /digest rag，或在 /topics 中选择。", "zh", "topic slug 'rag' after a command"),
        ("订阅 rag 主题", "zh", "topic slug 'rag'"),
        ("Try /subscribe agents.", "en", "topic slug 'agents' after a command"),
        ("New in llm this week", "en", "topic slug 'llm'"),
        ("修改：/settings timezone 上海", "zh", "English setting key 'timezone'"),
        ("Change it with /settings empty skip", "en", "stored setting value 'skip'"),
        ("See https://arxiv.org/abs/{id}", "en", "raw URL 'https://'"),
        ("set delivery_weekday to 1", "en", "identifier 'delivery_weekday'"),
        ("Traceback (most recent call last):", "en", "traceback 'Traceback'"),
        ("失败：KeyError", "zh", "traceback 'KeyError'"),
    ],
)
def test_the_scan_names_what_a_reader_must_not_see(text, lang, found):
    assert found in wording_problems(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ('<a href="{url}">arXiv</a>', "en"),
        ("Papers about agents and code generation", "en"),
        ("RAG 与智能体", "zh"),
        ("<code>{slug}</code>", "en"),
        ("用法：/settings 时区 上海", "zh"),
    ],
)
def test_the_scan_lets_a_readers_words_pass(text, lang):
    assert wording_problems(text, lang) == []


def test_a_chinese_reader_sees_the_digest_called_速递_never_the_摘要_of_a_summary():
    # 摘要 is a card's summary (and a paper's abstract); the fortnightly digest is 速递.
    mixed = [
        f"{msgid!r} -> {text!r}"
        for msgid, text in reader_strings("zh")
        if "digest" in msgid.lower() and "摘要" in text
    ]
    assert not mixed, "\n".join(mixed)
    said = {msgid: text for msgid, text in reader_strings("zh")}
    assert said["📰 This fortnight's digest"] == "📰 本期速递"
    assert said["Summary by a language model"] == "由大语言模型生成的摘要"
