"""How each environment variable's text becomes a value, and the one error line when it cannot.

bot.config builds Settings from these and reads the groups of variables (summary limits, the
embeddings endpoint) itself.
"""

from __future__ import annotations

import re
from datetime import date
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.dates import weekday_name
from bot.i18n import _, current

DEFAULT_ARXIV_INTERVAL = 3.0  # arXiv asks for one request every 3 s; shorter only for tests
DEFAULT_SOURCES = tuple(
    f"https://rss.arxiv.org/rss/{category}"
    for category in ("cs.CL", "cs.AI", "cs.LG", "cs.IR", "cs.CV", "stat.ML")
)
HF_SOURCE = "hf"  # the word among DIGESTBOT_SOURCES for Hugging Face Daily Papers
JOBS = frozenset({"ingest", "backfill", "summarize", "push"})
PLACEHOLDER_TOKEN = "123456:ABC"  # README.md's example
_TOKEN = re.compile(r"^[0-9]{5,}:[A-Za-z0-9_-]{30,}$")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"
DEFAULT_WEBHOOK_PORT = 8443
DEFAULT_SENDS_PER_SECOND = 30  # Telegram's limit for an ordinary bot; paid broadcasts allow 1000


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


def _token(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value.startswith(PLACEHOLDER_TOKEN):
        raise ConfigError(
            _(
                "TELEGRAM_BOT_TOKEN is still the example from the README (123456:ABC…):"
                " put the token @BotFather gave your bot there"
            )
        )
    if not _TOKEN.match(value):
        raise ConfigError(
            _("TELEGRAM_BOT_TOKEN is malformed: expected digits, a colon and the secret part")
        )
    return value


def _admins(value: str | None) -> frozenset[int]:
    ids = set()
    for part in (value or "").replace(" ", "").split(","):
        if not part:
            continue
        if not re.fullmatch(r"-?[0-9]+", part):
            raise ConfigError(
                _("DIGESTBOT_ADMINS: {value} is not a Telegram user id").format(value=repr(part))
            )
        ids.add(int(part))
    return frozenset(ids)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            _("DIGESTBOT_TIMEZONE: {value} is not an IANA timezone").format(value=repr(value))
        ) from None
    return value


def _epoch(value: str) -> date:
    try:
        epoch = date.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            _("DIGESTBOT_EPOCH: {value} is not a date (YYYY-MM-DD)").format(value=repr(value))
        ) from None
    if epoch.weekday() != 0:
        raise ConfigError(
            _("DIGESTBOT_EPOCH: {value} is a {weekday}, not a Monday").format(
                value=value, weekday=weekday_name(epoch.weekday(), current())
            )
        )
    return epoch


def _topics_file(value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        raise ConfigError(_("DIGESTBOT_TOPICS: {value} is not a readable file").format(value=value))
    return path


def _url(name: str, value: str | None) -> str | None:
    if not value:
        return None
    if not re.match(r"^https?://", value):
        raise ConfigError(
            _("{name}: {value} is not an http(s) URL").format(name=name, value=repr(value))
        )
    return value


def _whole_number(name: str, value: str, low: int, high: int) -> str:
    return _("{name}: {value} is not a whole number from {low} to {high}").format(
        name=name, value=repr(value), low=low, high=high
    )


def _digits(value: str) -> bool:
    """ASCII digits only: `int()` also takes other scripts' digits, `isdigit()` even '²'."""
    return value.isascii() and value.isdigit()


def _int(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if not value:
        return default
    if not _digits(value.strip()) or not low <= int(value) <= high:
        raise ConfigError(_whole_number(name, value, low, high))
    return int(value)


def _flag(name: str, value: str | None) -> bool:
    if not value:
        return False
    folded = value.strip().lower()
    if folded not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(
            _("{name}: {value} is not one of 1, 0, true, false, yes, no, on, off").format(
                name=name, value=repr(value)
            )
        )
    return folded in ("1", "true", "yes", "on")


def _jobs(value: str | None) -> frozenset[str]:
    if value is None or value.strip() == "":
        return JOBS
    if value.strip().lower() == "none":
        return frozenset()
    chosen = frozenset(part.strip().lower() for part in value.split(",") if part.strip())
    if unknown := sorted(chosen - JOBS):
        raise ConfigError(
            _(
                "DIGESTBOT_JOBS: {jobs} is not one of ingest, backfill, summarize, push, none"
            ).format(jobs=", ".join(unknown))
        )
    return chosen


def _arxiv_interval(value: str | None) -> float:
    if not value or not value.strip():
        return DEFAULT_ARXIV_INTERVAL
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", value.strip()) is None or float(value) > 60:
        raise ConfigError(
            _("{name}: {value} is not a number from {low} to {high}").format(
                name="DIGESTBOT_ARXIV_INTERVAL", value=repr(value), low=0, high=60
            )
        )
    return float(value)


def _source_words(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[\s,]+", value) if part.strip())


def _hf_daily(value: str | None) -> bool:
    """Daily Papers are read by default; a source list without the word `hf` leaves them out."""
    return not value or HF_SOURCE in (word.lower() for word in _source_words(value))


def _sources(value: str | None) -> tuple[str, ...]:
    if not value:
        return DEFAULT_SOURCES
    urls = tuple(word for word in _source_words(value) if word.lower() != HF_SOURCE)
    for url in urls:
        _url("DIGESTBOT_SOURCES", url)
    return urls


def _webhook_url(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(
            _("DIGESTBOT_WEBHOOK_URL: {value} is not a public https URL").format(value=repr(value))
        )
    return value


def _webhook_listen(value: str | None) -> str:
    if not value:
        return DEFAULT_WEBHOOK_LISTEN
    try:
        ip_address(value)
    except ValueError:
        raise ConfigError(
            _("DIGESTBOT_WEBHOOK_LISTEN: {value} is not an IP address").format(value=repr(value))
        ) from None
    return value


def _webhook_port(value: str | None) -> int:
    if not value:
        return DEFAULT_WEBHOOK_PORT
    if not _digits(value) or not 1 <= int(value) <= 65535:
        raise ConfigError(
            _("DIGESTBOT_WEBHOOK_PORT: {value} is not a port (1-65535)").format(value=repr(value))
        )
    return int(value)


def _webhook_secret(value: str | None) -> str | None:
    if not value:
        return None
    if not _WEBHOOK_SECRET.fullmatch(value):
        raise ConfigError(
            _("DIGESTBOT_WEBHOOK_SECRET: use 1-256 characters of A-Z, a-z, 0-9, _ and -")
        )
    return value


def _sends_per_second(value: str | None) -> int:
    if not value:
        return DEFAULT_SENDS_PER_SECOND
    if not _digits(value) or not 1 <= int(value) <= 1000:
        raise ConfigError(_whole_number("DIGESTBOT_MAX_SENDS_PER_SECOND", value, 1, 1000))
    return int(value)
