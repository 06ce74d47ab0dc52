"""One line of an editor's digest article: what kind of line it is, its arXiv links, its text.

Everything here looks at a single line; `bot.ingest.article` decides what the lines make
together (sections, items, furniture before and after).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import arxiv_ids
from bot.arxiv_ids import ArxivRef

# Full-width forms an input method produces, read as ASCII to classify a line. One character
# becomes one character, so a position found in the folded line also slices the original.
_FOLD = str.maketrans(
    "０１２３４５６７８９（）［］．：；，！？｜＃＊＞　", "0123456789()[].:;,!?|#*> "
)
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")

_MD_HEADING = re.compile(r"(#{1,6})\s+(.*?)(?:\s+#+)?$")
_NUMBERED = re.compile(
    r"(?:\*\*|__)?(?:(\d{1,3})\s*(?:[、)]|\.(?!\d))|\((\d{1,3})\)|\[(\d{1,3})\])\s*(?=\S)"
)
_BULLET = re.compile(r"[-*+•·・]\s+")
_RULE = re.compile(r"(?:-{3,}|\*{3,}|_{3,}|={3,})")
_QUOTE = re.compile(r">+\s*")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]，。、；]+", re.I)
_ARXIV_SPAN = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/[^\s)\]>\"'，。、；]+"
    r"|\barxiv:\s*[\w./-]+",
    re.I,
)
_ARXIV_NUMBER = re.compile(r"\d{4}\.\d{4,5}(?:v\d+)?")
# Words that only label a link: a line of them and links says nothing of the paper.
_LINK_LABEL = re.compile(
    r"论文链接|论文地址|文章链接|论文|代码链接|代码地址|代码|项目主页|项目地址|项目|主页|链接|地址|原文"
    r"|\b(?:arxiv|paper|pdf|links?|abs|abstract|code|project|page|homepage|github|html|url)\b",
    re.I,
)
_WORD_CHAR = re.compile(r"[^\W_]")
_EMPHASIS = re.compile(r"\*\*|__|~~|`|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
_TITLE_LABEL = re.compile(r"^(?:论文标题|论文题目|标题|题目|Title)\s*[:：]\s*", re.I)
_CHINESE_ORDINAL = re.compile(r"^(?:第?[一二三四五六七八九十]+(?:[、.．:：)）]|部分[:：]?)\s*)")
_EDGE_SYMBOLS = re.compile(
    r"^[\s\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D\u2B00-\u2BFF|｜:：,，\-–—]+"
    r"|[\s\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D\u2B00-\u2BFF|｜:：,，\-–—]+$"
)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|（\s*）|\[\s*\]|【\s*】")
_SENTENCE_END = ("。", ".", "!", "！", "?", "？", ";", "；", ",", "，", "、")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

_FURNITURE: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (reason, re.compile(pattern, re.I), opens_block)
    for reason, pattern, opens_block in (
        ("breadcrumb", r"^(?:当前位置|您的位置|你的位置|You are here)\s*:", False),
        ("breadcrumb", r"^(?:首页|主页|Home)\s*(?:>|/|›|»|→|\|)", False),
        ("breadcrumb", r"^[^>›»\s]{1,20}(?:\s*[>›»]\s*[^>›»。.]{1,30}){2,}$", False),
        (
            "source line",
            r"^(?:来源|出处|原文(?:链接|地址)?|转载自|文章来源|本文(?:链接|地址)|Source"
            r"|Originally published(?: at| on| in)?|Via)\s*:",
            False,
        ),
        (
            "byline",
            r"^(?:作者|编辑|责编|责任编辑|整理|编译|翻译|Authors?|Written by|Posted by|By)\s*:"
            r"|^(?:Written|Posted) by\s|^By\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}$",
            False,
        ),
        (
            "date line",
            r"^(?:发布时间|发布日期|发表时间|发表于|发布于|更新时间|更新于|日期|时间|Posted on"
            r"|Published(?: on)?|Updated(?: on)?|Last updated|Date)\s*:?\s*\d"
            r"|^(?:Posted|Published|Updated) on\b"
            r"|^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$",
            False,
        ),
        ("reading stats", r"^(?:阅读|浏览|阅读量|点赞|收藏|Views?|Likes?|Reads?)\s*:?\s*\d", False),
        (
            "copyright notice",
            r"版权声明|版权所有|著作权归|©|\(c\)\s*\d{4}|^copyright\s*(?:\(c\)|\d{4})"
            r"|all rights reserved|^转载请|^未经.{0,12}(?:授权|许可|同意)"
            r"|^本文(?:为|系).{0,20}原创",
            False,
        ),
        (
            "share links",
            r"^(?:分享到|分享至|分享|Share(?: this)?(?: on| to| via)?)\s*:"
            r"|^(?:(?:微信|微博|QQ空间|QQ|豆瓣|知乎|Twitter|X|Facebook|LinkedIn|Reddit|Email"
            r"|WeChat|Weibo|Telegram|复制链接|Copy link)[\s|/·,、]*){2,}$",
            False,
        ),
        ("advertisement", r"^(?:广告|推广|赞助|Sponsored|Advertisement)\s*(?::|$)", False),
        (
            "subscribe prompt",
            r"二维码|扫码|扫一扫|长按识别|关注(?:我们|本号|公众号)|公众号|^订阅|点赞.{0,6}在看"
            r"|^subscribe\b|subscribe to (?:our|the|my)|follow us|newsletter|sign up for",
            False,
        ),
        (
            "navigation",
            r"^(?:上一篇|下一篇|上一页|下一页|返回(?:首页|顶部|列表))"
            r"|^(?:Previous|Next) (?:post|article)\b|^(?:Previous|Next)\s*:|^Back to top$",
            False,
        ),
        ("tags", r"^(?:标签|Tags?|分类|Categories|Category|Filed under|关键词)\s*:", False),
        (
            "related articles",
            r"^(?:相关(?:文章|阅读|推荐|内容)|推荐阅读|延伸阅读|往期(?:回顾|推荐|精选|文章)|猜你喜欢"
            r"|热门文章|最新文章|Related(?: posts| articles| reading| stories)?"
            r"|You (?:may|might) also like|More (?:posts|articles) from.*|Further reading"
            r"|Recommended(?: reading| posts)?|Popular posts|Recent posts)\s*:?$",
            True,
        ),
        (
            "comments",
            r"^(?:评论区?|发表评论|全部评论|\d+\s*条评论|Comments?|Leave a (?:comment|reply)"
            r"|\d+\s+comments?)\s*:?$",
            True,
        ),
    )
)


@dataclass(slots=True)
class Line:
    """One line of the article, classified on its own."""

    number: int  # 1-based, as an editor's text editor counts
    text: str  # stripped, whitespace as written, original characters
    kind: str  # blank markdown numbered bullet links image furniture text (sublist: in a summary)
    content: str = ""  # the heading or item text, numbering and `#` marks removed
    level: int = 0  # markdown heading level
    item_number: int | None = None
    refs: tuple[ArxivRef, ...] = ()
    furniture: str = ""  # what kind of furniture, for the skipped report
    opens_block: bool = False  # furniture that everything after belongs to (related posts)


def split(text: str) -> list[Line]:
    """The article's lines, numbered from 1, whatever line endings and BOM it came with."""
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return [classify(number, raw) for number, raw in enumerate(text.split("\n"), start=1)]


def classify(number: int, raw: str) -> Line:
    """What one line is, judged without its neighbours."""
    text = raw.strip()
    if not text or _RULE.fullmatch(text):
        return Line(number, "", "blank")
    folded = text.translate(_FOLD)
    if folded.startswith(">"):
        cut = _QUOTE.match(folded).end()  # type: ignore[union-attr]
        text, folded = text[cut:], folded[cut:]
    refs = arxiv_refs(folded)
    if not refs and (furniture := _furniture(folded)):
        reason, opens_block = furniture
        return Line(number, text, "furniture", furniture=reason, opens_block=opens_block)
    if heading := _MD_HEADING.fullmatch(folded):
        inner = heading.start(2)
        content = text[inner : heading.end(2)]
        numbered = _NUMBERED.match(folded, inner)
        item_number = _number(numbered) if numbered else None
        if numbered:
            content = text[numbered.end() : heading.end(2)]
        return Line(number, text, "markdown", content, len(heading[1]), item_number, refs)
    if numbered := _NUMBERED.match(folded):
        return Line(number, text, "numbered", text[numbered.end() :], 0, _number(numbered), refs)
    if bullet := _BULLET.match(folded):
        return Line(number, text, "bullet", text[bullet.end() :], refs=refs)
    if _is_link_only(folded):
        return Line(number, text, "image" if _IMAGE.search(folded) else "links", refs=refs)
    return Line(number, text, "text", text, refs=refs)


def _number(match: re.Match[str]) -> int:
    return int(match[1] or match[2] or match[3])


def _furniture(folded: str) -> tuple[str, bool] | None:
    plain = _EMPHASIS.sub("", folded.lstrip("# ")).strip()
    for reason, pattern, opens_block in _FURNITURE:
        if pattern.search(plain):
            return reason, opens_block
    return None


def arxiv_refs(text: str) -> tuple[ArxivRef, ...]:
    """Every arXiv link or `arXiv:` id in the text, in order."""
    if "rxiv" not in text and "RXIV" not in text.upper():
        return ()
    refs = []
    for span in _ARXIV_SPAN.findall(text):
        ref = arxiv_ids.find_in(span) or arxiv_ids.parse(span.rstrip(".,;:"))
        if ref:
            refs.append(ref)
    return tuple(refs)


def mentions_arxiv(text: str) -> bool:
    """Whether the text points at arXiv at all, even with an id that does not parse."""
    return _ARXIV_SPAN.search(text.translate(_FOLD)) is not None


def _is_link_only(folded: str) -> bool:
    """A line of links and their labels (`论文链接：https://…`, `[arXiv](…) | [PDF](…)`)."""
    rest = _IMAGE.sub(" ", folded)
    rest = _MD_LINK.sub(r" \1 ", rest)
    rest = _ARXIV_SPAN.sub(" ", rest)
    rest = _URL.sub(" ", rest)
    rest = _ARXIV_NUMBER.sub(" ", rest)
    rest = _LINK_LABEL.sub(" ", rest)
    return rest != folded and not _WORD_CHAR.search(rest)


def plain_text(text: str) -> str:
    """Text without Markdown link or emphasis syntax, arXiv links, or runs of whitespace."""
    text = _IMAGE.sub(" ", text)
    text = _MD_LINK.sub(lambda link: _link_text(link[1]), text)
    text = _ARXIV_SPAN.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    text = _EMPTY_BRACKETS.sub(" ", text)
    return " ".join(text.split())


def _link_text(text: str) -> str:
    # `[arXiv](…)` names the link, not the paper: only real words survive.
    bare = _LINK_LABEL.sub(" ", _ARXIV_NUMBER.sub(" ", text))
    return text if _WORD_CHAR.search(bare) else ""


def clean_title(text: str) -> str:
    """An item's title: no link syntax, no URL, no label, no decoration at the ends."""
    text = _URL.sub(" ", plain_text(text))
    text = _TITLE_LABEL.sub("", _EMPTY_BRACKETS.sub(" ", text).strip())
    return _EDGE_SYMBOLS.sub("", " ".join(text.split()))


def clean_heading(text: str) -> str:
    """A topic heading as the editor named it: no `#`, emphasis, ordinal (`一、`) or colon."""
    text = _EDGE_SYMBOLS.sub("", plain_text(text.lstrip("#")))
    return _EDGE_SYMBOLS.sub("", _CHINESE_ORDINAL.sub("", text))


def looks_like_heading(line: Line) -> bool:
    """Short, standalone, unnumbered, not a sentence: the shape of a topic heading."""
    if line.kind != "text" or line.refs or _URL.search(line.text):
        return False
    heading = clean_heading(line.text)
    if not heading or heading.endswith(_SENTENCE_END):
        return False
    limit = 30 if has_cjk_char(heading) else 60
    return len(heading) <= limit and len(heading.split()) <= 8


def ends_sentence(text: str) -> bool:
    """Whether a line ends as a sentence or clause does (a numbered list inside a summary)."""
    return _EMPHASIS.sub("", text).rstrip().endswith((*_SENTENCE_END, ":", "："))


def has_cjk_char(text: str) -> bool:
    """Whether any character is Chinese or Chinese punctuation."""
    return _CJK_CHAR.search(text) is not None


def joins_without_space(before: str, after: str) -> bool:
    """Wrapped Chinese lines join directly; wrapped English lines join with a space."""
    return bool(before and after) and (
        _CJK_CHAR.match(before[-1]) is not None or _CJK_CHAR.match(after[0]) is not None
    )
