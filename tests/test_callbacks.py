"""Callback data: every button's data fits in 64 bytes, round-trips, and forgeries parse to None."""

from __future__ import annotations

import pytest

from bot.render import callbacks
from bot.render.callbacks import (
    CallbackDataError,
    CardLanguage,
    OpenCard,
    SearchPageRequest,
    SetLanguage,
    SimilarPapers,
    TopicToggle,
)

IDS = ["2406.15877", "0704.0001", "1501.00001", "hep-th/9901001", "math.AG/0101001"]
LONGEST_OLD_ID = "cond-mat.MS/9901001"  # longer than any archive arXiv used
LONGEST_SLUG = "a" + "z" * 31


@pytest.mark.parametrize("arxiv_id", [*IDS, LONGEST_OLD_ID])
def test_card_buttons_round_trip_for_new_and_old_style_ids(arxiv_id):
    assert callbacks.parse(callbacks.pack_open_card(arxiv_id)) == OpenCard(arxiv_id)
    assert callbacks.parse(callbacks.pack_similar(arxiv_id)) == SimilarPapers(arxiv_id)
    for lang in ("zh", "en"):
        packed = callbacks.pack_card_language(arxiv_id, lang)
        assert callbacks.parse(packed) == CardLanguage(arxiv_id, lang)


def test_the_formats_are_the_documented_ones():
    assert callbacks.pack_card_language("hep-th/9901001", "zh") == "card:lang:hep-th/9901001:zh"
    assert callbacks.pack_similar("2406.15877") == "card:similar:2406.15877"
    assert callbacks.pack_open_card("math.AG/0101001") == "card:open:math.AG/0101001"
    assert callbacks.pack_search_page("AbC-_12", 3) == "search:AbC-_12:3"
    assert callbacks.pack_topic_toggle("rag") == "topic:toggle:rag"
    assert callbacks.pack_set_language("en") == "lang:set:en"


def test_search_topic_and_language_buttons_round_trip():
    assert callbacks.parse(callbacks.pack_search_page("x" * 32, 9999)) == SearchPageRequest(
        "x" * 32, 9999
    )
    assert callbacks.parse(callbacks.pack_topic_toggle(LONGEST_SLUG)) == TopicToggle(LONGEST_SLUG)
    assert callbacks.parse(callbacks.pack_set_language("zh")) == SetLanguage("zh")


def test_the_longest_ids_tokens_and_slugs_stay_within_64_bytes():
    packed = [
        callbacks.pack_card_language(LONGEST_OLD_ID, "zh"),
        callbacks.pack_similar(LONGEST_OLD_ID),
        callbacks.pack_open_card(LONGEST_OLD_ID),
        callbacks.pack_search_page("x" * 32, 9999),
        callbacks.pack_topic_toggle(LONGEST_SLUG),
    ]
    assert all(len(data.encode()) <= callbacks.MAX_BYTES for data in packed)


def test_packing_refuses_an_id_that_would_pass_64_bytes():
    # The id pattern allows any archive name; the byte limit is what stops it.
    absurd = "a" + "b" * 60 + "/9901001"
    with pytest.raises(CallbackDataError, match="over 64"):
        callbacks.pack_card_language(absurd, "en")


@pytest.mark.parametrize(
    "call",
    [
        lambda: callbacks.pack_card_language("2406.15877", "fr"),
        lambda: callbacks.pack_card_language("2406.15877v2", "en"),
        lambda: callbacks.pack_similar("https://arxiv.org/abs/2406.15877"),
        lambda: callbacks.pack_open_card("not an id"),
        lambda: callbacks.pack_search_page("has:colon", 1),
        lambda: callbacks.pack_search_page("x" * 33, 1),
        lambda: callbacks.pack_search_page("token", 0),
        lambda: callbacks.pack_search_page("token", 10_000),
        lambda: callbacks.pack_topic_toggle("Bad Slug"),
        lambda: callbacks.pack_topic_toggle("a" * 33),
        lambda: callbacks.pack_set_language("de"),
    ],
)
def test_packing_refuses_invalid_fields(call):
    with pytest.raises(CallbackDataError):
        call()


@pytest.mark.parametrize(
    "data",
    [
        "",
        ":",
        "card",
        "card:open",
        "card:open:",
        "card:open:2406.15877:extra",
        "card:similar:2406.15877:en",
        "card:lang:2406.15877",
        "card:lang:2406.15877:fr",
        "card:lang:2406.15877:zh:again",
        "card:delete:2406.15877",
        "card:open:2406.15877v2",
        "card:open:HEP-TH/9901001",
        "card:open:math.ag/0101001",
        "card:open:(2406.15877)",
        "card:open: 2406.15877",
        "card:open:2406.15877\n",
        "card:open:٢٤٠٦.١٥٨٧٧",
        "card:open:arXiv:2406.15877",
        "card:open:" + "a" * 60 + "/9901001",
        "CARD:open:2406.15877",
        "search:token",
        "search:token:0",
        "search:token:01",
        "search:token:-1",
        "search:token:1.5",
        "search:token:10000",
        "search:tok en:1",
        "search:token:1:2",
        "topic:toggle:Bad",
        "topic:toggle:",
        "topic:remove:rag",
        "topic:toggle:rag:x",
        "lang:set:de",
        "lang:set:zh:",
        "lang:get:zh",
        "paper:open:2406.15877",
        "lang:set:zh" + " " * 60,
        "x" * 65,
        "中文" * 20,
    ],
)
def test_forged_or_malformed_data_parses_to_none(data):
    assert callbacks.parse(data) is None


@pytest.mark.parametrize("data", [None, 42, b"lang:set:zh", "\ud800"])
def test_parsing_never_raises_on_odd_values(data):
    assert callbacks.parse(data) is None


@pytest.mark.parametrize("arxiv_id", ["2406.15877", LONGEST_OLD_ID])
def test_vote_buttons_round_trip_and_stay_within_64_bytes(arxiv_id):
    for action in callbacks.VOTES:
        for lang in ("zh", "en"):
            packed = callbacks.pack_vote(action, arxiv_id, lang)
            assert len(packed.encode()) <= callbacks.MAX_BYTES
            assert callbacks.parse(packed) == callbacks.Vote(action, arxiv_id, lang)
    assert callbacks.pack_vote("up", "2406.15877", "zh") == "vote:up:2406.15877:zh"


def test_a_vote_button_that_was_not_packed_here_parses_to_nothing():
    for data in (
        "vote:like:2406.15877:en",
        "vote:up:2406.15877v2:en",
        "vote:up:2406.15877:fr",
        "vote:up:2406.15877",
        "vote:up:2406.15877:en:more",
    ):
        assert callbacks.parse(data) is None
    with pytest.raises(callbacks.CallbackDataError):
        callbacks.pack_vote("like", "2406.15877", "en")
