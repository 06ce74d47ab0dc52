"""Rendering: every text is HTML Telegram accepts, shows hostile input literally, fits a message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.i18n import _, ngettext, use
from bot.render import callbacks, follow_buttons
from bot.render.papers import (
    CardView,
    render_card,
    render_search_page,
    split_messages,
    visible_length,
)
from bot.render.split import shorten_html
from storage.models import Paper, SearchHit, SearchPage, Summary, Topic
from tests.fakes.bot_api_html import parse_html, strip_text, utf16_len

LANGS = ("zh", "en")
HOSTILE = [
    "<script>alert(1)</script>&",
    "</b><i>unclosed",
    "&amp; &lt; &#65; & ;",
    "Attention 🚀🔥 is all you need 👩‍🔬",
    "\u202eمرحبا بالعالم\u202c and שלום",
    'quotes " and \' in "titles"',
]
RAG = Topic("rag", "检索增强生成", "Retrieval-Augmented Generation")
SAFETY = Topic("safety", "LLM安全与对齐", "Safety & <Alignment>")


def paper(arxiv_id="2406.15877", title="Dense X Retrieval", authors=None, **extra) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=2,
        title=title,
        authors=authors if authors is not None else ("Ada Li", "Bo Wang", "Chen Yu", "Dan Wu"),
        categories=("cs.CL", "cs.IR"),
        announced=datetime(2024, 6, 17, 4, 0, tzinfo=UTC),
        **extra,
    )


def card(summaries=None, topics=(RAG, SAFETY), **paper_fields) -> CardView:
    if summaries is None:
        summaries = {
            "en": Summary("en", "Propositions beat passages for retrieval.", "editor"),
            "zh": Summary("zh", "以命题为检索单元优于段落。", "editor"),
        }
    return CardView(paper(**paper_fields), summaries, topics, "digest_bot")


def visible(html: str) -> str:
    """What a reader sees, after Telegram would have accepted the markup."""
    return strip_text(parse_html(html)).text


def in_lang(lang: str, message: str) -> str:
    """A message as the catalog of `lang` gives it (English until it is translated)."""
    with use(lang):
        return _(message)


def all_buttons(rendered):
    return [button for row in rendered.keyboard.inline_keyboard for button in row]


# The paper card


@pytest.mark.parametrize("lang", LANGS)
def test_a_card_is_valid_html_with_title_authors_date_category_and_topics(lang):
    text = visible(render_card(card(), lang).text)
    assert text.startswith("Dense X Retrieval\n")
    assert "Ada Li, Bo Wang, Chen Yu" in text
    assert "Dan Wu" not in text
    assert "cs.CL" in text
    assert ("2024年6月17日" if lang == "zh" else "Jun 17, 2024") in text
    assert ("检索增强生成" if lang == "zh" else "Retrieval-Augmented Generation") in text


def test_the_title_links_to_the_abstract_page_in_bold():
    parsed = parse_html(render_card(card(), "en").text)
    links = [entity for entity in parsed.entities if entity["type"] == "text_link"]
    assert links[0]["url"] == "https://arxiv.org/abs/2406.15877v2"
    assert any(entity["type"] == "bold" and entity["offset"] == 0 for entity in parsed.entities)


def test_three_authors_show_without_et_al():
    text = visible(render_card(card(authors=("Ada Li", "Bo Wang", "Chen Yu")), "en").text)
    assert "Ada Li, Bo Wang, Chen Yu\n" in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_card_shows_the_summary_in_the_chat_language(lang):
    text = visible(render_card(card(), lang).text)
    expected = "以命题为检索单元优于段落。" if lang == "zh" else "Propositions beat passages"
    assert expected in text
    assert in_lang(lang, "No Chinese summary yet — in English:") not in text
    assert in_lang(lang, "Summary in Chinese:") not in text


def test_a_chinese_card_without_a_chinese_summary_says_so_and_shows_the_english_one():
    view = card({"en": Summary("en", "Propositions beat passages.", "abstract")})
    text = visible(render_card(view, "zh").text)
    assert in_lang("zh", "No Chinese summary yet — in English:") in text
    assert "Propositions beat passages." in text


def test_a_card_without_any_summary_says_there_is_none_yet():
    text = visible(render_card(card({}), "en").text)
    assert in_lang("en", "No summary yet.") in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("summary", "provenance"),
    [
        (Summary("en", "s", "editor"), "Editor's summary"),
        (Summary("en", "s", "abstract"), "Extracted from the abstract"),
        (Summary("en", "s", "llm"), "Summary by a language model"),
    ],
)
def test_the_provenance_line_names_the_source_of_the_summary(lang, summary, provenance):
    view = card({"en": summary, "zh": Summary("zh", "s", summary.source)})
    assert in_lang(lang, provenance) in visible(render_card(view, lang).text)


@pytest.mark.parametrize("lang", LANGS)
def test_a_language_model_summary_names_its_model(lang):
    view = card({lang: Summary(lang, "s", "llm", model="qwen2.5-72b <instruct>")})
    with use(lang):
        expected = _("Summary by {model}").format(model="qwen2.5-72b <instruct>")
    assert expected in visible(render_card(view, lang).text)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_titles_authors_summaries_and_topics_show_literally(lang, hostile):
    view = CardView(
        paper(title=hostile, authors=(hostile, "B")),
        {lang: Summary(lang, hostile, "llm", model=hostile)},
        (Topic("x", hostile, hostile),),
        "digest_bot",
    )
    text = visible(render_card(view, lang).text)
    assert text.startswith(hostile.strip())
    assert text.count(hostile.strip()) >= 4


@pytest.mark.parametrize("lang", LANGS)
def test_a_five_thousand_character_summary_is_cut_at_a_word_to_fit_one_message(lang):
    long_text = "retrieval " * 500 + "<b>&"
    view = card({lang: Summary(lang, long_text, "editor")})
    text = visible(render_card(view, lang).text)
    assert utf16_len(text) <= 4096
    assert text.endswith("retrieval…")
    assert text.startswith("Dense X Retrieval")


def test_a_long_chinese_summary_without_spaces_is_cut_within_the_limit():
    view = card({"zh": Summary("zh", "检索增强生成" * 1000, "llm", model="m")})
    text = visible(render_card(view, "zh").text)
    assert 4000 < utf16_len(text) <= 4096
    assert text.endswith("…")


def test_the_card_buttons_vote_follow_switch_language_open_arxiv_share_and_find_similar():
    buttons = all_buttons(render_card(card(), "zh"))
    following = [b.callback_data for b in buttons if b.text.startswith("👤")]
    assert [follow_buttons.parse(d) for d in following] == [
        follow_buttons.CardAuthor("2406.15877", position, lang="zh") for position in (0, 1)
    ]
    data = {callbacks.parse(b.callback_data) for b in buttons if b.callback_data}
    assert data - {None} == {
        callbacks.Vote("up", "2406.15877", "zh"),
        callbacks.Vote("down", "2406.15877", "zh"),
        callbacks.Vote("save", "2406.15877", "zh"),
        callbacks.CardLanguage("2406.15877", "en"),
        callbacks.SimilarPapers("2406.15877"),
    }
    urls = {b.url for b in buttons if b.url}
    assert urls == {"https://arxiv.org/abs/2406.15877v2", "https://arxiv.org/pdf/2406.15877v2"}
    assert [b.switch_inline_query for b in buttons if b.switch_inline_query] == ["2406.15877"]


def test_the_english_card_offers_chinese():
    buttons = all_buttons(render_card(card(), "en"))
    assert callbacks.CardLanguage("2406.15877", "zh") in {
        callbacks.parse(b.callback_data) for b in buttons if b.callback_data
    }


@pytest.mark.parametrize("arxiv_id", ["hep-th/9901001", "math.AG/0101001", "0704.0001"])
@pytest.mark.parametrize("lang", LANGS)
def test_old_style_ids_give_valid_cards_and_buttons_within_64_bytes(arxiv_id, lang):
    rendered = render_card(card(arxiv_id=arxiv_id), lang)
    parse_html(rendered.text)
    for button in all_buttons(rendered):
        if button.callback_data:
            assert len(button.callback_data.encode()) <= 64
            data = button.callback_data
            assert (callbacks.parse(data) or follow_buttons.parse(data)) is not None


def test_the_card_links_to_itself_through_the_bot():
    parsed = parse_html(render_card(card(arxiv_id="hep-th/9901001"), "en").text)
    urls = [entity["url"] for entity in parsed.entities if entity["type"] == "text_link"]
    assert "https://t.me/digest_bot?start=paper_hep-th_9901001" in urls


# Search results


def search_page(total: int, page_no: int, per_page: int = 5, title="Paper") -> SearchPage:
    first = (page_no - 1) * per_page
    count = max(0, min(per_page, total - first))
    hits = tuple(
        SearchHit(paper(f"2406.{10000 + first + i}", f"{title} {first + i + 1}"), 1.0)
        for i in range(count)
    )
    return SearchPage("q", total, hits, offset=first)


def nav(rendered) -> dict[str, int]:
    return {
        b.text: callbacks.parse(b.callback_data).page
        for b in all_buttons(rendered)
        if b.text in "◀▶"
    }


@pytest.mark.parametrize("lang", LANGS)
def test_a_search_page_numbers_its_results_and_counts_the_total(lang):
    rendered = render_search_page(search_page(12, 2), "dense retrieval", "tok", 2, lang)
    text = visible(rendered.text)
    with use(lang):
        count = ngettext("{count} paper found", "{count} papers found", 12).format(count=12)
    assert count in text
    assert "dense retrieval" in text
    assert "6. Paper 6\nAda Li" in text
    assert "10. Paper 10\n" in text
    assert "2406.10009" in text


@pytest.mark.parametrize(
    ("page_no", "expected"),
    [(1, {"▶": 2}), (2, {"◀": 1, "▶": 3}), (3, {"◀": 2})],
)
def test_paging_buttons_appear_only_where_there_is_a_page(page_no, expected):
    rendered = render_search_page(search_page(12, page_no), "q", "tok", page_no, "en")
    assert nav(rendered) == expected


def test_a_single_page_has_no_paging_buttons():
    assert nav(render_search_page(search_page(3, 1), "q", "tok", 1, "en")) == {}


def test_each_result_has_a_button_opening_its_card():
    rendered = render_search_page(search_page(12, 3), "q", "tok", 3, "en")
    opened = [callbacks.parse(b.callback_data) for b in all_buttons(rendered) if b.text not in "◀▶"]
    assert opened == [callbacks.OpenCard("2406.10010"), callbacks.OpenCard("2406.10011")]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_queries_and_titles_show_literally_in_results(lang, hostile):
    rendered = render_search_page(search_page(7, 1, title=hostile), hostile, "t", 1, lang)
    text = visible(rendered.text)
    assert text.startswith("🔎 " + hostile.strip())
    assert f"1. {hostile} 1" in text
    assert all(len(b.callback_data.encode()) <= 64 for b in all_buttons(rendered))


@pytest.mark.parametrize("lang", LANGS)
def test_no_results_say_nothing_was_found_and_suggest_what_to_try(lang):
    rendered = render_search_page(SearchPage("q", 0, ()), "<b>&", "tok", 1, lang)
    text = visible(rendered.text)
    with use(lang):
        assert _("Nothing found for “{query}”.").format(query="<b>&") in text
    assert "2406.15877" in text
    assert rendered.keyboard is None


def test_a_capped_total_says_at_least():
    page = SearchPage("q", 500, search_page(500, 1).hits, total_is_capped=True)
    text = visible(render_search_page(page, "q", "t", 1, "en").text)
    assert "500" in text
    assert "At least" in text or "至少" in text


# Splitting into messages


def item(n: int, words: int = 120) -> str:
    body = " ".join([f"w{n}🚀&lt;"] * words)
    link = f'<a href="https://arxiv.org/abs/2406.{n:05d}">Title {n} &amp; co</a>'
    return f"{n}. <b>{link}</b>\n{body}"


def test_sixty_long_items_split_into_valid_messages_within_the_limit_in_order():
    blocks = [item(n) for n in range(60)]
    messages = split_messages(blocks, header="<b>Digest</b>", footer="<i>end</i>")
    assert len(messages) > 1
    seen = []
    for message in messages:
        text = visible(message)
        assert utf16_len(text) <= 4096
        seen += [n for n in range(60) if f"{n}. Title {n} & co\n" in text]
    assert seen == list(range(60))
    assert visible(messages[0]).startswith("Digest")
    assert visible(messages[-1]).endswith("end")
    for n in range(60):
        assert sum(visible(item(n)) in visible(m) for m in messages) == 1


def test_splitting_counts_emoji_as_two_units_as_telegram_does():
    block = "🚀" * 1500  # 1,500 characters, 3,000 UTF-16 units
    messages = split_messages([block, block])
    assert messages == [block, block]


def test_a_block_too_long_for_one_message_is_shortened_with_tags_balanced():
    block = "<b>Title</b>\n<i>" + "word " * 2000 + "</i>"
    [message] = split_messages([block])
    text = visible(message)
    assert utf16_len(text) <= 4096
    assert text.startswith("Title\nword word")
    assert text.endswith("word…")


def test_shortening_never_cuts_inside_an_entity_or_a_tag():
    markup = "<b>" + "&amp;" * 50 + "</b>"
    cut = shorten_html(markup, 10)
    assert visible(cut) == "&" * 9 + "…"


def test_small_blocks_share_one_message_and_nothing_is_lost():
    assert split_messages(["<b>a</b>", "b"], header="h", footer="f") == ["h\n\n<b>a</b>\n\nb\n\nf"]
    assert split_messages([]) == []


def test_visible_length_agrees_with_the_telegram_checker():
    rendered = render_card(card(title=HOSTILE[3]), "zh").text
    assert visible_length(rendered) == utf16_len(parse_html(rendered).text)
