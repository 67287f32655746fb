"""End to end: /schedule in a Telegram group with the real DailyScheduler — refused for a member,
set by an admin, then the question of the day goes out through the adapter and is revealed."""

from __future__ import annotations

from datetime import UTC, datetime

from fake_bot_api import FakeBotAPI
from tg_support import deadline, force_questions, visible

from scheduler.parse import parse
from scheduler.service import DailyScheduler

GROUP = FakeBotAPI.group(-100900, "Daily group")


async def test_schedule_set_by_admin_then_posted_and_revealed(tg, fake, engine, settings, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    daily = DailyScheduler(engine, settings)
    await daily.start()
    try:
        clock.now = datetime(2026, 11, 20, 0, 30, tzinfo=UTC).timestamp()  # 08:30 in Shanghai
        alice, admin = fake.user(91, "Alice"), fake.user(92, "Ada")
        fake.set_admin(GROUP["id"], admin["id"], "administrator")
        async with deadline():
            mark = fake.mark()
            fake.message(GROUP, alice, "/schedule 09:00 Asia/Shanghai sft reveal 21:00")
            [refused] = await fake.wait_for("sendMessage", since=mark)
            assert "only chat admins" in visible(refused.text)

            mark = fake.mark()
            fake.message(GROUP, admin, "/schedule@quiz_test_bot 09:00 Asia/Shanghai 微调 reveal 21:00")
            [saved] = await fake.wait_for("sendMessage", since=mark)
            assert "Question of the day set" in visible(saved.text) and "2026-11-20 09:00 CST" in visible(saved.text)
            assert [j.id for j in daily.aps.get_jobs()] == ["daily:Asia/Shanghai:09:00:daily"]

            clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC).timestamp()  # 09:00: the job's run
            mark = fake.mark()
            assert await daily.post_slot(parse(("09:00", "Asia/Shanghai"), engine.bank, "UTC", 12)) == 1
            [question] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
            assert "Question of the day" in visible(question.text) and "2026-11-20" in visible(question.text)
            fake.message(GROUP, alice, "灾难性遗忘和数据分布偏移", reply_to=question.result)
            await fake.wait_for("setMessageReaction", since=mark)

            clock.now = datetime(2026, 11, 20, 13, 0, 1, tzinfo=UTC).timestamp()  # 21:00:01 local
            mark = fake.mark()
            assert await engine.expire_due() == 1
            [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
            assert "Alice" in visible(reveal.text) and "6/10" in visible(reveal.text)
    finally:
        await daily.stop()
