"""The summaries' model: `POST {base}/chat/completions` asking for a JSON object, through the
shared exchange with an OpenAI-compatible endpoint (see `bot.endpoint.exchange`: at most
`concurrency` requests in flight, deadlines, retries with jitter on 429 and 5xx, caps).

What is the summaries' own: the first choice's text is the answer, its reported usage is
checked (see `usage`), and an answer past the cap is refused as a bad answer, its tokens
estimated, rather than counted among the endpoint's failures.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.endpoint.exchange import (
    BACKOFF_BASE,
    MAX_ATTEMPTS,
    AnswerTooLarge,
    Endpoint,
    EndpointError,
)
from bot.summarize.usage import TokenCounter, estimate

# A completion with two short summaries is a few KB; past this it is not one.
MAX_ANSWER_BYTES = 256 * 1024
_MAX_DEPTH = 32


class ChatError(Exception):
    """The endpoint gave no usable answer; the message is the reason kept in the ledger."""

    def __init__(self, reason: str, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
        super().__init__(reason)
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens


class AnswerRefused(ChatError):
    """The answer is larger than any summary: rejected like a bad answer, not asked again soon.

    An answer the endpoint garbles (not JSON, no choices) is a ChatError: the endpoint's
    failure, asked again next run, and counted among the failures in a row that end a run.
    """


@dataclass(frozen=True, slots=True)
class Completion:
    content: str | None
    prompt_tokens: int
    completion_tokens: int


def _content(body: object) -> str | None:
    """The first choice's text."""
    if not isinstance(body, dict):
        raise ChatError("the endpoint's answer is not a JSON object")
    try:
        content = body["choices"][0]["message"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ChatError("the endpoint's answer has no choices") from None
    if content is not None and not isinstance(content, str):
        raise ChatError("the endpoint's answer has no text")
    return content


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
        self._tokens = TokenCounter()
        self._endpoint = Endpoint(
            base_url,
            api_key=api_key,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            concurrency=concurrency,
            name="summary request",
        )

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._endpoint.aclose()

    async def complete(self, messages: list[dict[str, str]]) -> Completion:
        """One chat completion asking for a JSON object, retried while retrying may help."""
        payload = {
            "model": self.model,
            "messages": messages,
            "response_format": {"type": "json_object"},
            "temperature": 0.2,
        }
        prompt = "".join(message["content"] for message in messages)
        try:
            parsed = await self._endpoint.post(
                "chat/completions", payload, cap=MAX_ANSWER_BYTES, max_depth=_MAX_DEPTH
            )
        except AnswerTooLarge as exc:
            # The prompt was paid for, and an answer past the cap at least the cap: estimates.
            raise AnswerRefused(str(exc), estimate(prompt), MAX_ANSWER_BYTES // 3) from None
        except EndpointError as exc:
            raise ChatError(str(exc)) from None
        content = _content(parsed)
        prompt_tokens, completion_tokens = self._tokens.count(parsed, prompt, content or "")
        return Completion(content, prompt_tokens, completion_tokens)
