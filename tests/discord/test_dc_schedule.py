"""End to end: /schedule in a Discord channel with the real DailyScheduler — refused for a member,
set by a Manage Server admin, then the question of the day is posted to the channel with its
Answer button, answered through the modal, and revealed at the set time."""

from __future__ import annotations

from datetime import UTC, datetime

from dc_support import answer, custom_ids, deadline, force_questions, is_ephemeral, text_of
from fake_discord import CHANNEL_ID

from scheduler.parse import parse
from scheduler.service import DailyScheduler


async def test_schedule_set_by_admin_then_posted_and_revealed(bot, fake, engine, settings, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    daily = DailyScheduler(engine, settings)
    await daily.start()
    try:
        clock.now = datetime(2026, 11, 20, 0, 30, tzinfo=UTC).timestamp()  # 08:30 in Shanghai
        alice, ada = fake.user(31, "Alice"), fake.user(32, "Ada")
        async with deadline():
            [msg] = await fake.wait_response(await fake.slash("schedule", alice, {"spec": "09:00 Asia/Shanghai sft"}))
            assert is_ephemeral(msg) and "only chat admins" in text_of(msg)
            spec = {"spec": "09:00 Asia/Shanghai 微调 reveal 21:00"}
            [msg] = await fake.wait_response(await fake.slash("schedule", ada, spec, admin=True))
            assert "Question of the day set" in text_of(msg) and "2026-11-20 09:00 CST" in text_of(msg)

            clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC).timestamp()  # 09:00 local: the job's run
            assert await daily.post_slot(parse(("09:00", "Asia/Shanghai"), engine.bank, "UTC", 12)) == 1
            [question] = fake.channel_messages(CHANNEL_ID)
            assert "Question of the day" in text_of(question)
            assert any(cid.startswith("qb:ans:") for cid in custom_ids(question))
            await answer(fake, question, alice, "灾难性遗忘和数据分布偏移")

            clock.now = datetime(2026, 11, 20, 13, 0, 1, tzinfo=UTC).timestamp()  # 21:00:01 local
            assert await engine.expire_due() == 1
            reveal = fake.channel_messages(CHANNEL_ID, since_id=int(question["id"]))[0]
            assert "**Alice** " in text_of(reveal) and "6/10" in text_of(reveal)
    finally:
        await daily.stop()
