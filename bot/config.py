"""Settings, read once from the environment (and an optional .env), failing with the key's name.

How one variable's text becomes a value is bot.config_values; the groups of variables that make
one part of the settings (summary limits, the embeddings endpoint) are read here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dotenv import dotenv_values

from bot.config_values import (
    DEFAULT_ARXIV_INTERVAL,
    DEFAULT_SENDS_PER_SECOND,
    DEFAULT_SOURCES,
    DEFAULT_WEBHOOK_LISTEN,
    DEFAULT_WEBHOOK_PORT,
    JOBS,
    ConfigError,
    _admins,
    _arxiv_interval,
    _epoch,
    _flag,
    _hf_daily,
    _int,
    _jobs,
    _sends_per_second,
    _sources,
    _timezone,
    _token,
    _topics_file,
    _url,
    _webhook_listen,
    _webhook_port,
    _webhook_secret,
    _webhook_url,
)
from bot.i18n import _

DEFAULT_API_BASE = "https://api.telegram.org/bot"
DEFAULT_DB = "./data/digestbot.sqlite3"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_EPOCH = date(2024, 1, 1)
DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
DEFAULT_HF_API = "https://huggingface.co/api"
DEFAULT_ISSUE_SIZE = 10
DEFAULT_SUMMARY_MODEL = "gpt-4o-mini"
DEFAULT_EMBEDDINGS_BUDGET = 2_000  # papers a run embeds: a busy day's announcements, twice
# The cosine below which a paper is not "near": bge-m3 and e5 give unrelated text 0.3–0.45.
DEFAULT_EMBEDDINGS_MIN_SCORE = 0.5


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
