"""Reading arXiv's RSS feeds and API answers into papers: pure, on saved responses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest

from bot.ingest import arxiv_api, arxiv_rss, normalize
from bot.ingest.detect import parse_document
from bot.ingest.document import FeedProblem

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_id(feed) -> dict:
    return {paper.arxiv_id: paper for paper in feed.papers}


# RSS 2.0 daily feeds


def test_a_combined_feed_yields_every_announce_type_with_id_and_version():
    feed = arxiv_rss.parse(read_fixture("arxiv_rss_mixed.xml"), "mixed")
    kinds = {p.arxiv_id: (p.version, p.announce_type) for p in feed.papers}
    assert kinds == {
        "2406.17001": (1, "new"),
        "2406.17002": (1, "cross"),
        "2406.15877": (2, "replace"),
        "hep-th/9901001": (3, "replace-cross"),
    }


def test_an_rss_item_gives_abstract_authors_categories_and_utc_announcement():
    paper = by_id(arxiv_rss.parse(read_fixture("arxiv_rss_mixed.xml"), "mixed"))["2406.17001"]
    assert paper.title == "A Survey of Retrieval-Augmented Generation for Large Language Models"
    assert paper.abstract.startswith("Retrieval-augmented generation (RAG) grounds the answers")
    assert "Announce Type" not in paper.abstract
    assert "\n" not in paper.abstract
    assert paper.abstract.endswith("compare them when x < y & z.")
    assert paper.authors == ("Wei Zhang", "Aurora Ramírez", "José Raúl Romero", "Jörg Müller")
    assert paper.categories == ("cs.CL", "cs.AI", "cs.IR")
    # pubDate is midnight in New York (-0400): 04:00 UTC
    assert paper.announced == datetime(2024, 6, 25, 4, 0, tzinfo=UTC)


def test_an_old_style_id_keeps_its_archive_and_loses_its_version():
    paper = by_id(arxiv_rss.parse(read_fixture("arxiv_rss_mixed.xml"), "mixed"))["hep-th/9901001"]
    assert (paper.version, paper.categories) == (3, ("hep-th", "cs.LG"))
    assert paper.abs_url == "https://arxiv.org/abs/hep-th/9901001v3"


def test_correct_non_ascii_names_are_left_as_they_are():
    paper = by_id(arxiv_rss.parse(read_fixture("arxiv_rss_mixed.xml"), "mixed"))["2406.17002"]
    assert paper.authors == ("Ramírez Ana", "王小明")


def test_arxivs_error_channel_is_a_feed_error_naming_the_cause():
    with pytest.raises(FeedProblem) as caught:
        arxiv_rss.parse(read_fixture("arxiv_rss_error_channel.xml"), "https://rss.arxiv.org/rss/x")
    assert caught.value.kind == "feed-error"
    assert "Bad category 'cs.XX'" in str(caught.value)
    assert str(caught.value).startswith("https://rss.arxiv.org/rss/x: ")


def test_a_feed_without_items_is_reported_as_empty():
    with pytest.raises(FeedProblem, match="no items") as caught:
        arxiv_rss.parse(read_fixture("arxiv_rss_empty.xml"), "cs.CL")
    assert caught.value.kind == "empty"


@pytest.mark.parametrize(
    ("fixture", "kind", "words"),
    [
        ("arxiv_rss_truncated.xml", "malformed", "malformed XML"),
        ("arxiv_html_page.html", "not-a-feed", "arXiv is undergoing maintenance"),
        ("arxiv_api_error.xml", "api-error", "max_results must be less than 2000"),
        ("arxiv_rss_error_channel.xml", "feed-error", "Bad category"),
        ("arxiv_rss_empty.xml", "empty", "no items"),
    ],
)
def test_a_bad_document_is_one_problem_with_kind_source_and_cause(fixture, kind, words):
    with pytest.raises(FeedProblem) as caught:
        parse_document(read_fixture(fixture), fixture)
    assert caught.value.kind == kind
    assert caught.value.source == fixture
    assert words in str(caught.value)


def test_a_truncated_feed_is_rejected_whole_although_feedparser_salvaged_items():

    salvaged = feedparser.parse(read_fixture("arxiv_rss_truncated.xml"))
    assert salvaged.bozo
    assert len(salvaged.entries) >= 2
    with pytest.raises(FeedProblem, match="malformed"):
        arxiv_rss.parse(read_fixture("arxiv_rss_truncated.xml"), "truncated")


def test_real_empty_and_error_feeds_from_arxiv(shared_arxiv):
    with pytest.raises(FeedProblem) as empty:
        parse_document((shared_arxiv / "aioarxiv_rss2_empty_test.xml").read_bytes(), "test")
    with pytest.raises(FeedProblem) as error:
        parse_document((shared_arxiv / "aioarxiv_rss2_error_bad_archive.xml").read_bytes(), "a")
    assert empty.value.kind == "empty"
    assert error.value.kind == "feed-error"
    assert "Bad archive 'astroph'" in error.value.message


# Export API answers


def test_a_2016_api_answer_gives_doi_journal_ref_and_a_one_line_summary(shared_arxiv):
    data = (shared_arxiv / "arxivpy_api2016_au_del_maestro.xml").read_bytes()
    feed = arxiv_api.parse(data, "del maestro")
    assert (feed.format, feed.total_results, len(feed.papers)) == ("api", 31, 10)
    paper = feed.papers[0]
    assert (paper.arxiv_id, paper.version) == ("1201.4869", 1)
    assert paper.abstract.startswith("As helium-4 is cooled below 2.17 K it undergoes")
    assert "\n" not in paper.abstract
    assert "  " not in paper.abstract
    assert paper.doi == "10.1142/S021797921244002X"
    assert paper.journal_ref == "Int. J. Mod. Phys. B, 26, 1244002 (2012)"
    assert paper.comment == "26 pages, 10 figures"
    assert paper.categories == ("cond-mat.mes-hall", "cond-mat.other")
    assert paper.submitted == datetime(2012, 1, 23, 21, 15, 2, tzinfo=UTC)


def test_an_old_style_id_from_the_api_has_its_primary_category_first(shared_arxiv):
    data = (shared_arxiv / "arxivpy_api2016_au_del_maestro.xml").read_bytes()
    paper = by_id(arxiv_api.parse(data, "del maestro"))["cond-mat/0412498"]
    assert paper.categories[0] == "cond-mat.str-el"
    assert paper.authors == ("Adrian Del Maestro", "Subir Sachdev")


def test_a_2026_api_answer_in_its_json_wrapper_has_its_mojibake_repaired(shared_arxiv):
    data = (shared_arxiv / "arxivpy_api2026_q_testing_s0_m10.json").read_bytes()
    feed = parse_document(data, "testing")
    assert (feed.format, feed.total_results, len(feed.papers)) == ("api", 214881, 10)
    paper = by_id(feed)["2405.13786"]
    assert paper.authors == ("Aurora Ramírez", "Mario Berrios", "José Raúl Romero", "Robert Feldt")
    assert paper.updated == datetime(2024, 5, 22, 16, 11, 45, tzinfo=UTC)
    assert paper.categories == ("cs.SE", "cs.AI")
    assert all("Ã" not in author for p in feed.papers for author in p.authors)


def test_the_apis_400_error_entry_is_an_api_error_with_its_message(shared_arxiv):
    data = (shared_arxiv / "arxivpy_api2026_error_id_abc.json").read_bytes()
    with pytest.raises(FeedProblem) as caught:
        parse_document(data, "id_abc.json")
    assert caught.value.kind == "api-error"
    assert "incorrect id format for abc" in str(caught.value)


def test_search_url_asks_for_categories_and_submission_window_by_date():
    url = arxiv_api.search_url(
        ["cs.CL", "cs.LG"], date(2024, 6, 17), date(2024, 6, 30), start=200, max_results=100
    )
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://export.arxiv.org/api/query?")
    assert query["search_query"] == [
        "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202406170000 TO 202406302359]"
    ]
    assert (query["sortBy"], query["start"], query["max_results"]) == (
        ["submittedDate"],
        ["200"],
        ["100"],
    )


def test_id_list_look_ups_come_in_batches():
    ids = [f"2406.{n:05d}" for n in range(250)] + ["hep-th/9901001"]
    urls = arxiv_api.id_list_urls(ids, batch=100)
    batches = [parse_qs(urlsplit(url).query)["id_list"][0].split(",") for url in urls]
    assert [len(batch) for batch in batches] == [100, 100, 51]
    assert batches[-1][-1] == "hep-th/9901001"
    assert parse_qs(urlsplit(urls[0]).query)["max_results"] == ["100"]


# Normal forms


@pytest.mark.parametrize(
    ("garbled", "repaired"),
    [
        ("RamÃ\xadrez", "Ramírez"),
        ("JosÃ© RaÃºl Romero", "José Raúl Romero"),
        ("Ã©tÃ© and Müller", "été and Müller"),
        ("â€œquotedâ€\x9d", "“quoted”"),
    ],
)
def test_double_encoded_utf8_is_repaired(garbled, repaired):
    assert normalize.repair_mojibake(garbled) == repaired


@pytest.mark.parametrize(
    "correct",
    ["Ramírez", "Müller", "大语言模型的对齐", "Zoë Çelik", "naïve “quotes” — dash", "«É»", "ASCII"],
)
def test_correct_text_is_never_mangled(correct):
    assert normalize.repair_mojibake(correct) == correct


@pytest.mark.parametrize(
    ("creators", "names"),
    [
        (
            "First Author, Second Author, and Third Author",
            ("First Author", "Second Author", "Third Author"),
        ),
        ("A. One, B. Two", ("A. One", "B. Two")),
        ("Ada Lovelace and Alan Turing", ("Ada Lovelace", "Alan Turing")),
        ("Solo Person", ("Solo Person",)),
        ("", ()),
    ],
)
def test_rss_creators_become_ordered_names(creators, names):
    assert normalize.split_authors(creators) == names


def test_titles_lose_newlines_and_runs_of_spaces():
    assert normalize.clean_text("  A   Survey\n      of RAG \t") == "A Survey of RAG"


def test_the_primary_category_comes_first_and_each_category_once():
    assert normalize.categories("cs.CL", ["cs.AI", "cs.CL", "cs.IR"]) == ("cs.CL", "cs.AI", "cs.IR")
