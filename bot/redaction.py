"""Secrets kept out of everything the process prints: log records with their tracebacks,
exceptions nobody caught, warnings, and the CLI's own failure lines.

The bot token travels in every Bot API URL and PTB quotes it in `InvalidToken`; an endpoint
may echo the API key in an error body. So the configured secrets are replaced wherever they
appear, and anything shaped like a bot token or a bearer credential is replaced as well.

This module owns what a bearer credential looks like (BEARER, CREDENTIAL). Shaping one
endpoint's error text into a bounded one-line reason to store is bot/endpoint/redact.py's,
which masks the same bearer shape with these definitions.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Iterable

from bot.config_values import PLACEHOLDER_TOKEN

HIDDEN = "<secret>"
_TOKEN_SHAPED = re.compile(r"\b[0-9]{5,}:[A-Za-z0-9_-]{30,}")
_BOT_URL = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")
BEARER = r"(?i:\bbearer\s+)"  # the scheme word before a credential, as in an Authorization header
CREDENTIAL = r"[^\s\"'`,;&<>]+"  # a credential runs to the next space, quote or separator
_BEARER = re.compile(rf"({BEARER})(?!\[){CREDENTIAL}")  # one masked as [redacted] stays so
_SECRET_VARIABLES = ("TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "DIGESTBOT_WEBHOOK_SECRET")
_SHORTEST = 8  # a shorter "secret" would blank out ordinary words


class Redactor:
    """The secrets to hide, and the text with them hidden."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str | None]) -> None:
        for value in values:
            if not value or len(value) < _SHORTEST or value.startswith(PLACEHOLDER_TOKEN):
                continue  # too short to hide without hiding words; or the README's example
            self._secrets.add(value)
            _, colon, secret_part = value.partition(":")
            if colon and len(secret_part) >= _SHORTEST:  # a bot token's secret half alone
                self._secrets.add(secret_part)
        # Any case: Telegram's error texts reach us lower-cased
        longest_first = sorted(self._secrets, key=len, reverse=True)
        if longest_first:
            alternatives = "|".join(map(re.escape, longest_first))
            self._pattern = re.compile(alternatives, re.IGNORECASE)

    def clean(self, text: str) -> str:
        text = _BOT_URL.sub("/bot" + HIDDEN, text)
        text = _TOKEN_SHAPED.sub(HIDDEN, text)
        text = _BEARER.sub(r"\g<1>" + HIDDEN, text)
        if self._pattern is not None:
            text = self._pattern.sub(HIDDEN, text)
        return text


REDACTOR = Redactor()


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then hides secrets in the whole text, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return REDACTOR.clean(super().format(record))


def hide(values: Iterable[str | None]) -> None:
    """Hide these values too (the settings' secrets, once they are read)."""
    REDACTOR.add(values)


def install() -> None:
    """Hide the secrets the environment holds, in what escapes logging as well."""
    REDACTOR.add(os.environ.get(name) for name in _SECRET_VARIABLES)
    logging.captureWarnings(True)
    sys.excepthook = _uncaught
    threading.excepthook = lambda args: _uncaught(args.exc_type, args.exc_value, args.exc_traceback)
    sys.unraisablehook = _unraisable


def _uncaught(kind: type[BaseException], value: BaseException | None, tb: object) -> None:
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(REDACTOR.clean(text))


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    error = unraisable.exc_value
    text = "".join(traceback.format_exception(error)) if error is not None else "\n"
    message = unraisable.err_msg or "Exception ignored in"
    sys.stderr.write(REDACTOR.clean(f"{message}: {unraisable.object!r}\n{text}"))
