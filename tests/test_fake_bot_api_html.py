"""The fake Bot API's HTML checker: it accepts what Telegram's HTML parse mode accepts."""

from __future__ import annotations

import pytest

from tests.fakes.bot_api_html import HtmlParseError, parse_html

ALLOWED_HTML = [
    ("<b>b</b><strong>s</strong>", "bs"),
    ("<i>i</i><em>e</em><u>u</u><ins>n</ins>", "ieun"),
    ("<s>s</s><strike>t</strike><del>d</del>", "std"),
    ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
    ('<a href="https://arxiv.org/abs/2401.00001?a=1&amp;b=2">abs</a>', "abs"),
    ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
    ("<code>x &lt; y</code>", "x < y"),
    ('<pre><code class="language-python">print("hi")</code></pre>', 'print("hi")'),
    ("<pre>block</pre><blockquote>q</blockquote><blockquote expandable>e</blockquote>", "blockqe"),
    ("&lt;&gt;&amp;&quot;&#39;&#x4e2d; 5 > 3", "<>&\"'中 5 > 3"),
    ("<b>bold <i>both</i></b> <B>upper</B>", "bold both upper"),
]
REFUSED_HTML = [
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("AT&T", 'Character "&" must be escaped'),
    ("&nbsp;", 'Character "&" must be escaped'),
    ("<a href>x</a>", "Expected equal sign"),
    ("中文<p>", 'Unsupported start tag "p" at byte offset 6'),
]


@pytest.mark.parametrize(("html", "visible"), ALLOWED_HTML)
def test_the_html_checker_accepts_every_documented_construct(html, visible):
    assert parse_html(html).text == visible


@pytest.mark.parametrize(("html", "reason"), REFUSED_HTML)
def test_the_html_checker_refuses_what_telegram_refuses(html, reason):
    with pytest.raises(HtmlParseError) as refused:
        parse_html(html)
    assert str(refused.value).startswith(reason)


def test_entities_carry_utf16_offsets_and_pre_keeps_its_language():
    parsed = parse_html('🙂 <b>x</b><pre><code class="language-py">y</code></pre>')
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 1},
        {"type": "pre", "offset": 4, "length": 1, "language": "py"},
    ]
