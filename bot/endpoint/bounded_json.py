"""JSON from an endpoint we do not trust: bounded in size and nesting, finite numbers only.

Python's `json.loads` accepts NaN and Infinity, turns 1e400 into infinity, refuses integers
past 4,300 digits with ValueError and nests until RecursionError. `loads` here either returns
the value or raises `UnreadableJSON` saying why, whatever the text.
"""

from __future__ import annotations

import json
import math
import re

# Strings are skipped whole, so a bracket inside one does not count; possessive, and an
# unterminated string runs to the end, so that no text makes the scan backtrack.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)


class UnreadableJSON(ValueError):
    """The text is not JSON this program will read; the message says why."""


def _non_finite(token: str) -> float:
    raise UnreadableJSON(f"{token} is not a finite number")


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise UnreadableJSON(f"{token[:20]} is not a finite number")
    return value


def depth(text: str) -> int:
    """How deep arrays and objects nest in the text (strings ignored)."""
    deepest = level = 0
    for match in _TOKENS.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            level += 1
            deepest = max(deepest, level)
        elif bracket in "]}":
            level -= 1
    return deepest


def loads(text: str | bytes, *, max_chars: int, max_depth: int) -> object:
    """The value in `text`, or UnreadableJSON when it is too long, too deep or not JSON."""
    if len(text) > max_chars:
        raise UnreadableJSON(f"JSON too long ({len(text)} characters, at most {max_chars})")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableJSON("JSON not in UTF-8") from None
    # No scan needed when there are too few brackets to nest that deep.
    if text.count("[") + text.count("{") > max_depth and depth(text) > max_depth:
        raise UnreadableJSON(f"JSON nested too deep (more than {max_depth} levels)")
    try:
        return json.loads(text, parse_constant=_non_finite, parse_float=_finite_float)
    except UnreadableJSON:
        raise
    except (ValueError, RecursionError, OverflowError, MemoryError):
        raise UnreadableJSON("invalid JSON") from None
