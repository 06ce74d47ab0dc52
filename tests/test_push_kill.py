"""SIGKILL in the middle of a broadcast, then a rerun: every part arrives, in order, and a
part goes twice only when the kill fell between Telegram's acceptance and the ledger's write
(at most one part per chat per kill)."""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from datetime import UTC, datetime

from storage import deliveries
from tests import digest_world as world

JUNE_17 = datetime(2024, 6, 17, 8, tzinfo=UTC)
DUE = datetime(2024, 7, 1, 1, tzinfo=UTC)
CHATS = range(301, 341)


async def test_killing_a_broadcast_at_random_moments_loses_nothing(tmp_path, api):
    api.world.any_chat = True
    api.latency = 0.005
    rt = await world.runtime(tmp_path / "kill.sqlite3", api)
    try:
        summary = "A sentence long enough to fill a digest message with a few of them. " * 5
        for n in range(12):
            for slug in ("rag", "agents"):
                await world.add_paper(
                    rt, f"2406.4{n:02d}{len(slug)}", JUNE_17, {slug: 1.0},
                    title=f"Paper {n} about {slug}", summaries_by_lang={"en": summary},
                )  # fmt: skip
        for chat_id in CHATS:
            await world.subscribe(rt, chat_id, ["rag", "agents"])
        chance = random.Random(20240701)
        kills = 0
        for _ in range(4):
            mark = api.mark()
            process = await world.push_process(rt, api, DUE)
            # Kill after a random number of messages went out, a random instant later.
            if await _sends_seen(api, mark, chance.randint(3, 25), process):
                await asyncio.sleep(chance.uniform(0, 0.02))
                process.send_signal(signal.SIGKILL)
                kills += 1
            await process.wait()
        process = await world.push_process(rt, api, DUE)
        assert await process.wait() == 0

        assert kills >= 2
        for chat_id in CHATS:
            rows = await deliveries.of_chat(rt.db, chat_id)
            assert rows
            assert all(row["state"] == "sent" for row in rows)
            expected = [await _text(rt, row["text_id"]) for row in rows]
            received = [
                c.params["text"]
                for c in api.log.select(chat_id=chat_id)
                if c.method == "sendMessage" and c.ok
            ]
            assert _without_repeats(received) == expected  # every part, in order
            repeats = Counter(received) - Counter(expected)
            assert sum(repeats.values()) <= kills  # at most one part per chat per kill
    finally:
        await rt.close()


async def _sends_seen(api, mark: int, count: int, process) -> bool:
    """True once `count` messages arrived since `mark`; False if the pass ended first."""
    wait = asyncio.create_task(process.wait())
    try:
        while not wait.done():
            if len(api.log.select("sendMessage", since=mark)) >= count:
                return True
            await asyncio.sleep(0.002)
        return False
    finally:
        wait.cancel()


async def _text(rt, text_id: int) -> str:
    return (await deliveries.texts(rt.db, [text_id]))[text_id]


def _without_repeats(texts: list[str]) -> list[str]:
    return [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]
