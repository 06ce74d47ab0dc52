"""The ◀ ▶ and /issues buttons' data: packed within Telegram's 64 bytes with a feature prefix,
read back exactly, and anything else read as nothing."""

from __future__ import annotations

from datetime import date

import pytest

from bot.digest.periods import Period
from bot.render import digest_nav
from bot.render.callbacks import MAX_BYTES, CallbackDataError

JUNE_17 = Period(date(2024, 6, 17))


def test_an_issue_button_reads_back_as_the_same_fortnight_and_topics():
    for slugs in ((), ("rag",), ("rag", "agents")):
        data = digest_nav.pack_issue(JUNE_17, slugs)
        assert data.startswith("digest:")
        assert digest_nav.parse(data) == digest_nav.OpenIssue(JUNE_17.start, slugs)
    assert digest_nav.parse(digest_nav.pack_issues_page(3)) == digest_nav.IssuesPage(3)


def test_the_longest_slug_fits_and_too_many_topics_do_not():
    longest = "a" * 32
    assert len(digest_nav.pack_issue(JUNE_17, [longest]).encode()) <= MAX_BYTES
    assert digest_nav.fits([longest])
    assert not digest_nav.fits([longest, longest])
    with pytest.raises(CallbackDataError):
        digest_nav.pack_issue(JUNE_17, [longest, longest])
    with pytest.raises(CallbackDataError):
        digest_nav.pack_issue(JUNE_17, ["Not a slug"])


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "digest",
        "digest:2024-06-17:rag",
        "digest:20240617:RAG",
        "digest:20240617:rag+",
        "digest:20240230:rag",
        "digest:20240617:rag:extra",
        "issues:0",
        "issues:01",
        "issues:1000",
        "digest:20240617:" + "a" * 60,
    ],
)
def test_anything_else_is_read_as_nothing(data):
    assert digest_nav.parse(data) is None
