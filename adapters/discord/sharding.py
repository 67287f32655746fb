"""Sharding: one process serving all of the bot's shards, or a configured range of them.

Discord requires sharding from 2,500 guilds (a session may carry at most 2,500). The client is a
``discord.AutoShardedClient``:

* with nothing configured it asks ``GET /gateway/bot`` for the recommended shard count and runs
  every shard in this process;
* ``DISCORD_SHARD_COUNT`` fixes the total; ``DISCORD_SHARD_IDS`` (``0-3`` or ``0,2,5``, with a
  count) runs only those shards here, so several processes can split a big bot. Every process
  serving Discord must use the same database (the schedules, rounds and boards are shared).

IDENTIFY pacing: Discord lets ``max_concurrency`` shards identify per 5 seconds, one per bucket
(``shard_id % max_concurrency``). discord.py's default hook sleeps 5 s before every identify but the
first; ``IdentifyPacer`` waits only when the shard's own bucket identified less than 5 s ago, so a
bot with ``max_concurrency`` 16 starts its shards at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

IDENTIFY_WINDOW = 5.0  # seconds between two IDENTIFYs of one bucket


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """``"0-3"`` -> (0, 1, 2, 3); ``"0,2,5"`` -> (0, 2, 5); ranges and single ids may mix."""
    ids: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"expected shard ids like 0-3 or 0,2,5 (got {text!r})")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"shard range {part} runs backwards")
        ids.extend(range(first, last + 1))
    if not ids:
        raise ValueError("no shard ids given")
    if len(set(ids)) != len(ids):
        raise ValueError(f"a shard id is listed twice in {text!r}")
    return tuple(sorted(ids))


def shard_options(count: str | None, ids: str | None) -> dict[str, object]:
    """The ``AutoShardedClient`` keyword arguments for the configured count and ids."""
    if not count:
        if ids:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total over all processes)")
        return {}
    total = int(count)
    if total < 1:
        raise ValueError("DISCORD_SHARD_COUNT must be at least 1")
    options: dict[str, object] = {"shard_count": total}
    if ids:
        chosen = parse_shard_ids(ids)
        if chosen[-1] >= total:
            raise ValueError(f"shard id {chosen[-1]} is not below DISCORD_SHARD_COUNT {total}")
        options["shard_ids"] = list(chosen)
    return options


class IdentifyPacer:
    """Waits before an IDENTIFY only as long as the shard's concurrency bucket requires."""

    def __init__(self, max_concurrency: int = 1, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self.clock = clock
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def wait(self, shard_id: int | None) -> None:
        bucket = (shard_id or 0) % self.max_concurrency
        lock = self._locks.setdefault(bucket, asyncio.Lock())
        async with lock:
            last = self._last.get(bucket)
            if last is not None:
                delay = last + IDENTIFY_WINDOW - self.clock()
                if delay > 0:
                    await asyncio.sleep(delay)
            self._last[bucket] = self.clock()
