"""Saved papers exported as BibTeX and RIS read back by real parsers (bibtexparser, rispy) as
the papers they came from: hostile titles, non-ASCII and odd names, unique citation keys."""

from __future__ import annotations

from datetime import UTC, datetime

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from bot.export.bibtex import bibtex
from bot.export.ris import ris
from storage.models import Paper

JUNE = datetime(2024, 6, 3, 14, tzinfo=UTC)
HOSTILE = Paper(
    "2406.01234",
    3,
    r"{LLM}s & 100% \emph{fun}: $x^2$ on GPT-4o_mini #1 ~ 大语言模型的对齐",
    ("José Pérez-Ñúñez", "Ludwig van der Berg", "Sukarno", "The LLaMA Team", "李 明"),
    "We study 50% of cases where a & b hold,\n  with cost $O(n^2)$ and {braces}.",
    ("cs.CL", "cs.AI"),
    JUNE,
    doi="10.1000/x_y",
)


def read_bibtex(text: str, *, decode: bool = True) -> list:
    """The entries as a reference manager reads them: LaTeX decoded, or names split in parts."""
    steps = [LatexDecodingMiddleware()] if decode else [SeparateCoAuthors(), SplitNameParts()]
    library = bibtexparser.parse_string(text, append_middleware=steps)
    assert library.failed_blocks == []
    return library.entries


def test_a_hostile_title_and_abstract_read_back_as_they_were():
    [entry] = read_bibtex(bibtex([HOSTILE]))
    assert entry.entry_type == "misc"
    # pylatexenc reads \textasciicircum as the modifier letter ˆ; a reference manager shows ^.
    title = entry["title"].replace("ˆ", "^")
    # Braces that protect capitals are LaTeX markup, not text: {GPT-4o} reads as GPT-4o.
    assert title == r"{LLM}s & 100% \emph{fun}: $x^2$ on GPT-4o_mini #1 ~ 大语言模型的对齐"
    abstract = entry["abstract"].replace("ˆ", "^")
    assert abstract == "We study 50% of cases where a & b hold, with cost $O(n^2)$ and {braces}."


def test_arxiv_fields_follow_arxivs_own_bibtex():
    [entry] = read_bibtex(bibtex([HOSTILE]))
    assert entry["eprint"] == "2406.01234"
    assert entry["archivePrefix"] == "arXiv"
    assert entry["primaryClass"] == "cs.CL"
    assert entry["url"] == "https://arxiv.org/abs/2406.01234"
    assert entry["year"] == "2024"
    assert entry["doi"] == "10.1000/x_y"


def test_capitals_inside_words_are_protected_and_others_left_to_the_style():
    text = bibtex([Paper("2406.00001", 1, "Scaling LoRA for LLMs with GPT-4o and Transformers")])
    assert "title = {Scaling {LoRA} for {LLMs} with {GPT-4o} and Transformers}" in text


def test_names_keep_their_letters_particles_and_single_names():
    [entry] = read_bibtex(bibtex([HOSTILE]), decode=False)
    names = [(n.first, n.von, n.last) for n in entry["author"]]
    assert names == [
        (["José"], [], ["Pérez-Ñúñez"]),
        (["Ludwig"], ["van", "der"], ["Berg"]),
        ([], [], ["Sukarno"]),
        ([], [], ["{The LLaMA Team}"]),  # a group is one name, never split
        ([], [], ["{李 明}"]),  # Chinese characters: one whole, in their order
    ]
    assert "Pérez-Ñúñez, José" in bibtex([HOSTILE])  # UTF-8, not {\'e} escapes


def test_citation_keys_are_ascii_and_unique():
    same = [
        Paper("2406.00001", 1, "Deep Retrieval", ("José Pérez",), submitted=JUNE),
        Paper("2406.00002", 1, "Deep Retrieval, again", ("Jose Perez",), submitted=JUNE),
        Paper("2406.00003", 1, "Deep retrieval 3", ("J. Pérez",), submitted=JUNE),
        Paper("2406.00004", 1, "The Art of RAG", ("Yann LeCun",), submitted=JUNE),
        Paper("2406.00005", 1, "大语言模型", ("李明",), submitted=JUNE),
        Paper("hep-th/9901001", 1, "On Strings", ()),
    ]
    keys = [entry.key for entry in read_bibtex(bibtex(same))]
    assert keys == [
        "perez2024deep",
        "perez2024deepa",
        "perez2024deepb",
        "lecun2024art",
        "arxiv2024",
        "arxiv1999strings",
    ]


def test_ris_reads_back_with_every_author_and_the_arxiv_id():
    [record] = rispy.loads(ris([HOSTILE]))
    assert record["type_of_reference"] == "UNPB"
    assert record["title"] == HOSTILE.title
    assert record["authors"] == [
        "Pérez-Ñúñez, José",
        "van der Berg, Ludwig",
        "Sukarno",
        "The LLaMA Team",
        "李 明",
    ]
    assert record["year"] == "2024"
    assert record["date"] == "2024/06/03"
    assert record["urls"] == ["https://arxiv.org/abs/2406.01234"]
    assert record["doi"] == "10.1000/x_y"
    assert record["accession_number"] == "arXiv:2406.01234"
    assert record["notes"] == ["arXiv:2406.01234v3 [cs.CL]"]
    assert record["abstract"] == (
        "We study 50% of cases where a & b hold, with cost $O(n^2)$ and {braces}."
    )


def test_many_papers_make_as_many_records_and_entries():
    papers = [
        Paper(f"2406.{n:05d}", 1, f"Paper {n}\nwith a break", (f"Author {n}",)) for n in range(30)
    ]
    assert len(rispy.loads(ris(papers))) == 30
    assert len(read_bibtex(bibtex(papers))) == 30
    assert all("\n" not in record["title"] for record in rispy.loads(ris(papers)))
