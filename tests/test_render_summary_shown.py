"""A paper's summary reads the same on its card and in a digest, for the same reader: the
reader's language, else the other one, labelled; a model's translation of an editor's summary
says so in both."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.digest.compose import Digest, Section
from bot.digest.periods import Period
from bot.i18n import _, use
from bot.render.digest import render_digest
from bot.render.papers import CardView, render_card
from storage.models import Paper, Summary, Topic
from tests.fakes.bot_api_html import parse_html, strip_text

RAG = Topic("rag", "检索增强生成", "Retrieval-augmented generation")
PAPER = Paper("2406.70001", 1, "Paper 1", id=1, announced=datetime(2024, 6, 18, tzinfo=UTC))
ZH_EDITOR = Summary("zh", "编者写道：以命题为检索单元优于段落。", "editor")
EN_EDITOR = Summary("en", "The editor writes: propositions beat passages.", "editor")
EN_TRANSLATED = Summary(
    "en",
    "Propositions beat passages as units of retrieval.",
    "llm",
    "qwen2.5",
    translated_from="zh",
)
ZH_TRANSLATED = Summary("zh", "命题作为检索单元优于段落。", "llm", "qwen2.5", translated_from="en")
EN_EXTRACT = Summary("en", "We find that propositions beat passages.", "abstract")
CASES = {
    "editor zh only": {"zh": ZH_EDITOR},
    "editor en only": {"en": EN_EDITOR},
    "editor zh, translated en": {"zh": ZH_EDITOR, "en": EN_TRANSLATED},
    "editor en, translated zh": {"en": EN_EDITOR, "zh": ZH_TRANSLATED},
    "extract only": {"en": EN_EXTRACT},
}


def visible(html: str) -> str:
    return strip_text(parse_html(html)).text


def card_text(summaries: dict[str, Summary], lang: str) -> str:
    return visible(render_card(CardView(PAPER, summaries, (RAG,)), lang).text)


def digest_text(summaries: dict[str, Summary], lang: str) -> str:
    found = Digest(Period(date(2024, 6, 17)), (Section(RAG, None, (PAPER,)),), {1: summaries})
    [message] = render_digest(found, lang)
    return visible(message)


def notes(lang: str) -> dict[str, str]:
    with use(lang):
        return {
            "other": _("No Chinese summary yet — in English:")
            if lang == "zh"
            else _("Summary in Chinese:"),
            "translated": _("Translated by {model} from the editor's summary").format(
                model="qwen2.5"
            ),
            "translated_digest": _("Translated from the editor's summary:"),
        }


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_card_and_digest_show_the_same_summary_with_the_same_label(case: str, lang: str):
    summaries = CASES[case]
    shown = summaries.get(lang) or summaries["en" if lang == "zh" else "zh"]
    card, digest = card_text(summaries, lang), digest_text(summaries, lang)
    assert shown.text in card
    assert shown.text in digest  # short enough to be its own TL;DR
    other = notes(lang)["other"]
    assert (other in card) == (other in digest) == (shown.lang != lang)
    translated = shown.translated_from is not None
    assert (notes(lang)["translated"] in card) == translated
    assert (notes(lang)["translated_digest"] in digest) == translated


def test_an_english_reader_of_a_chinese_editors_summary_sees_it_labelled_not_nothing():
    card = card_text({"zh": ZH_EDITOR}, "en")
    assert "No summary yet." not in card
    assert "Summary in Chinese:\nEditor's summary\n编者写道" in card


def test_a_chinese_reader_of_a_translation_is_told_it_was_translated():
    card = card_text(CASES["editor en, translated zh"], "zh")
    assert "由 qwen2.5 译自编者摘要\n命题作为检索单元优于段落。" in card
    digest = digest_text(CASES["editor en, translated zh"], "zh")
    assert "译自编者摘要：命题作为检索单元优于段落。" in digest
