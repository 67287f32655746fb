"""End to end through real discord.py: shards, and the bot removed from and added back to a guild.

* Sharding: the bot asks ``GET /gateway/bot``, identifies every recommended shard (``[id, count]``),
  and commands from guilds on either shard reach the engine; with ``DISCORD_SHARD_COUNT`` /
  ``DISCORD_SHARD_IDS`` it identifies only its own shards.
* Membership: removed from a guild (GUILD_DELETE), the guild's chats become inactive and their
  schedules pause, with rounds, boards and the schedule kept; a deleted channel is the same; added
  back (GUILD_CREATE after READY), the chats resume, are welcomed back with their saved schedule,
  and the schedule posts again.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

from dc_support import answer, deadline, force_questions, text_of
from fake_discord import CHANNEL_ID, GUILD2_ID, GUILD_ID

from scheduler import store as rows
from scheduler.parse import parse
from scheduler.service import DailyScheduler

CHANNEL2_ID = 711_000_000_000_000_001
KEY = f"discord:{CHANNEL_ID}"


async def until(predicate, timeout: float = 5.0):
    """Poll an async predicate (database state written by a gateway event handler)."""
    async with asyncio.timeout(timeout):
        while not (value := await predicate()):
            await asyncio.sleep(0.01)
    return value


async def test_two_shards_both_reach_the_engine(make_bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    fake.shard_count = 2  # Discord recommends two shards
    fake.add_guild(GUILD2_ID, "Second group")
    fake.add_channel(GUILD2_ID, CHANNEL2_ID, "quiz")
    bot = await make_bot()
    assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
    assert sorted(bot.client.shards) == [0, 1]
    assert fake.find("GET", r"^/gateway/bot$")
    ann, ben = fake.user(51, "Ann"), fake.user(52, "Ben")
    async with deadline():
        one = await fake.slash("quiz", ann, {"topic": "sft"})  # GUILD_ID: shard 1
        two = await fake.slash("quiz", ben, {"topic": "sft"}, channel=CHANNEL2_ID, guild=GUILD2_ID)  # shard 0
        [q1], [q2] = await fake.wait_response(one), await fake.wait_response(two)
    assert sorted(shard for shard, event in fake.sent_on if event == "INTERACTION_CREATE") == [0, 1]
    assert "为什么SFT之后感觉LLM傻了" in text_of(q1) and "为什么SFT之后感觉LLM傻了" in text_of(q2)
    # both guilds arrived through their own shard's GUILD_CREATE
    assert {g.id for g in bot.client.guilds} == {GUILD_ID, GUILD2_ID}
    assert {bot.client.get_guild(GUILD_ID).shard_id, bot.client.get_guild(GUILD2_ID).shard_id} == {0, 1}


async def test_configured_shard_range_identifies_only_its_shards(make_bot, fake, engine, dc_settings, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    fake.expect_shards = 1  # another process runs shard 0
    settings = dataclasses.replace(dc_settings, discord_shard_count="2", discord_shard_ids="1")
    await make_bot(settings)
    assert [i["shard"] for i in fake.identifies] == [[1, 2]]
    async with deadline():
        [q] = await fake.wait_response(await fake.slash("quiz", fake.user(53, "Cy"), {"topic": "sft"}))  # shard 1
    assert "为什么SFT之后感觉LLM傻了" in text_of(q)


async def test_removed_from_guild_pauses_and_readded_resumes(bot, fake, engine, settings, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    daily = DailyScheduler(engine, settings)
    await daily.start()
    slot = parse(("09:00", "Asia/Shanghai"), engine.bank, "UTC", 12)
    try:
        clock.now = datetime(2026, 11, 20, 0, 30, tzinfo=UTC).timestamp()
        ada = fake.user(54, "Ada")
        async with deadline():
            spec = {"spec": "09:00 Asia/Shanghai sft reveal 21:00"}
            await fake.wait_response(await fake.slash("schedule", ada, spec, admin=True))
            clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC).timestamp()
            assert await daily.post_slot(slot) == 1
            [question] = fake.channel_messages(CHANNEL_ID)
            await answer(fake, question, ada, "灾难性遗忘和数据分布偏移")
            clock.now = datetime(2026, 11, 20, 13, 0, 1, tzinfo=UTC).timestamp()
            assert await engine.expire_due() == 1

            await fake.remove_guild(GUILD_ID)
            await until(lambda: chat_active(engine, False))
            sched = await rows.get(engine.store, KEY)
            assert sched is not None and not sched.enabled
            clock.now = datetime(2026, 11, 21, 1, 0, tzinfo=UTC).timestamp()
            assert await daily.post_slot(slot) == 0, "a paused schedule posts nothing"
            board = await engine.store.fetchone("SELECT total FROM totals WHERE chat_key = ?", (KEY,))
            assert board["total"] > 0, "the board is kept"

            before = fake.channel_messages(CHANNEL_ID)[-1]["id"]
            await fake.readd_guild(GUILD_ID)
            await until(lambda: chat_active(engine, True))
            sched = await rows.get(engine.store, KEY)
            assert sched is not None and sched.enabled and sched.post_time == "09:00", "the saved schedule resumes"
            [welcome] = await fake.wait_until(lambda: fake.channel_messages(CHANNEL_ID, since_id=int(before)))
            assert "I'm back" in text_of(welcome) and "09:00" in text_of(welcome), text_of(welcome)
            clock.now = datetime(2026, 11, 22, 1, 0, tzinfo=UTC).timestamp()
            assert await daily.post_slot(slot) == 1
    finally:
        await daily.stop()


async def test_deleted_channel_pauses_its_schedule(bot, fake, engine, settings, clock):
    daily = DailyScheduler(engine, settings)
    await daily.start()
    try:
        ada = fake.user(55, "Ada")
        clock.now = datetime(2026, 11, 20, 0, 30, tzinfo=UTC).timestamp()
        async with deadline():
            spec = {"spec": "09:00 Asia/Shanghai sft"}
            [msg] = await fake.wait_response(await fake.slash("schedule", ada, spec, admin=True))
            assert "Question of the day set" in text_of(msg)
            await fake.dispatch("CHANNEL_DELETE", fake.channels[CHANNEL_ID])
            await until(lambda: chat_active(engine, False))
    finally:
        await daily.stop()
    sched = await rows.get(engine.store, KEY)
    assert sched is not None and not sched.enabled


async def chat_active(engine, wanted: bool) -> bool:
    row = await engine.store.fetchone("SELECT active FROM chats WHERE key = ?", (KEY,))
    return row is not None and bool(row["active"]) == wanted
