"""No secret in anything the process prints: the bot token, its secret half, the model API key
and the webhook secret are fed through every way of failing, and stdout and stderr of the
real process are scanned for them."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.endpoint.redact import redact
from bot.redaction import Redactor
from tests.fakes.bot_api import FakeBotApi
from tests.test_run_lifecycle import BotProcess, _free_port

REPO = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijkl"
API_KEY = "sk-live-4f9c2b7e1d0a5f3c8b6e9d2a7c1f0e5b"
WEBHOOK_SECRET = "webhook-secret-Zq81xT"


def secrets(token: str = TOKEN) -> list[str]:
    return [token, token.split(":", 1)[1], API_KEY, WEBHOOK_SECRET]


def assert_nothing_secret(output: str, token: str = TOKEN) -> None:
    for secret in secrets(token):
        assert secret not in output, output[-3000:]


def with_secrets(base_url: str, token: str = TOKEN) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": base_url,
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "OPENAI_API_KEY": API_KEY,
        "DIGESTBOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "DIGESTBOT_JOBS": "none",
    }


async def cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    """`python -m bot -v ARGS`, verbose so that every request is logged; all it printed."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DIGESTBOT_"))}
    base.update({"LANG": "C.UTF-8", "PYTHONPATH": str(REPO), **env})
    base["DIGESTBOT_DB"] = str(tmp_path / "bot.sqlite3")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "-v", *args,
        cwd=tmp_path, env=base,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, (out + err).decode()


async def test_a_token_telegram_rejects_is_not_printed_by_run_or_push(tmp_path: Path):
    async with FakeBotApi("555555555:AAAnotherTokenTheServerKnowsInstead") as api:
        async with BotProcess(
            tmp_path / "bot.sqlite3", tmp_path, **with_secrets(api.base_url)
        ) as bot:
            assert await bot.ended() != 0
        assert_nothing_secret(bot.output)
        code, output = await cli(tmp_path, "push", "--json", **with_secrets(api.base_url))
    assert code != 0
    assert "Telegram rejected the token" in output
    assert_nothing_secret(output)


async def test_an_unreachable_telegram_prints_no_secret(tmp_path: Path):
    base_url = f"http://127.0.0.1:{_free_port()}/bot"
    async with BotProcess(tmp_path / "bot.sqlite3", tmp_path, **with_secrets(base_url)) as bot:
        await bot.wait_for_output("cannot reach Telegram")
        await bot.stop()
    assert_nothing_secret(bot.output)
    code, output = await cli(tmp_path, "push", **with_secrets(base_url))
    assert code == 1
    assert_nothing_secret(output)


async def test_a_handler_that_crashes_on_an_error_quoting_the_secrets_prints_none(
    tmp_path: Path,
):
    async with FakeBotApi(TOKEN) as api:
        env = with_secrets(api.base_url)
        async with BotProcess(tmp_path / "bot.sqlite3", tmp_path, **env) as bot:
            await bot.wait_for_output("polling as @")
            ada = api.user(1001)
            # An error answer that quotes the secrets reaches the error handler's traceback
            api.fail_next("sendMessage", 400, f"Bad Request: {TOKEN} {API_KEY} {WEBHOOK_SECRET}")
            api.user_says(ada, "/start")
            await bot.wait_for_output("failed")
            await api.wait_for("sendMessage")  # the apology
            await bot.stop(signal.SIGTERM)
    assert "Traceback" in bot.output  # the operator still gets the traceback...
    assert_nothing_secret(bot.output)  # ...without the secrets


async def test_a_cli_command_that_crashes_with_the_secrets_in_its_error_prints_none(
    tmp_path: Path,
):
    async with FakeBotApi(TOKEN) as api:
        # An answer push does not expect, quoting the secrets: an internal error, traceback on -v
        api.fail_next("getMe", 400, f"Bad Request: {TOKEN} {API_KEY} {WEBHOOK_SECRET}")
        code, output = await cli(tmp_path, "push", "--json", **with_secrets(api.base_url))
    assert code == 1
    assert "internal error: BadRequest" in output
    assert "Traceback" in output
    assert_nothing_secret(output)


def test_anything_shaped_like_a_token_or_a_bearer_key_is_hidden_even_if_not_configured():
    redactor = Redactor()
    text = redactor.clean(f"POST /bot{TOKEN}/getMe failed; Authorization: Bearer {API_KEY}")
    assert_nothing_secret(text)
    assert "Bearer <secret>" in text


def test_a_bearer_credential_is_hidden_in_output_as_in_a_stored_endpoint_error():
    quoted = 'upstream said: {"error": "bad header Authorization: Bearer k!3y.x"}'
    printed, stored = Redactor().clean(quoted), redact(quoted)
    assert "k!3y" not in printed
    assert "k!3y" not in stored
    assert "Bearer <secret>" in printed
    assert "Bearer [redacted]" in stored
