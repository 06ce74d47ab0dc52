"""Answers kept for a few seconds: reused meanwhile, forgotten after, never more than a few."""

from __future__ import annotations

import time

from bot.handlers.recent import Recent


def test_an_answer_is_reused_until_it_is_older_than_its_seconds(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    recent: Recent[str, int] = Recent(seconds=30, size=8)
    recent.put("llm", 1)
    now[0] += 29
    assert recent.get("llm") == 1
    now[0] += 2
    assert recent.get("llm") is None


def test_the_oldest_answers_go_first_when_too_many_are_kept():
    recent: Recent[int, int] = Recent(seconds=30, size=3)
    for key in range(5):
        recent.put(key, key * 10)
    assert [recent.get(key) for key in range(5)] == [None, None, 20, 30, 40]
