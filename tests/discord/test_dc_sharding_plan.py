"""Shard configuration and IDENTIFY pacing (``adapters.discord.sharding``), without a gateway."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord.sharding import IDENTIFY_WINDOW, IdentifyPacer, parse_shard_ids, shard_options


def test_shard_ids_and_options():
    assert parse_shard_ids("0-3") == (0, 1, 2, 3)
    assert parse_shard_ids("5, 0,2-3") == (0, 2, 3, 5)
    assert shard_options(None, None) == {}
    assert shard_options("16", "8-15") == {"shard_count": 16, "shard_ids": list(range(8, 16))}
    assert shard_options("4", None) == {"shard_count": 4}
    for count, ids, message in (("2", "0-3", "not below"), (None, "0", "needs DISCORD_SHARD_COUNT"),
                                ("4", "3-1", "backwards"), ("4", "1,1", "twice"), ("4", "a", "like 0-3")):
        with pytest.raises(ValueError, match=message):
            shard_options(count, ids)


async def test_identify_waits_only_within_its_bucket(monkeypatch):
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(asyncio, "sleep", sleep)
    pacer = IdentifyPacer(max_concurrency=2, clock=lambda: now[0])
    for shard in (0, 1):  # two buckets: both identify at once
        await pacer.wait(shard)
    assert slept == []
    now[0] += 1.0
    await pacer.wait(2)  # bucket 0 again, 1 s later: waits out the rest of its window
    assert slept == [IDENTIFY_WINDOW - 1.0]
