"""Token usage as counted against the budgets: the endpoint's report when plausible, else ours.

An endpoint may report no usage (some local servers), or a count no answer can have: 10^12
tokens would spend a day's budget at once, a negative one would give budget back. A count is
plausible when it is a whole number from 1 up to what the text could hold (a token is at
least one byte) plus room for the chat template; a completion may be long with a reasoning
model's hidden tokens, but not past `COMPLETION_CEILING`. Otherwise an estimate is counted,
erring high, and a log line says so.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

TEMPLATE_TOKENS = 1024  # a chat template's own tokens, generously
COMPLETION_CEILING = 65_536  # no single answer of today's models is longer
_BYTES_PER_TOKEN = 3  # about right for Chinese, high for English: the budget errs safe


def estimate(text: str) -> int:
    """Tokens a text is counted as when the endpoint's report cannot be used."""
    return max(1, -(-len(text.encode("utf-8", "replace")) // _BYTES_PER_TOKEN))


def _plausible(value: object, ceiling: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ceiling


class TokenCounter:
    """Counts one endpoint's answers; says once that it reports no usage."""

    def __init__(self) -> None:
        self._said_missing = False

    def count(self, body: object, prompt: str, completion: str) -> tuple[int, int]:
        """(prompt, completion) tokens of one answer whose parsed body is `body`."""
        usage = body.get("usage") if isinstance(body, dict) else None
        if not isinstance(usage, dict) or not usage:
            if not self._said_missing:
                log.info("the summary endpoint reports no token usage; counting estimates")
                self._said_missing = True
            return estimate(prompt), estimate(completion)
        reported = usage.get("prompt_tokens"), usage.get("completion_tokens")
        ceilings = (
            len(prompt.encode("utf-8", "replace")) + TEMPLATE_TOKENS,
            COMPLETION_CEILING,
        )
        counted = tuple(
            value if _plausible(value, ceiling) else estimate(text)
            for value, ceiling, text in zip(reported, ceilings, (prompt, completion), strict=True)
        )
        if counted != reported:
            log.warning(
                "the summary endpoint reported implausible usage (prompt_tokens=%.20s,"
                " completion_tokens=%.20s); counting an estimate of %d and %d tokens",
                reported[0],
                reported[1],
                *counted,
            )
        return counted[0], counted[1]
