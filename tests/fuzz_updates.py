"""Hypothesis strategies for what people send a bot: commands with any arguments, plain text,
mentions, button data of any bytes, inline queries and offsets, documents with captions.

Each strategy draws a small description (a dict); the test turns it into an Update with the
fake Bot API's builders, so one description reads well when Hypothesis reports a failure.
"""

from __future__ import annotations

from hypothesis import strategies as st

BOT = "digest_test_bot"
COMMANDS = (
    "start", "help", "lang", "topics", "subscribe", "unsubscribe", "subscriptions",
    "settings", "digest", "search", "paper", "stats", "import",
    "saved", "export", "follow", "following",
)  # fmt: skip
# Values that met bugs before, or sit at an edge of what a handler parses
EDGES = (
    "²", "①", "٣", "１", "000000000000", "-1", "24", "7", "9999-12-31", "0001-01-01",
    "2024-02-30", "hour", "weekday", "timezone", "empty", "line", "skip", "Asia/Shanghai",
    "previous", "上期", "rag", "agents", '"long context"', '""', "“", "<b>", "&", "zh", "en",
    "paper_2406_15877", "paper_hep-th_9901001", "2406.15877", "hep-th/9901001v3",
    "https://arxiv.org/pdf/2406.15877v2.pdf", "--period", "--period=2024-07-10",
    "UTC+15", "UTC-05:30", "东八区", "周日", "下午3点", "开",
    "NEAR(a b)", "*", "\u202e", "\x00", "🙂" * 3, "x" * 400,
)  # fmt: skip
CALLBACK_PREFIXES = (
    "card:open:", "card:lang:", "card:similar:", "search:", "topic:toggle:", "lang:set:",
    "set:view:", "set:day:", "set:hour:", "set:tz:", "set:empty:", "set:lang:",
    "start:lang:",
    "saved:v:", "saved:x:", "saved:rm:", "export:", "follow:add:", "follow:rm:",
    "follow:off:",
)  # fmt: skip
CALLBACK_EDGES = (
    "topic:toggle:rag", "topic:toggle:agents", "lang:set:zh", "lang:set:en",
    "card:open:2406.15877", "card:lang:2406.15877:zh", "card:similar:2406.15877",
    "card:open:hep-th/9901001", "search:AAAAAAAAAAAA:2", "search:x:0", "search:x:²",
    "set:view:tz", "set:day:6", "set:hour:23", "set:tz:Asia/Tokyo", "set:empty:line",
    "set:lang:zh", "set:hour:²", "set:day:07",
    "start:lang:zh", "start:lang:en", "start:topics", "start:digest", "start:lang:fr",
    "saved:v:1", "saved:x:2", "saved:rm:2406.15877:1", "export:bibtex", "export:ris",
    "follow:add:2406.17001:0", "follow:add:2406.17001:1", "follow:rm:0123456789",
    "follow:add:2406.17001:0:zh", "follow:off:2406.17001:0:en", "follow:off:2406.17001:1:zh",
)  # fmt: skip
STATUSES = st.sampled_from(("creator", "administrator", "member", "restricted", "left", "kicked"))
LANGUAGE_CODES = (None, "en", "zh", "zh-hans", "zh-TW", "fr", "xx-invalid")


def _any_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(max_size=max_size) | st.sampled_from(EDGES)


def arguments() -> st.SearchStrategy[str]:
    return st.lists(_any_text(40), max_size=4).map(" ".join)


def command_text() -> st.SearchStrategy[str]:
    """Any command, addressed or not, with any arguments; and the shapes handlers parse."""
    name = st.sampled_from(COMMANDS) | st.from_regex(r"[a-z0-9_]{1,12}", fullmatch=True)
    addressee = st.sampled_from(("", "", "", f"@{BOT}", f"@{BOT.upper()}", "@other_bot"))
    anything = st.builds(
        lambda n, a, rest: f"/{n}{a} {rest}".rstrip(), name, addressee, arguments()
    )
    setting = st.builds(
        lambda key, value: f"/settings {key} {value}",
        st.sampled_from(("hour", "weekday", "timezone", "empty", "HOUR", "时区", "星期", "空主题")),
        _any_text(20),
    )
    one_argument = st.builds(
        lambda n, value: f"/{n} {value}",
        st.sampled_from(
            ("lang", "paper", "start", "digest", "search", "subscribe", "follow", "export")
        ),
        _any_text(60),
    )
    return anything | setting | one_argument


def plain_text() -> st.SearchStrategy[str]:
    text = st.text(min_size=1, max_size=300) | st.sampled_from(EDGES) | arguments()
    return text.filter(lambda t: t.strip() and not t.startswith("/"))


def callback_data() -> st.SearchStrategy[str]:
    raw = st.binary(min_size=1, max_size=64).map(lambda b: b.decode("utf-8", "replace"))
    shaped = st.builds(
        lambda p, rest: (p + rest)[:64], st.sampled_from(CALLBACK_PREFIXES), st.text(max_size=40)
    )
    return raw | shaped | st.sampled_from(CALLBACK_EDGES)


def inline_offset() -> st.SearchStrategy[str]:
    numbers = st.integers(0, 2000).map(str)
    return (
        st.sampled_from(("", "0", "20", "980", "1000", "²", "①", "000000000000"))
        | numbers
        | st.text(max_size=20)
    )


def _imports() -> st.SearchStrategy[str]:
    anything = st.builds(
        lambda a, rest: f"/import{a} {rest}".rstrip(),
        st.sampled_from(("", f"@{BOT}", "@other_bot")),
        arguments(),
    )
    return anything | st.builds(lambda day: f"/import --period {day}", _any_text(20))


def _article() -> st.SearchStrategy[bytes]:
    """An editor's article: a heading, topic sections, items with arXiv links and any text."""
    item = st.builds(
        lambda link, words: f"- {link} {words}",
        st.sampled_from(("https://arxiv.org/abs/2406.15877", "https://arxiv.org/abs/2406.17001",
                         "arxiv.org/pdf/2406.17002v2", "https://arxiv.org/abs/9999.99999")),
        st.text(max_size=80),
    )  # fmt: skip
    section = st.builds(
        lambda title, items: f"## {title}\n\n" + "\n".join(items),
        st.sampled_from(("RAG", "Agents", "检索增强生成", "Robotics")) | st.text(max_size=20),
        st.lists(item, min_size=1, max_size=4),
    )
    return st.builds(
        lambda head, sections: (f"# {head}\n\n" + "\n\n".join(sections)).encode("utf-8"),
        st.text(max_size=40),
        st.lists(section, min_size=1, max_size=3),
    )


def document() -> st.SearchStrategy[dict]:
    """Any document from anyone, or an operator's article captioned /import."""
    anything = st.fixed_dictionaries(
        {
            "caption": st.none() | _imports() | st.text(max_size=60),
            "file_name": st.sampled_from(("a.md", "a.txt", "a.pdf", "报告.md", "x"))
            | st.text(min_size=1, max_size=30),
            "mime_type": st.sampled_from(("text/plain", "text/markdown", "application/pdf", "")),
            "content": st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode),
            "operator": st.booleans(),
        }
    )
    article = st.fixed_dictionaries(
        {
            "caption": _imports(),
            "file_name": st.just("issue.md"),
            "mime_type": st.just("text/markdown"),
            "content": _article(),
            "operator": st.just(True),
        }
    )
    return anything | article


def _with(base: st.SearchStrategy[dict], **extra: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """`base`'s dicts with more drawn keys."""
    return st.tuples(base, st.fixed_dictionaries(extra)).map(lambda pair: {**pair[0], **pair[1]})


def _sender_language() -> st.SearchStrategy[str | None]:
    return st.sampled_from(LANGUAGE_CODES)


def private_update() -> st.SearchStrategy[dict]:
    """What a person does in their private chat with the bot."""
    return _with(
        st.one_of(
            st.fixed_dictionaries({"kind": st.just("text"), "text": command_text()}),
            st.fixed_dictionaries({"kind": st.just("text"), "text": plain_text()}),
            st.fixed_dictionaries({"kind": st.just("via_bot"), "text": plain_text()}),
            st.fixed_dictionaries({"kind": st.just("press"), "data": callback_data()}),
            st.fixed_dictionaries({"kind": st.just("document"), "document": document()}),
            st.fixed_dictionaries({"kind": st.just("edited"), "text": command_text()}),
            st.fixed_dictionaries({"kind": st.just("blocks"), "old": STATUSES, "new": STATUSES}),
        ),
        lang=_sender_language(),
    )


def group_update() -> st.SearchStrategy[dict]:
    """What a member, an admin or an anonymous admin does in a group the bot is in."""
    who = st.sampled_from(("member", "admin", "anonymous"))
    return _with(
        st.one_of(
            st.fixed_dictionaries({"kind": st.just("text"), "text": command_text()}),
            st.fixed_dictionaries({"kind": st.just("text"), "text": plain_text()}),
            st.fixed_dictionaries({"kind": st.just("mention"), "text": plain_text() | st.just("")}),
            st.fixed_dictionaries({"kind": st.just("reply"), "text": plain_text()}),
            st.fixed_dictionaries({"kind": st.just("press"), "data": callback_data()}),
            st.fixed_dictionaries({"kind": st.just("document"), "document": document()}),
            st.fixed_dictionaries({"kind": st.just("member"), "old": STATUSES, "new": STATUSES}),
            st.fixed_dictionaries(
                {"kind": st.just("bot_member"), "old": STATUSES, "new": STATUSES}
            ),
        ),
        who=who,
        forum=st.booleans(),
        lang=_sender_language(),
    )


def inline_update() -> st.SearchStrategy[dict]:
    """What anyone does in inline mode: a query with an offset, or a press on a shared card."""
    return _with(
        st.one_of(
            st.fixed_dictionaries(
                {"kind": st.just("inline"), "query": _any_text(256), "offset": inline_offset()}
            ),
            st.fixed_dictionaries({"kind": st.just("press_inline"), "data": callback_data()}),
        ),
        lang=_sender_language(),
    )
