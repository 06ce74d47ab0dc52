"""Fair turns, on their own: who runs next when the slots are full."""

from __future__ import annotations

import asyncio
import logging

from bot.updates import FairTurns


async def test_an_urgent_update_takes_the_next_free_slot_before_older_messages():
    turns = FairTurns(concurrency=1)
    ran: list[str] = []
    gate = asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        if wait:
            await gate.wait()
        ran.append(name)

    tasks = [asyncio.create_task(turns.run(work("busy", wait=True), lane="a", reader=1))]
    for name in ("m1", "m2"):
        tasks.append(asyncio.create_task(turns.run(work(name), lane=name, reader=2)))
    tasks.append(asyncio.create_task(turns.run(work("inline"), lane="i", reader=3, urgent=True)))
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(*tasks)
    assert ran == ["busy", "inline", "m1", "m2"]


async def test_a_reader_over_budget_is_dropped_and_told_once_until_the_queue_drains():
    turns = FairTurns(concurrency=4, budget=2)
    told: list[int] = []
    gate = asyncio.Event()

    async def slow() -> None:
        await gate.wait()

    async def tell() -> None:
        told.append(1)

    tasks = [
        asyncio.create_task(turns.run(slow(), lane="chat", reader=7, on_flood=tell))
        for _ in range(6)
    ]
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(*tasks)
    assert (told, turns.dropped) == ([1], 4)
    await turns.run(slow(), lane="chat", reader=7, on_flood=tell)  # the flood is over
    assert (told, turns.lanes) == ([1], 0)


async def test_past_the_backlog_new_updates_are_shed_with_one_warning(caplog):
    turns = FairTurns(concurrency=1, budget=100, backlog=3)
    gate = asyncio.Event()
    done: list[int] = []

    async def work(n: int) -> None:
        await gate.wait()
        done.append(n)

    with caplog.at_level(logging.WARNING, logger="bot.updates"):
        tasks = [asyncio.create_task(turns.run(work(n), lane=n, reader=n)) for n in range(6)]
        await asyncio.sleep(0.01)
        gate.set()
        await asyncio.gather(*tasks)
        await turns.run(work(6), lane=6, reader=6)  # the backlog is gone: taken again
    assert (sorted(done), turns.dropped) == ([0, 1, 2, 6], 3)
    shed = [r for r in caplog.records if "dropped until" in r.getMessage()]
    assert len(shed) == 1
