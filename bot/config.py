"""Settings, read once from the environment (and an optional .env), failing with the key's name."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.dates import weekday_name
from bot.i18n import _, current

DEFAULT_API_BASE = "https://api.telegram.org/bot"
DEFAULT_DB = "./data/digestbot.sqlite3"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_EPOCH = date(2024, 1, 1)
DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
DEFAULT_ARXIV_INTERVAL = 3.0  # arXiv asks for one request every 3 s; shorter only for tests
DEFAULT_SOURCES = tuple(
    f"https://rss.arxiv.org/rss/{category}"
    for category in ("cs.CL", "cs.AI", "cs.LG", "cs.IR", "cs.CV", "stat.ML")
)
HF_SOURCE = "hf"  # the word among DIGESTBOT_SOURCES for Hugging Face Daily Papers
DEFAULT_HF_API = "https://huggingface.co/api"
DEFAULT_ISSUE_SIZE = 10
JOBS = frozenset({"ingest", "backfill", "summarize", "push"})
PLACEHOLDER_TOKEN = "123456:ABC"  # README.md's example
_TOKEN = re.compile(r"^[0-9]{5,}:[A-Za-z0-9_-]{30,}$")
DEFAULT_SUMMARY_MODEL = "gpt-4o-mini"
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"
DEFAULT_WEBHOOK_PORT = 8443
DEFAULT_SENDS_PER_SECOND = 30  # Telegram's limit for an ordinary bot; paid broadcasts allow 1000
DEFAULT_EMBEDDINGS_BUDGET = 2_000  # papers a run embeds: a busy day's announcements, twice
# The cosine below which a paper is not "near": bge-m3 and e5 give unrelated text 0.3–0.45.
DEFAULT_EMBEDDINGS_MIN_SCORE = 0.5


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


@dataclass(frozen=True, slots=True)
class SummaryLimits:
    """How hard and how far the summarizer may use its endpoint."""

    concurrency: int = 4
    timeout: float = 60.0  # seconds for one attempt's whole answer, its last byte included
    run_papers: int = 200
    run_tokens: int = 400_000
    daily_papers: int = 500
    daily_tokens: int = 1_000_000


# Variable -> (field, lowest, highest); each is a whole number but the timeout.
_SUMMARY_LIMITS = {
    "DIGESTBOT_SUMMARY_CONCURRENCY": ("concurrency", 1, 64),
    "DIGESTBOT_SUMMARY_TIMEOUT": ("timeout", 1, 600),
    "DIGESTBOT_SUMMARY_RUN_PAPERS": ("run_papers", 0, 1_000_000),
    "DIGESTBOT_SUMMARY_RUN_TOKENS": ("run_tokens", 0, 10**10),
    "DIGESTBOT_SUMMARY_DAILY_PAPERS": ("daily_papers", 0, 1_000_000),
    "DIGESTBOT_SUMMARY_DAILY_TOKENS": ("daily_tokens", 0, 10**10),
}


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: str = DEFAULT_DB
    bot_token: str | None = field(default=None, repr=False)
    api_base_url: str = DEFAULT_API_BASE
    admins: frozenset[int] = frozenset()
    timezone: str = DEFAULT_TIMEZONE
    epoch: date = DEFAULT_EPOCH
    topics_file: Path | None = None
    sources: tuple[str, ...] = DEFAULT_SOURCES
    arxiv_api_url: str = DEFAULT_ARXIV_API
    arxiv_interval: float = DEFAULT_ARXIV_INTERVAL  # seconds between API requests
    hf_daily: bool = True  # Hugging Face Daily Papers read after the feeds
    hf_api_url: str = DEFAULT_HF_API
    openai_base_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    summary_model: str | None = None
    issue_size: int = DEFAULT_ISSUE_SIZE
    paid_broadcast: bool = False
    jobs: frozenset[str] = JOBS
    summary: SummaryLimits = field(default_factory=SummaryLimits)
    webhook_url: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_secret: str | None = field(default=None, repr=False)
    sends_per_second: int = DEFAULT_SENDS_PER_SECOND
    embeddings_model: str | None = None
    embeddings_base_url: str | None = None  # its own, else the summaries' OPENAI_BASE_URL
    embeddings_api_key: str | None = field(default=None, repr=False)
    embeddings_budget: int = DEFAULT_EMBEDDINGS_BUDGET
    embeddings_min_score: float = DEFAULT_EMBEDDINGS_MIN_SCORE

    def require_token(self) -> str:
        """The bot token, for the subcommands that talk to Telegram."""
        if not self.bot_token:
            raise ConfigError(_("TELEGRAM_BOT_TOKEN is not set: the bot cannot talk to Telegram"))
        return self.bot_token


def file_url(api_base_url: str) -> str:
    """The file download base beside a Bot API base (`…/bot` → `…/file/bot`)."""
    head, _, _ = api_base_url.rstrip("/").rpartition("/")
    return f"{head}/file/bot"


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


def _summary_limits(get: Callable[[str], str | None]) -> SummaryLimits:
    values: dict[str, float] = {}
    for name, (attr, low, high) in _SUMMARY_LIMITS.items():
        raw = (get(name) or "").strip()
        if not raw:
            continue
        number = re.fullmatch(r"[0-9]+(\.[0-9]+)?" if attr == "timeout" else r"[0-9]+", raw)
        if number is None or not low <= float(raw) <= high:
            raise ConfigError(
                _("{name}: {value} is not a number from {low} to {high}").format(
                    name=name, value=repr(raw), low=low, high=high
                )
            )
        values[attr] = float(raw) if attr == "timeout" else int(raw)
    return SummaryLimits(**values)


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


def _embeddings(get: Callable[[str], str | None]) -> dict[str, object]:
    """The embeddings endpoint: its own base URL and key, else the summaries' (their key is
    never sent to a base URL of the embeddings' own)."""
    model = (get("DIGESTBOT_EMBEDDINGS_MODEL") or "").strip() or None
    own = _url("DIGESTBOT_EMBEDDINGS_BASE_URL", get("DIGESTBOT_EMBEDDINGS_BASE_URL"))
    base = own or _url("OPENAI_BASE_URL", get("OPENAI_BASE_URL"))
    key = get("DIGESTBOT_EMBEDDINGS_API_KEY") or (None if own else get("OPENAI_API_KEY")) or None
    if own and not model:
        raise ConfigError(
            _("DIGESTBOT_EMBEDDINGS_BASE_URL is set but DIGESTBOT_EMBEDDINGS_MODEL is not")
        )
    if model and not base:
        raise ConfigError(
            _(
                "DIGESTBOT_EMBEDDINGS_MODEL is set but there is no endpoint:"
                " set DIGESTBOT_EMBEDDINGS_BASE_URL or OPENAI_BASE_URL"
            )
        )
    budget = _int(
        "DIGESTBOT_EMBEDDINGS_BUDGET",
        get("DIGESTBOT_EMBEDDINGS_BUDGET"),
        DEFAULT_EMBEDDINGS_BUDGET,
        0,
        1_000_000,
    )
    raw = (get("DIGESTBOT_EMBEDDINGS_MIN_SCORE") or "").strip()
    if raw and (re.fullmatch(r"[01]|[01]?\.[0-9]+", raw) is None or float(raw) > 1):
        raise ConfigError(
            _("{name}: {value} is not a number from {low} to {high}").format(
                name="DIGESTBOT_EMBEDDINGS_MIN_SCORE", value=repr(raw), low=0, high=1
            )
        )
    return {
        "embeddings_min_score": float(raw) if raw else DEFAULT_EMBEDDINGS_MIN_SCORE,
        "embeddings_model": model,
        "embeddings_base_url": base if model else None,
        "embeddings_api_key": key if model else None,
        "embeddings_budget": budget,
    }


def load(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Settings from the environment; a .env file fills in what the environment lacks."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    get = values.get
    return Settings(
        db_path=get("DIGESTBOT_DB") or DEFAULT_DB,
        bot_token=_token(get("TELEGRAM_BOT_TOKEN")),
        api_base_url=_url("TELEGRAM_API_BASE_URL", get("TELEGRAM_API_BASE_URL"))
        or DEFAULT_API_BASE,
        admins=_admins(get("DIGESTBOT_ADMINS")),
        timezone=_timezone(get("DIGESTBOT_TIMEZONE") or DEFAULT_TIMEZONE),
        epoch=_epoch(get("DIGESTBOT_EPOCH") or DEFAULT_EPOCH.isoformat()),
        topics_file=_topics_file(get("DIGESTBOT_TOPICS")),
        sources=_sources(get("DIGESTBOT_SOURCES")),
        arxiv_api_url=_url("DIGESTBOT_ARXIV_API", get("DIGESTBOT_ARXIV_API")) or DEFAULT_ARXIV_API,
        arxiv_interval=_arxiv_interval(get("DIGESTBOT_ARXIV_INTERVAL")),
        hf_daily=_hf_daily(get("DIGESTBOT_SOURCES")),
        hf_api_url=_url("DIGESTBOT_HF_API", get("DIGESTBOT_HF_API")) or DEFAULT_HF_API,
        openai_base_url=_url("OPENAI_BASE_URL", get("OPENAI_BASE_URL")),
        openai_api_key=get("OPENAI_API_KEY") or None,
        summary_model=get("DIGESTBOT_SUMMARY_MODEL") or None,
        issue_size=_int(
            "DIGESTBOT_ISSUE_SIZE", get("DIGESTBOT_ISSUE_SIZE"), DEFAULT_ISSUE_SIZE, 1, 50
        ),
        paid_broadcast=_flag("DIGESTBOT_PAID_BROADCAST", get("DIGESTBOT_PAID_BROADCAST")),
        jobs=_jobs(get("DIGESTBOT_JOBS")),
        summary=_summary_limits(get),
        webhook_url=_webhook_url(get("DIGESTBOT_WEBHOOK_URL")),
        webhook_listen=_webhook_listen(get("DIGESTBOT_WEBHOOK_LISTEN")),
        webhook_port=_webhook_port(get("DIGESTBOT_WEBHOOK_PORT")),
        webhook_secret=_webhook_secret(get("DIGESTBOT_WEBHOOK_SECRET")),
        sends_per_second=_sends_per_second(get("DIGESTBOT_MAX_SENDS_PER_SECOND")),
        **_embeddings(get),
    )
