"""Unit tests of the flood limiter: per-chat spacing, group buckets, bounded RetryAfter retries.

Waits are observed through the injected ``sleep`` (it records what was asked and waits only 10 ms),
so the tests are deterministic and fast.
"""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import BadRequest, RetryAfter
from tg_support import SleepRecorder

from adapters.telegram.limiter import FloodLimiter

# RetryAfter's own constructor reads its deprecated int attribute; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class Api:
    """A stand-in for PTB's request callback: fails with the queued errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": self.calls}


async def request(limiter: FloodLimiter, api: Api, endpoint: str = "sendMessage", chat: int | None = 5):
    data = {"chat_id": chat} if chat is not None else {}
    return await limiter.process_request(api, (), {}, endpoint, data, None)


async def test_messages_to_one_chat_are_spaced():
    sleeps = SleepRecorder()
    limiter = FloodLimiter(chat_interval=1.0, sleep=sleeps)
    api = Api()
    for _ in range(3):
        await request(limiter, api)
    assert api.calls == 3
    assert len(sleeps.requested) == 2 and all(0.9 < s <= 1.0 for s in sleeps.requested)


async def test_different_chats_do_not_wait_for_each_other():
    sleeps = SleepRecorder()
    limiter = FloodLimiter(chat_interval=1.0, sleep=sleeps)
    api = Api()
    await asyncio.gather(*(request(limiter, api, chat=c) for c in (1, 2, 3, -100, -200)))
    assert api.calls == 5 and sleeps.requested == []


async def test_reactions_and_lookups_are_not_messages():
    sleeps = SleepRecorder()
    limiter = FloodLimiter(chat_interval=1.0, sleep=sleeps)
    api = Api()
    for endpoint in ("setMessageReaction", "setMessageReaction", "getChatMember", "answerCallbackQuery"):
        await request(limiter, api, endpoint)
    assert api.calls == 4 and sleeps.requested == []


async def test_groups_get_a_per_minute_bucket_private_chats_do_not():
    limiter = FloodLimiter(group_rate=2, group_period=60, chat_interval=0)
    api = Api()
    await request(limiter, api, chat=-100)
    await request(limiter, api, chat=-100)
    bucket = limiter._group_bucket("-100")
    assert bucket is not None and not bucket.has_capacity()  # a third message would wait ~30 s
    assert limiter._group_bucket("42") is None


def test_defaults_match_telegram_limits():
    limiter = FloodLimiter()
    assert limiter.overall.max_rate == 30 and limiter.overall.time_period == 1
    assert (limiter.group_rate, limiter.group_period, limiter.chat_interval) == (20, 60, 1.0)
    assert limiter.max_retries == 3


async def test_retry_after_waits_then_retries_the_same_request():
    sleeps = SleepRecorder()
    limiter = FloodLimiter(chat_interval=0, sleep=sleeps)
    api = Api(RetryAfter(3), RetryAfter(2))
    assert await request(limiter, api) == {"ok": 3}
    assert api.calls == 3
    assert [round(s) for s in sleeps.requested] == [3, 2]


async def test_retry_after_pauses_only_that_chat():
    sleeps = SleepRecorder()
    limiter = FloodLimiter(chat_interval=0, sleep=sleeps)
    limiter.pause_chat("5", 30)
    await request(limiter, Api(), chat=6)
    assert sleeps.requested == []
    await request(limiter, Api(), chat=5)
    assert len(sleeps.requested) == 1 and sleeps.requested[0] > 29


async def test_retry_after_gives_up_after_max_retries():
    sleeps = SleepRecorder()
    limiter = FloodLimiter(chat_interval=0, max_retries=3, sleep=sleeps)
    api = Api(*(RetryAfter(1) for _ in range(5)))
    with pytest.raises(RetryAfter):
        await request(limiter, api)
    assert api.calls == 4


async def test_retry_after_without_a_chat_sleeps_and_retries():
    sleeps = SleepRecorder()
    limiter = FloodLimiter(sleep=sleeps)
    api = Api(RetryAfter(4))
    await request(limiter, api, "setMyCommands", chat=None)
    assert api.calls == 2 and sleeps.requested == [4.0]


async def test_other_errors_pass_through_untouched():
    limiter = FloodLimiter(chat_interval=0)
    api = Api(BadRequest("Message is too long"))
    with pytest.raises(BadRequest):
        await request(limiter, api)
    assert api.calls == 1
