"""Secrets kept out of what is stored or logged: the API key, bearer and `sk-` tokens.

An endpoint's error body may echo the request's Authorization header; a URL may carry a
password. Text from outside also loses its line breaks and terminal escapes, so that one
log line stays one line, and is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"
_TOKEN = r"[^\s\"'`,;&<>]+"
_SECRETS = re.compile(
    rf"(?i:\bbearer\s+){_TOKEN}"
    rf"|\bsk-[A-Za-z0-9_\-]{{6,}}"
    rf"|(?<=://)[^\s/@:]+:[^\s/@]+(?=@)"  # user:password@ in a URL
    rf"|(?i:\b(?:api[_-]?key|access[_-]?token|token|secret|password)\"?\s*[:=]\s*\"?){_TOKEN}"
)
_KEEP_NAME = re.compile(r"(?i)^(bearer\s+|[a-z_\-]+\"?\s*[:=]\s*\"?)")
_UNPRINTABLE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _masked(match: re.Match[str]) -> str:
    name = _KEEP_NAME.match(match.group())
    return f"{name.group() if name else ''}{REDACTED}"


def redact(text: str, secrets: Iterable[str | None] = (), *, limit: int = 300) -> str:
    """The text on one line, at most `limit` characters, without the secrets or token patterns."""
    text = _UNPRINTABLE.sub(" ", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
            # Some servers echo a key without its "sk-" prefix.
            if secret.startswith("sk-") and len(secret) >= 11:
                text = text.replace(secret[3:], REDACTED)
    text = " ".join(_SECRETS.sub(_masked, text).split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
