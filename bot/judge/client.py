"""The LLM judge: one chat completion per answer through the official ``openai`` client.

``LLMJudge.judgement(question, text, lang)`` returns a ``Judgement`` or raises ``JudgeFailure``
(with a short reason for the log). On the way it

* serves a judgement made before from the SQLite cache (``bot.judge.cache``), and shares one call
  between identical answers being judged at the same moment;
* takes one call from the daily budget before every request (retries included);
* keeps at most ``concurrency`` requests in flight and spaces them evenly at
  ``requests_per_minute`` (an ``aiolimiter`` bucket of size one: no bursts, so a provider counting
  over any 60-second window never sees more than the limit);
* retries 429 and 5xx answers and refused connections, waiting what ``Retry-After`` (or
  ``retry-after-ms``) says, else an exponential backoff; a wait longer than ``MAX_RETRY_WAIT`` or
  a timeout ends the attempt, since the answer has its local grade to fall back on.

The SDK's own retries are off (``max_retries=0``): they would neither count against the budget nor
respect the limiter. ``sleep`` and ``clock`` are injectable so that tests control time.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable

import openai
from aiolimiter import AsyncLimiter

from bot.config import Settings
from bot.judge.cache import JudgeCache, Judgement, answer_hash, question_hash
from bot.judge.prompt import ReplyError, messages, parse, points_of
from bot.model import Question

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_FIRST = 1.0  # seconds before the first retry without Retry-After; doubles each time
MAX_RETRY_WAIT = 60.0  # a longer Retry-After gives up: the reveal will not wait that long anyway
MAX_TOKENS = 400  # the reply is a small JSON object


class JudgeFailure(Exception):
    """The judge could not judge this answer; ``reason`` is one of timeout, budget, status, reply,
    connection."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}")


def retry_after(exc: openai.APIStatusError, now: float) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, ``Retry-After`` as seconds or as an
    HTTP date), or None."""
    headers = exc.response.headers
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - now)
    except (TypeError, ValueError, OverflowError):
        return None


class LLMJudge:
    def __init__(self, settings: Settings, cache: JudgeCache | None, *, client: openai.AsyncOpenAI | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.time, rng: random.Random | None = None) -> None:
        if not settings.llm_enabled:
            raise ValueError("no LLM judge configured (QUIZBOT_LLM_BASE_URL and QUIZBOT_LLM_MODEL)")
        self.model = str(settings.llm_model)
        self.name = f"llm:{self.model}"
        self.budget = settings.llm_daily_budget
        self.timeout = settings.llm_timeout
        self.cache = cache
        self.client = client or openai.AsyncOpenAI(
            base_url=settings.llm_base_url, api_key=settings.llm_api_key or "not-needed",
            max_retries=0, timeout=settings.llm_timeout)
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.semaphore = asyncio.Semaphore(settings.llm_concurrency)
        self.limiter = AsyncLimiter(1, 60.0 / settings.llm_requests_per_minute)
        self._inflight: dict[tuple[str, str], asyncio.Future[Judgement]] = {}
        self.calls = 0  # requests sent by this process (for the benchmark and the log)

    async def close(self) -> None:
        await self.client.close()

    async def judgement(self, question: Question, text: str, lang: str) -> Judgement:
        if not points_of(question):
            raise JudgeFailure("reply", f"{question.id} has no key points to judge")
        a_hash, q_hash = answer_hash(text), question_hash(question, lang)
        if self.cache is not None:
            cached = await self.cache.get(question.id, self.model, a_hash, q_hash)
            if cached is not None:
                return cached
        key = (question.id, a_hash)
        shared = self._inflight.get(key)
        if shared is not None:  # the same answer is being judged right now: wait for that call
            return await asyncio.shield(shared)
        future: asyncio.Future[Judgement] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await self._call(question, text, lang)
            if self.cache is not None:
                await self.cache.put(question.id, self.model, a_hash, q_hash, result, self.clock())
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else waiting is not an error
            raise
        finally:
            self._inflight.pop(key, None)

    async def _call(self, question: Question, text: str, lang: str) -> Judgement:
        n_points = len(points_of(question))
        request = messages(question, text, lang)
        delay = BACKOFF_FIRST
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if self.cache is not None and not await self.cache.take_call(self.clock(), self.budget):
                raise JudgeFailure("budget", f"the daily budget of {self.budget} calls is used up")
            async with self.semaphore:
                await self.limiter.acquire()
                self.calls += 1
                try:
                    response = await self.client.chat.completions.create(  # type: ignore[call-overload]
                        model=self.model, messages=request,
                        temperature=0, response_format={"type": "json_object"}, max_tokens=MAX_TOKENS,
                        timeout=self.timeout)
                except openai.APITimeoutError:
                    raise JudgeFailure("timeout", f"no reply within {self.timeout:g} s") from None
                except openai.APIStatusError as exc:
                    status = exc.status_code
                    if status != 429 and status < 500 or attempt == MAX_ATTEMPTS:
                        raise JudgeFailure("status", f"HTTP {status} after {attempt} attempt(s)") from None
                    wait = retry_after(exc, self.clock())
                    if wait is None:
                        wait = delay * (1 + self.rng.random() / 4)
                    if wait > MAX_RETRY_WAIT:
                        raise JudgeFailure("status", f"HTTP {status}, asked to wait {wait:.0f} s") from None
                    log.info("judge: HTTP %s, retrying in %.1f s (attempt %d)", status, wait, attempt)
                except openai.APIConnectionError as exc:
                    if attempt == MAX_ATTEMPTS:
                        raise JudgeFailure("connection", str(exc)) from None
                    wait = delay * (1 + self.rng.random() / 4)
                    log.info("judge: %s, retrying in %.1f s (attempt %d)", exc, wait, attempt)
                else:
                    content = response.choices[0].message.content if response.choices else None
                    try:
                        score, verdicts, feedback = parse(content, n_points)
                    except ReplyError as exc:
                        raise JudgeFailure("reply", str(exc)) from None
                    return Judgement(score, verdicts, feedback)
            await self.sleep(wait)  # outside the semaphore: a waiting retry holds no request slot
            delay *= 2
        raise JudgeFailure("status", "no attempt left")  # not reached: the last attempt raises
