"""Answers kept for a few seconds: the same question asked again meanwhile costs nothing."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """At most `size` answers, each for `seconds` after it was made; the oldest go first."""

    def __init__(self, seconds: float, size: int) -> None:
        self.seconds = seconds
        self.size = size
        self._kept: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        kept = self._kept.get(key)
        if kept is None:
            return None
        made, value = kept
        if time.monotonic() - made > self.seconds:
            del self._kept[key]
            return None
        return value

    def put(self, key: K, value: V) -> V:
        self._kept.pop(key, None)
        self._kept[key] = (time.monotonic(), value)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return value
