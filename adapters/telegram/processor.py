"""Update processing order: one chat's updates in arrival order, different chats concurrently.

PTB processes updates one at a time by default, so a reply waiting for its chat's flood-control
slot (``limiter``) would hold up every other chat. Fully concurrent processing would let a member's
answer race their own ``/reveal``. This processor takes a lock per chat (poll answers have no chat:
the voter's id stands in), so ordering holds where it matters and nothing else waits. An update
waits for its chat's turn *before* it takes one of the global concurrency slots: 150 queued
updates of one busy group hold one slot, not all of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


def order_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat -> (lock, users of the lock)

    # PTB marks process_update final, but its order (global slot first, then our chat lock inside
    # do_process_update) is exactly what lets one busy chat hold every slot; the override keeps
    # PTB's contract (same signature, same slot accounting through super()).
    async def process_update(  # type: ignore[misc]
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        """Wait for the chat's turn first, then take one of the concurrency slots: a chat with a
        long queue holds one slot at most, so other chats are never stuck behind it."""
        key = order_key(update)
        if key is None:
            await super().process_update(update, coroutine)
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:  # asyncio.Lock is FIFO: arrival order is kept
                await super().process_update(update, coroutine)
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update (inside its chat's turn and a concurrency slot, see ``process_update``)."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: locks go with their last user."""
