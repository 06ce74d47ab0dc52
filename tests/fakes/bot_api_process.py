"""The fake Bot API in its own process, so a benchmark's sender keeps a core to itself.

    with FakeBotApiProcess(overall_per_second=1000) as server:
        bot = Bot(server.token, base_url=server.base_url)
        ...
        server.stats()  # {"total": …, "counts": {"sendMessage": …}, "rejected": …}

The child accepts any chat id, so a benchmark need not introduce ten thousand chats first.
Measured on a busy 2-core machine: about 3,800 sendMessage/s (HTML checked, 64 in flight,
plain aiohttp client); a PTB ``Bot`` with the default HTTPXRequest tops out near 450/s on
its own side, so with PTB the sender, not this server, sets the pace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Self

from tests.fakes.bot_api import DEFAULT_TOKEN

REPO = Path(__file__).resolve().parents[2]


class FakeBotApiProcess:
    """Start ``python -m tests.fakes.bot_api`` and read its address; stop it on exit."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        latency: float = 0.0,
        overall_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_group_per_minute: float | None = None,
        burst: float = 1.0,
    ) -> None:
        self.token = token
        self.args = ["--token", token, "--latency", str(latency), "--burst", str(burst)]
        for flag, value in (
            ("--overall-per-second", overall_per_second),
            ("--per-chat-per-second", per_chat_per_second),
            ("--per-group-per-minute", per_group_per_minute),
        ):
            if value is not None:
                self.args += [flag, str(value)]
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Self:
        command = [sys.executable, "-m", "tests.fakes.bot_api", *self.args]
        self._process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
        line = self._process.stdout.readline().strip()
        if not line.startswith("ready "):
            self.__exit__()
            raise RuntimeError(f"the fake Bot API did not start (it printed {line!r})")
        self.base_url = line.removeprefix("ready ")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=5)
            self._process.stdout.close()
            self._process = None

    @property
    def base_file_url(self) -> str:
        return self.base_url.removesuffix("/bot") + "/file/bot"

    def stats(self) -> dict:
        """Calls per method and how many were answered 429, from the running child."""
        url = self.base_url.removesuffix("/bot") + "/_fake/stats"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
