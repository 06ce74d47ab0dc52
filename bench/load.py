"""The bot under load: a burst of readers, and one reader flooding while others wait.

Run as `python bench/load.py [--papers 20000] [--burst 2000] [--latency 0.05]`. The real bot
runs in its own process (bench/_load_bot.py) and polls a fake Bot API served by this one on
127.0.0.1, over a copy of the cached search corpus (bench/_corpus.py). Each answer the fake
gives waits `--latency` seconds, Telegram's round trip. Both scenarios run twice in one run:
with the bot as it ships (concurrent, each chat in order) and with PTB's default processing,
one update at a time.

- burst: 200 users send `--burst` updates at once, half `/search`, half inline queries;
- flood: one user sends 300 `/search` while 20 others send one each.

Latency runs from getUpdates handing the update out to its answer reaching the fake. An
inline query older than Telegram's window (10 s) is refused by the fake, as Telegram does
("query is too old"); one not answered in time counts as expired. Prints
readable figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _load_bot
from bench._corpus import arxiv_id, cached_database
from bench.search import CHINESE, COMMON, PHRASES, RARE
from bot.i18n import LANGUAGES, translations
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_updates import FakeUser

USERS = 200
FLOOD = 300
OTHERS = 20
WINDOW = 10.0  # seconds Telegram takes an inline answer for
SETTLE = 3.0  # seconds without a new answer after which nothing more is coming
MODES = ("concurrent", "sequential")
SLOW_DOWN = {
    translations(lang).gettext(
        "You are sending requests faster than I can answer, so I skipped the latest ones. "
        "Please wait a moment, then try again."
    )
    for lang in LANGUAGES
}


def queries(papers: int, count: int, rng: random.Random) -> list[str]:
    """What readers search for: common and rare words, phrases, Chinese words, an id."""
    words = COMMON.split() + RARE.split() + CHINESE.split()
    kinds = [
        lambda: rng.choice(PHRASES),
        lambda: rng.choice(words),
        lambda: arxiv_id(rng.randrange(papers)),
    ]
    return [kinds[i % 3]() for i in range(count)]


async def settle(api: FakeBotApi, mark: int, expected: int, limit: float) -> None:
    """Wait until `expected` answers arrived, or none came for SETTLE seconds, or `limit`."""
    deadline = time.monotonic() + limit
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        answers = len(api.calls("sendMessage", since=mark)) + len(
            api.calls("answerInlineQuery", since=mark)
        )
        if answers >= expected:
            return
        if answers != seen:
            seen, quiet_since = answers, time.monotonic()
        elif time.monotonic() - quiet_since > SETTLE:
            return
        await asyncio.sleep(0.1)


async def expire(api: FakeBotApi, inlines: list[dict]) -> None:
    """Telegram's side of the window: an inline query older than WINDOW takes no answer."""
    served, open_queries = api.world.updates.served_at, api.world.open_inline_queries
    waiting = list(inlines)
    while waiting:
        now = time.time()
        for update in [u for u in waiting if now - served.get(u["update_id"], now) > WINDOW]:
            open_queries.discard(update["inline_query"]["id"])
            waiting.remove(update)
        await asyncio.sleep(0.2)


def chat_answers(api: FakeBotApi, mark: int, updates: list[dict]) -> dict[int, float]:
    """Update id -> when its reply arrived: each chat's replies in the order it asked."""
    replies: dict[int, list[float]] = {}
    for call in api.calls("sendMessage", since=mark):
        if call.ok:
            replies.setdefault(int(call.chat_id), []).append(call.at)
    answered = {}
    for update in updates:
        chat = update["message"]["chat"]["id"]
        if replies.get(chat):
            answered[update["update_id"]] = replies[chat].pop(0)
    return answered


def inline_answers(api: FakeBotApi, mark: int, updates: list[dict]) -> dict[int, float]:
    by_query = {
        str(call.params.get("inline_query_id")): call.at
        for call in api.calls("answerInlineQuery", since=mark)
        if call.ok
    }
    return {
        u["update_id"]: by_query[u["inline_query"]["id"]]
        for u in updates
        if u["inline_query"]["id"] in by_query
    }


def latencies(api: FakeBotApi, answered: dict[int, float]) -> list[float]:
    served = api.world.updates.served_at
    return [at - served[update_id] for update_id, at in answered.items()]


def figures(values: list[float]) -> dict:
    if not values:
        return {"p50_s": None, "p99_s": None}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50_s": round(statistics.median(ordered), 3), "p99_s": round(p99, 3)}


async def burst(api: FakeBotApi, users: list[FakeUser], texts: list[str]) -> dict:
    mark = api.mark()
    searches, inlines = [], []
    for i, text in enumerate(texts):
        user = users[i % len(users)]
        if i % 2:
            inlines.append(api.user_queries_inline(user, text))
        else:
            searches.append(api.user_says(user, f"/search {text}"))
    expiry = asyncio.create_task(expire(api, inlines))
    await settle(api, mark, len(texts), limit=600)
    expiry.cancel()
    chat = chat_answers(api, mark, searches)
    inline = inline_answers(api, mark, inlines)
    served = api.world.updates.served_at
    inline_lat, chat_lat = latencies(api, inline), latencies(api, chat)
    first = min(served[u["update_id"]] for u in searches + inlines)
    last = max([*chat.values(), *inline.values()], default=first)
    # Every answer tried, refused ones included: how fast updates went through the bot
    tried = [
        c.at for c in api.calls(since=mark) if c.method in ("sendMessage", "answerInlineQuery")
    ]
    return {
        **figures(chat_lat + inline_lat),
        **{f"search_{k}": v for k, v in figures(chat_lat).items()},
        **{f"inline_{k}": v for k, v in figures(inline_lat).items()},
        "answers": len(chat_lat) + len(inline_lat),
        "answers_per_s": round((len(chat_lat) + len(inline_lat)) / max(last - first, 1e-9), 1),
        "handled_per_s": round(len(texts) / max(max(tried, default=first) - first, 1e-9), 1),
        "inline_expired": sum(s > WINDOW for s in inline_lat) + len(inlines) - len(inline),
    }


async def flood(api: FakeBotApi, flooder: FakeUser, others: list[FakeUser]) -> dict:
    """The others' messages arrive among the flooder's, one every FLOOD / OTHERS of them."""
    mark = api.mark()
    mine, theirs = [], []
    step = FLOOD // len(others)
    for i in range(FLOOD):
        mine.append(api.user_says(flooder, "/search language model"))
        if i % step == step // 2 and len(theirs) < len(others):
            theirs.append(api.user_says(others[len(theirs)], "/search retrieval"))
    await settle(api, mark, FLOOD + len(others), limit=600)
    their_lat = latencies(api, chat_answers(api, mark, theirs))
    to_flooder = [
        c.params["text"] for c in api.calls("sendMessage", chat_id=flooder.id, since=mark)
    ]
    asked_to_slow_down = sum(text in SLOW_DOWN for text in to_flooder)
    return {
        **{f"others_{k}": v for k, v in figures(their_lat).items()},
        "others_answered": len(their_lat),
        "flooder_answered": len(to_flooder) - asked_to_slow_down,
        "flooder_slow_downs": asked_to_slow_down,
    }


async def scenario_pair(api: FakeBotApi, corpus: Path, mode: str, args, tmp: Path) -> dict:
    rng = random.Random(11)
    db = tmp / f"{mode}.sqlite3"
    shutil.copyfile(corpus, db)
    log = tmp / f"{mode}.log"
    base = 10_000 if mode == "concurrent" else 20_000  # fresh chats for each bot
    users = [api.user(base + i, language_code=rng.choice(["en", "zh-hans"])) for i in range(USERS)]
    process = await _load_bot.start(api, db, mode, log)
    own_cpu = time.process_time()
    try:
        mark = api.mark()
        for user in users[:20]:  # warm-up: imports, caches, the database's pages
            api.user_says(user, "/help")
        await api.wait_for("sendMessage", count=20, since=mark, timeout=60)
        result = {"burst": await burst(api, users, queries(args.papers, args.burst, rng))}
        flooder, others = users[0], users[1 : 1 + OTHERS]
        result["flood"] = await flood(api, flooder, others)
    finally:
        bot_cpu = await _load_bot.stop(process)
    result["cpu_s"] = {"bot": bot_cpu, "fake": round(time.process_time() - own_cpu, 1)}
    result["errors_logged"] = len(_load_bot.errors_logged(log))
    return result


async def measure(corpus: Path, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        async with FakeBotApi(any_chat=True) as api:
            api.latency = args.latency
            runs = {mode: await scenario_pair(api, corpus, mode, args, Path(tmp)) for mode in MODES}
    fast, slow = runs["concurrent"]["burst"], runs["sequential"]["burst"]
    runs["rate_ratio"] = round(fast["answers_per_s"] / slow["answers_per_s"], 2)
    runs["handled_ratio"] = round(fast["handled_per_s"] / slow["handled_per_s"], 2)
    runs["papers"], runs["latency_s"] = args.papers, args.latency
    return runs


def report(result: dict) -> None:
    for mode in MODES:
        run = result[mode]
        b, f = run["burst"], run["flood"]
        print(f"{mode}:")
        print(f"  burst   {b['answers']} answers, {b['answers_per_s']}/s "
              f"({b['handled_per_s']} updates handled/s); p50 {b['p50_s']} s, "
              f"p99 {b['p99_s']} s; inline expired {b['inline_expired']}")  # fmt: skip
        print(f"          /search p50 {b['search_p50_s']} s, p99 {b['search_p99_s']} s; "
              f"inline p50 {b['inline_p50_s']} s, p99 {b['inline_p99_s']} s")  # fmt: skip
        print(f"  flood   others p50 {f['others_p50_s']} s, p99 {f['others_p99_s']} s "
              f"({f['others_answered']} answered); the flooder got {f['flooder_answered']} "
              f"answers, {f['flooder_slow_downs']} 'slow down'")  # fmt: skip
        print(f"  errors logged {run['errors_logged']}; CPU seconds: bot {run['cpu_s']['bot']}, "
              f"fake Bot API {run['cpu_s']['fake']}")  # fmt: skip
    print(f"concurrent vs one at a time: answers/s ×{result['rate_ratio']}, "
          f"updates handled/s ×{result['handled_ratio']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--burst", type=int, default=2_000, help="updates in the burst")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Bot API answer")
    args = parser.parse_args()
    started = time.monotonic()
    corpus = cached_database(args.papers)  # built once, outside the event loop
    result = asyncio.run(measure(corpus, args))
    report(result)
    print(f"run took {time.monotonic() - started:.0f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
