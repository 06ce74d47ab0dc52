"""An endpoint's error text made fit to store as a failure's reason and to log: the client's
own secrets, bearer and `sk-` tokens, URL passwords and `key=value` credentials masked, line
breaks and terminal escapes gone, the length bounded.

An endpoint's error body may echo the request's Authorization header; a URL may carry a
password. What a bearer credential looks like is bot/redaction.py's, which also keeps every
configured secret out of whatever the process prints (logs, tracebacks, CLI failure lines).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.redaction import BEARER, CREDENTIAL

REDACTED = "[redacted]"
_SECRETS = re.compile(
    rf"{BEARER}{CREDENTIAL}"
    rf"|\bsk-[A-Za-z0-9_\-]{{6,}}"
    rf"|(?<=://)[^\s/@:]+:[^\s/@]+(?=@)"  # user:password@ in a URL
    rf"|(?i:\b(?:api[_-]?key|access[_-]?token|token|secret|password)\"?\s*[:=]\s*\"?){CREDENTIAL}"
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
