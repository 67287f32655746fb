"""Flood control for every Bot API request the adapter makes (replies, pushes, reactions, polls).

Telegram's limits: ~30 messages/s overall, ~1 message/s into one chat, 20 messages/min into one
group; going faster gives HTTP 429 with ``retry_after``. PTB's ``AIORateLimiter`` covers the overall
and group limits but not one chat, re-raises 429 by default and pauses *every* request on one 429,
so this module is a small ``BaseRateLimiter`` of our own. PTB routes every request except
``getUpdates`` through it, so handler replies and ``TelegramAdapter.send`` (scheduler pushes) share
the same budget.

The design, kept deliberately simple:

* every request that names a ``chat_id`` takes a token from one overall bucket (30/s);
* requests that *post a message* (``send*``, ``edit*``, ``copy*``, ``forward*``, ``stopPoll``) first
  wait for their chat's slot: at most one every ``chat_interval`` seconds per chat, first come
  first served (an ``asyncio.Lock`` per chat is FIFO), and group chats (negative ids) also take a
  token from a 20-per-60 s bucket of their own. Reactions and lookups (``setMessageReaction``,
  ``getChatMember``) are not messages and only use the overall bucket, so acknowledging answers in
  a busy group is not held up behind the group's message budget;
* a 429 (``RetryAfter``) pushes that chat's next slot back by ``retry_after`` and retries, at most
  ``max_retries`` times, then re-raises. Only that chat waits: a flood in one group must not stall
  private practice elsewhere. Requests without a chat just sleep ``retry_after`` and retry.

Other errors are not handled here (PTB's contract): the adapter retries network errors itself.
``sleep`` is injectable so tests can honour a ``retry_after`` of whole seconds in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

MESSAGE_PREFIXES = ("send", "edit", "copy", "forward", "stopPoll")
_PRUNE_AT = 1024  # forget idle chats' slots once this many are remembered


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds. PTB 22 stores a timedelta and warns when the public attribute is
    read as an int (``PTB_TIMEDELTA``); the stored value is what its own AIORateLimiter reads too."""
    value = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class FloodLimiter(BaseRateLimiter[int]):
    """Overall + per-group + per-chat throttling with bounded RetryAfter retries (see module doc)."""

    def __init__(
        self,
        overall_rate: float = 30,
        group_rate: float = 20,
        group_period: float = 60,
        chat_interval: float = 1.0,
        max_retries: int = 3,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.overall = AsyncLimiter(overall_rate, 1) if overall_rate else None
        self.group_rate, self.group_period = group_rate, group_period
        self.chat_interval = chat_interval
        self.max_retries = max_retries
        self._sleep = sleep
        self._groups: dict[str, AsyncLimiter] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_free: dict[str, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up: buckets are created lazily per chat."""

    async def shutdown(self) -> None:
        self._groups.clear()
        self._locks.clear()
        self._next_free.clear()

    # -- per chat ---------------------------------------------------------------------------

    def _prune(self, now: float) -> None:
        if len(self._next_free) < _PRUNE_AT:
            return
        for chat, free_at in list(self._next_free.items()):
            lock = self._locks.get(chat)
            if free_at < now and not (lock and lock.locked()):
                self._next_free.pop(chat, None)
                self._locks.pop(chat, None)
                self._groups.pop(chat, None)

    async def _chat_slot(self, chat: str) -> None:
        """Wait until ``chat`` may receive the next message, then book the slot after it."""
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(chat, asyncio.Lock())
        async with lock:
            wait = self._next_free.get(chat, 0.0) - loop.time()
            if wait > 0:
                await self._sleep(wait)
            self._next_free[chat] = loop.time() + self.chat_interval
        self._prune(loop.time())

    def _group_bucket(self, chat: str) -> AsyncLimiter | None:
        if not (self.group_rate and self.group_period and chat.startswith("-")):
            return None
        if chat not in self._groups:
            self._groups[chat] = AsyncLimiter(self.group_rate, self.group_period)
        return self._groups[chat]

    def pause_chat(self, chat: str, seconds: float) -> None:
        """Push ``chat``'s next slot at least ``seconds`` into the future (after a 429)."""
        loop = asyncio.get_running_loop()
        self._next_free[chat] = max(self._next_free.get(chat, 0.0), loop.time() + seconds)

    # -- PTB hook ---------------------------------------------------------------------------

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        max_retries = self.max_retries if rate_limit_args is None else rate_limit_args
        chat = str(data["chat_id"]) if data.get("chat_id") is not None else None
        is_message = chat is not None and endpoint.startswith(MESSAGE_PREFIXES)
        attempt = 0
        while True:
            if is_message:
                await self._chat_slot(chat)  # type: ignore[arg-type]
            group = self._group_bucket(chat) if is_message else None  # type: ignore[arg-type]
            overall = self.overall if chat is not None else None
            try:
                async with group or contextlib.nullcontext(), overall or contextlib.nullcontext():
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                if attempt >= max_retries:
                    log.warning("%s to chat %s: flood control, giving up after %d retries", endpoint, chat, attempt)
                    raise
                attempt += 1
                log.info("%s to chat %s: flood control, retry %d in %.1f s", endpoint, chat, attempt, seconds)
                if is_message:
                    self.pause_chat(chat, seconds)  # type: ignore[arg-type]
                else:
                    await self._sleep(seconds)
