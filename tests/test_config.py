"""Settings: read once from the environment, one clear error naming a bad variable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE, DEFAULT_SOURCES, ConfigError, load

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"


def test_an_empty_environment_gives_the_documented_defaults(tmp_path: Path):
    settings = load({}, env_file=None)
    assert settings.db_path == "./data/digestbot.sqlite3"
    assert settings.api_base_url == DEFAULT_API_BASE
    assert (settings.timezone, settings.epoch) == ("Asia/Shanghai", date(2024, 1, 1))
    assert settings.sources == DEFAULT_SOURCES
    assert settings.bot_token is None
    assert settings.admins == frozenset()


def test_every_contract_variable_is_read():
    settings = load(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "DIGESTBOT_DB": "/data/x.sqlite3",
            "DIGESTBOT_ADMINS": "1, 22,333",
            "DIGESTBOT_TIMEZONE": "Europe/Berlin",
            "DIGESTBOT_EPOCH": "2024-06-03",
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "OPENAI_API_KEY": "sk-test",
            "DIGESTBOT_SUMMARY_MODEL": "qwen2.5",
        },
        env_file=None,
    )
    assert settings.require_token() == TOKEN
    assert settings.admins == frozenset({1, 22, 333})
    assert (settings.timezone, settings.epoch) == ("Europe/Berlin", date(2024, 6, 3))
    assert settings.summary_model == "qwen2.5"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN is malformed"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL"),
        ("DIGESTBOT_ADMINS", "1,alice", "DIGESTBOT_ADMINS: 'alice'"),
        ("DIGESTBOT_TIMEZONE", "Mars/Olympus", "DIGESTBOT_TIMEZONE: 'Mars/Olympus'"),
        ("DIGESTBOT_EPOCH", "2024-01-02", "DIGESTBOT_EPOCH: 2024-01-02 is a Tuesday"),
        ("DIGESTBOT_EPOCH", "soon", "DIGESTBOT_EPOCH: 'soon' is not a date"),
        ("DIGESTBOT_TOPICS", "/no/such/topics.toml", "DIGESTBOT_TOPICS"),
        ("OPENAI_BASE_URL", "localhost:8000", "OPENAI_BASE_URL"),
        ("DIGESTBOT_WEBHOOK_URL", "http://bot.example.org/hook", "DIGESTBOT_WEBHOOK_URL"),
        ("DIGESTBOT_WEBHOOK_URL", "https://", "DIGESTBOT_WEBHOOK_URL"),
        ("DIGESTBOT_WEBHOOK_LISTEN", "everywhere", "DIGESTBOT_WEBHOOK_LISTEN: 'everywhere'"),
        ("DIGESTBOT_WEBHOOK_PORT", "0", "DIGESTBOT_WEBHOOK_PORT: '0'"),
        ("DIGESTBOT_WEBHOOK_PORT", "65536", "DIGESTBOT_WEBHOOK_PORT"),
        ("DIGESTBOT_WEBHOOK_PORT", "-1", "DIGESTBOT_WEBHOOK_PORT"),
        ("DIGESTBOT_WEBHOOK_SECRET", "with space", "DIGESTBOT_WEBHOOK_SECRET"),
        ("DIGESTBOT_WEBHOOK_SECRET", "x" * 257, "DIGESTBOT_WEBHOOK_SECRET"),
        ("DIGESTBOT_WEBHOOK_SECRET", "pässword", "DIGESTBOT_WEBHOOK_SECRET"),
        ("DIGESTBOT_MAX_SENDS_PER_SECOND", "0", "DIGESTBOT_MAX_SENDS_PER_SECOND: '0'"),
        ("DIGESTBOT_MAX_SENDS_PER_SECOND", "1001", "DIGESTBOT_MAX_SENDS_PER_SECOND"),
        ("DIGESTBOT_MAX_SENDS_PER_SECOND", "fast", "DIGESTBOT_MAX_SENDS_PER_SECOND"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(name: str, value: str, message: str):
    with pytest.raises(ConfigError) as caught:
        load({name: value}, env_file=None)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_token_never_appears_in_the_settings_repr_nor_in_its_error():
    assert TOKEN not in repr(load({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None))
    with pytest.raises(ConfigError) as caught:
        load({"TELEGRAM_BOT_TOKEN": TOKEN + "!"}, env_file=None)
    assert TOKEN not in str(caught.value)


def test_a_missing_token_is_named_when_a_command_needs_it():
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        load({}, env_file=None).require_token()


def test_a_dotenv_file_fills_in_what_the_environment_lacks(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text('export DIGESTBOT_DB="/from/file.sqlite3"\nDIGESTBOT_TIMEZONE=UTC\n')
    settings = load({"DIGESTBOT_TIMEZONE": "Europe/Paris"}, env_file=env_file)
    assert (settings.db_path, settings.timezone) == ("/from/file.sqlite3", "Europe/Paris")


def test_summary_limits_have_defaults_and_are_read():
    assert load({}, env_file=None).summary.concurrency == 4
    limits = load(
        {"DIGESTBOT_SUMMARY_CONCURRENCY": "8", "DIGESTBOT_SUMMARY_TIMEOUT": "2.5"}, env_file=None
    ).summary
    assert (limits.concurrency, limits.timeout) == (8, 2.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DIGESTBOT_SUMMARY_CONCURRENCY", "0"),
        ("DIGESTBOT_SUMMARY_CONCURRENCY", "four"),
        ("DIGESTBOT_SUMMARY_TIMEOUT", "-1"),
        ("DIGESTBOT_SUMMARY_RUN_PAPERS", "1.5"),
        ("DIGESTBOT_SUMMARY_RUN_TOKENS", "lots"),
        ("DIGESTBOT_SUMMARY_DAILY_PAPERS", "-3"),
        ("DIGESTBOT_SUMMARY_DAILY_TOKENS", "1e6"),
    ],
)
def test_a_bad_summary_limit_is_one_line_naming_it(name: str, value: str):
    with pytest.raises(ConfigError, match=f"^{name}: ") as error:
        load({name: value}, env_file=None)
    assert "\n" not in str(error.value)


def test_webhook_mode_is_off_by_default_and_read_when_set():
    default = load({}, env_file=None)
    assert default.webhook_url is None
    assert (default.webhook_listen, default.webhook_port) == ("0.0.0.0", 8443)
    settings = load(
        {
            "DIGESTBOT_WEBHOOK_URL": "https://bot.example.org/telegram",
            "DIGESTBOT_WEBHOOK_LISTEN": "127.0.0.1",
            "DIGESTBOT_WEBHOOK_PORT": "8080",
            "DIGESTBOT_WEBHOOK_SECRET": "s3cret_-" + "x" * 248,
        },
        env_file=None,
    )
    assert settings.webhook_url == "https://bot.example.org/telegram"
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 8080)
    assert len(settings.webhook_secret) == 256


def test_the_webhook_secret_never_appears_in_the_settings_repr_nor_in_its_error():
    secret = "a-very-secret-value"
    assert secret not in repr(load({"DIGESTBOT_WEBHOOK_SECRET": secret}, env_file=None))
    with pytest.raises(ConfigError) as caught:
        load({"DIGESTBOT_WEBHOOK_SECRET": secret + "!"}, env_file=None)
    assert secret not in str(caught.value)


def test_the_send_rate_defaults_to_telegrams_limit_for_an_ordinary_bot():
    assert load({}, env_file=None).sends_per_second == 30
    assert load({"DIGESTBOT_MAX_SENDS_PER_SECOND": "1000"}, env_file=None).sends_per_second == 1000
