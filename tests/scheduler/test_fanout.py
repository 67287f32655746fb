"""1,000 chats due in the same minute, posted through the real Telegram client to a fake Bot API
that enforces 30 messages/s with 429s: every chat gets exactly one post."""

from __future__ import annotations

from fanout import run_fanout


async def test_fanout_1000_chats_exactly_once(settings, bank):
    figures = await run_fanout(1000, settings, bank, rate=30)
    assert figures["missing"] == 0 and figures["duplicates"] == 0
    assert figures["posted"] == figures["delivered"] == 1000
    assert figures["rate"] <= 30 * 1.1  # the fake never let more through than Telegram would
