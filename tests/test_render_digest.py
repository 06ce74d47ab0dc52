"""The digest as Telegram HTML: header, sections, numbered papers, footer; escaped, split
only between papers, each message within the limit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.digest.compose import Digest, Section
from bot.digest.periods import Period
from bot.digest.ranking import Signals, Weights, score
from bot.render.digest import render_digest
from bot.render.split import visible_length
from bot.render.tldr import BUDGET, width
from storage.models import CommunitySignal, Paper, Summary, Topic
from tests import cldr

JUNE = Period(date(2024, 6, 17))
RAG = Topic("rag", "检索增强生成", "Retrieval-augmented generation", position=1)
AGENTS = Topic("agents", "智能体", "Agents", position=2)


def paper(n: int, title: str | None = None) -> Paper:
    return Paper(
        f"2406.{70000 + n}", 1, title or f"Paper {n}", id=n,
        announced=datetime(2024, 6, 18, tzinfo=UTC),
    )  # fmt: skip


def digest(sections, summaries=None) -> Digest:
    return Digest(JUNE, tuple(sections), summaries or {})


def scored(n: int, fit: float, upvotes: int | None = None, pick: int | None = None):
    hf = None
    if upvotes is not None:
        hf = CommunitySignal(n, f"2406.{70000 + n}", upvotes, 0, 1, 1, 1.0, date(2024, 6, 18))
    return score(Signals(n, fit=fit, community=hf, pick_position=pick), Weights())


def test_a_digest_reads_like_a_blog_digest_in_both_languages():
    rag = (paper(1), paper(2))
    agents = (paper(3),)
    found = digest(
        [
            Section(RAG, None, rag, (scored(1, 0.9, upvotes=26), scored(2, 0.6))),
            Section(AGENTS, None, agents, (scored(3, 0.5, pick=1),)),
        ],
        {1: {"zh": Summary("zh", "中文摘要一。", "editor"), "en": Summary("en", "One.", "llm")}},
    )
    [en] = render_digest(found, "en")
    assert en.startswith(cldr.en_header(date(2024, 6, 17), date(2024, 6, 30)) + "\n3 papers")
    assert (
        "<b>▍Retrieval-augmented generation</b>\n\n1. <b>Paper 1</b>\n"
        "<i>🔥 HF 26 upvotes · on topic</i>\nOne.\n" in en
    )
    assert "2. <b>Paper 2</b>\n<i>related to the topic</i>\n" in en
    assert '<a href="https://arxiv.org/abs/2406.70001v1">arXiv:2406.70001</a>' in en
    assert "<b>▍Agents</b>\n\n1. <b>Paper 3</b>\n<i>✍️ editor's pick</i>" in en
    [zh] = render_digest(found, "zh")
    assert zh.startswith("📚 <b>2024年6月17日至30日重要论文总结</b>\n共 3 篇论文")
    assert "<b>▍检索增强生成</b>" in zh
    assert "1. <b>Paper 1</b>\n<i>🔥 HF 26 赞 · 主题吻合</i>\n中文摘要一。" in zh
    assert "<i>与主题相关</i>" in zh
    assert "<i>✍️ 编者推荐</i>" in zh
    assert "/unsubscribe" in zh


def test_a_summary_only_in_the_other_language_is_marked_as_such():
    found = digest(
        [Section(RAG, None, (paper(1), paper(2)))],
        {
            1: {"en": Summary("en", "English only.", "abstract")},
            2: {"zh": Summary("zh", "只有中文。", "llm")},
        },
    )
    [zh] = render_digest(found, "zh")
    assert "<i>暂无中文摘要，以下为英文：</i>English only." in zh
    [en] = render_digest(found, "en")
    assert "<i>Summary in Chinese:</i> 只有中文。" in en


def test_titles_and_summaries_are_escaped():
    found = digest(
        [Section(RAG, None, (paper(1, "<script>&amp;</script>"),))],
        {1: {"en": Summary("en", "a < b & c", "llm")}},
    )
    [en] = render_digest(found, "en")
    assert "&lt;script&gt;&amp;amp;&lt;/script&gt;" in en
    assert "a &lt; b &amp; c" in en


def test_an_empty_topic_is_left_out_or_gets_one_line_as_the_chat_chose():
    found = digest([Section(RAG, None, (paper(1),)), Section(AGENTS, None, ())])
    [skipped] = render_digest(found, "en")
    assert "Agents" not in skipped
    [lined] = render_digest(found, "en", empty_topics="line")
    assert "<b>▍Agents</b>\n<i>Nothing new this fortnight.</i>" in lined


def test_a_digest_with_no_paper_sends_nothing():
    assert render_digest(digest([Section(RAG, None, ())]), "en", empty_topics="line") == []


def test_a_long_digest_is_split_between_papers_and_each_message_opens_under_its_heading():
    long = "word " * 150
    papers = tuple(paper(n, f"Title {n}") for n in range(1, 61))
    found = digest(
        [Section(RAG, None, papers[:30]), Section(AGENTS, None, papers[30:])],
        {p.id: {"en": Summary("en", long, "llm")} for p in papers},
    )
    parts = render_digest(found, "en")
    assert len(parts) >= 2
    assert all(visible_length(part) <= 4096 for part in parts)
    assert all(part.count("<b>") == part.count("</b>") for part in parts)
    assert sum(part.count("<b>Title ") for part in parts) == 60
    assert "<b>▍Agents (cont.)</b>\n\n" in parts[-1] or parts[-1].startswith("<b>▍Agents</b>")


def _sections_of(parts: list[str]) -> list[tuple[str, str]]:
    """(the heading above it in its own message, title) for every paper."""
    found = []
    for part in parts:
        heading = None
        for line in part.split("\n"):
            if line.startswith("<b>▍"):
                heading = line.removeprefix("<b>▍").removesuffix("</b>")
            elif line[:1].isdigit() and ". <b>" in line:
                found.append((heading, line.split("<b>")[1].removesuffix("</b>")))
    return found


def test_a_digest_split_at_every_boundary_keeps_its_heading_in_both_languages():
    papers = tuple(paper(n, f"Title {n}") for n in range(1, 9))
    summaries = {p.id: {"en": Summary("en", "A finding.", "llm"),
                        "zh": Summary("zh", "一个发现。", "llm")} for p in papers}  # fmt: skip
    found = digest([Section(RAG, None, papers[:5]), Section(AGENTS, None, papers[5:])], summaries)
    for lang, cont in (("en", "{} (cont.)"), ("zh", "{}（续）")):
        whole = render_digest(found, lang)
        assert len(whole) == 1
        expected = _sections_of(whole)
        openers = set()
        for limit in range(visible_length(whole[0]), 0, -3):
            try:
                parts = render_digest(found, lang, limit=limit)
            except ValueError:  # the header and footer alone fill the limit
                break
            assert all(visible_length(part) <= limit for part in parts)
            got = _sections_of(parts)
            if [title for _, title in got] != [title for _, title in expected]:
                break  # from here on a paper no longer fits a message whole
            for (heading, _title), (own, _same) in zip(got, expected, strict=True):
                assert heading in (own, cont.format(own))
            openers |= {_sections_of([part])[0][1] for part in parts[1:]}
        # Some limit opened a message at every paper after the second (before the header, the
        # first two papers and the footer outgrow a message, a paper must be shortened).
        assert openers >= {title for _, title in expected[2:]}


def test_each_paper_shows_a_tldr_its_first_authors_and_a_link_to_its_full_summary():
    authors = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra")
    long_en = "Retrieval over the KV cache beats chunks. " + "More detail follows here. " * 20
    long_zh = "在键值缓存上检索胜过文本块。" + "后面还有很多细节。" * 20
    one = Paper("2406.70001", 1, "Paper 1", authors=authors, id=1)
    found = digest(
        [Section(RAG, None, (one,), (scored(1, 0.9),))],
        {1: {"en": Summary("en", long_en, "llm"), "zh": Summary("zh", long_zh, "editor")}},
    )
    [en] = render_digest(found, "en", bot_username="digest_test_bot")
    lines = en.split("\n")
    tldr_line = lines[lines.index("1. <b>Paper 1</b>") + 2]
    assert tldr_line.startswith("Retrieval over the KV cache beats chunks. More detail")
    assert tldr_line.endswith("here.")
    assert width(tldr_line) <= BUDGET
    assert "👥 Ada Lovelace, Alan Turing, Grace Hopper et al." in en
    assert '<a href="https://t.me/digest_test_bot?start=paper_2406_70001">Full summary ›</a>' in en
    [zh] = render_digest(found, "zh", bot_username="digest_test_bot")
    lines = zh.split("\n")
    tldr_line = lines[lines.index("1. <b>Paper 1</b>") + 2]
    assert tldr_line.startswith("在键值缓存上检索胜过文本块。后面")
    assert tldr_line.endswith("。")
    assert width(tldr_line) <= BUDGET
    assert "Grace Hopper 等" in zh
    assert ">完整摘要 ›</a>" in zh
