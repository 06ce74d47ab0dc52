"""HTTP to an OpenAI-compatible endpoint: `POST {base}/chat/completions`, bounded and retried.

At most `concurrency` requests are in flight. A 429 (after its Retry-After seconds), a 5xx,
a timeout or a network error is retried with exponential backoff and jitter, a few times;
any other answer is returned or raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_BASE = 1.0  # seconds before the first retry; doubled for each further one
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0  # a server asking for longer than this is treated as failing


class ChatError(Exception):
    """The endpoint gave no usable answer; the message is the reason kept in the ledger."""

    def __init__(self, reason: str, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
        super().__init__(reason)
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens


@dataclass(frozen=True, slots=True)
class Completion:
    content: str | None
    prompt_tokens: int
    completion_tokens: int


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (the only form model endpoints send); None when absent."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _usage(body: dict) -> tuple[int, int]:
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    prompt, completion = usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)
    return (
        prompt if isinstance(prompt, int) else 0,
        completion if isinstance(completion, int) else 0,
    )


def _completion(response: httpx.Response) -> Completion:
    """The first choice's text and the token usage of a 200 answer."""
    try:
        body = response.json()
    except ValueError:
        raise ChatError("the endpoint's answer is not JSON") from None
    if not isinstance(body, dict):
        raise ChatError("the endpoint's answer is not a JSON object")
    prompt, completion = _usage(body)
    try:
        content = body["choices"][0]["message"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ChatError("the endpoint's answer has no choices", prompt, completion) from None
    if content is not None and not isinstance(content, str):
        raise ChatError("the endpoint's answer has no text", prompt, completion)
    return Completion(content, prompt, completion)


class ChatClient:
    """One model behind one endpoint; `async with ChatClient(…) as client:`."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        concurrency: int = 4,
        timeout: float = 60.0,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base: float = BACKOFF_BASE,
    ) -> None:
        self.model = model
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self._slots = asyncio.Semaphore(concurrency)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def complete(self, messages: list[dict[str, str]]) -> Completion:
        """One chat completion asking for a JSON object, retried while retrying may help."""
        payload = {
            "model": self.model,
            "messages": messages,
            "response_format": {"type": "json_object"},
            "temperature": 0.2,
        }
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self._slots:
                    return await self._post(payload)
            except _Retry as retry:
                if attempt == self.max_attempts:
                    raise ChatError(f"{retry} (after {attempt} attempts)") from None
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                log.info("summary request: %s; retrying in %.2f s", retry, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential with full jitter, so that parallel requests do not retry in step."""
        return random.uniform(0, min(BACKOFF_CAP, self.backoff_base * 2 ** (attempt - 1)))

    async def _post(self, payload: dict) -> Completion:
        try:
            response = await self._http.post("chat/completions", json=payload)
        except httpx.TimeoutException:
            raise _Retry("timed out") from None
        except httpx.TransportError as exc:
            raise _Retry(f"network error: {type(exc).__name__}") from None
        if response.status_code == 429:
            wait = _retry_after(response)
            if wait is not None and wait > RETRY_AFTER_CAP:
                raise ChatError(f"rate limited for {wait:.0f} s")
            raise _Retry("HTTP 429", wait)
        if response.status_code >= 500:
            raise _Retry(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise ChatError(f"HTTP {response.status_code}: {response.text[:200]}")
        return _completion(response)
