"""End to end through real discord.py: quizzes and schedules in threads and forum channels.

* ``/quiz`` in a thread is answered in the thread, and its timed reveal is pushed there;
* ``/schedule`` run in a thread posts the question of the day and its reveal into the thread;
* ``/schedule channel:#forum`` makes a forum channel the chat: each day opens one post titled with
  the date and the topic, the answer button inside the post counts for the forum's round, and the
  reveal goes into that post;
* an archived thread is unarchived before the post; a locked one (the bot may not unarchive it)
  pauses the schedule with the reason logged, and keeps the chat's data.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from dc_support import answer, custom_ids, deadline, force_questions, is_ephemeral, round_of, text_of
from fake_discord import CHANNEL_ID, FORUM, GUILD_ID

from scheduler import store as rows
from scheduler.parse import parse
from scheduler.service import DailyScheduler

THREAD_ID = 720_000_000_000_000_001
FORUM_ID = 730_000_000_000_000_001
SLOT = ("09:00", "Asia/Shanghai")


@pytest.fixture
async def daily(engine, settings):
    scheduler = DailyScheduler(engine, settings)
    await scheduler.start()
    yield scheduler
    await scheduler.stop()


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> float:
    """A Shanghai wall-clock time in November 2026 as a UTC timestamp."""
    return datetime(2026, 11, day, hour - 8, minute, second, tzinfo=UTC).timestamp()


async def post_slot(daily, engine) -> int:
    return await daily.post_slot(parse(SLOT, engine.bank, "UTC", 12))


async def test_quiz_in_a_thread_stays_in_the_thread(bot, fake, engine, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    fake.add_thread(CHANNEL_ID, THREAD_ID, "study night")
    alice = fake.user(41, "Alice")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}, channel=THREAD_ID))
        assert question["channel_id"] == str(THREAD_ID) and "为什么SFT之后感觉LLM傻了" in text_of(question)
        ack = await answer(fake, question, alice, "灾难性遗忘和数据分布偏移")
        assert is_ephemeral(ack) and ack["channel_id"] == str(THREAD_ID)
        clock.now += engine.settings.open_window + 1
        assert await engine.expire_due() == 1
        [reveal] = await fake.wait_until(lambda: fake.channel_messages(THREAD_ID))
        assert "**Alice** " in text_of(reveal)
    assert not fake.channel_messages(CHANNEL_ID), "nothing goes to the thread's parent channel"
    rnd = await engine.rounds.get(round_of(question))
    assert rnd.chat_key == f"discord:{THREAD_ID}"  # the thread is a chat of its own


async def test_schedule_in_a_thread_posts_and_reveals_there(bot, fake, engine, clock, daily, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    fake.add_thread(CHANNEL_ID, THREAD_ID, "daily")
    ada = fake.user(42, "Ada")
    clock.now = local(20, 8, 30)
    async with deadline():
        spec = {"spec": "09:00 Asia/Shanghai sft reveal 21:00"}
        [msg] = await fake.wait_response(await fake.slash("schedule", ada, spec, admin=True, channel=THREAD_ID))
        assert "Question of the day set" in text_of(msg) and msg["channel_id"] == str(THREAD_ID)
        clock.now = local(20, 9)
        assert await post_slot(daily, engine) == 1
        [question] = fake.channel_messages(THREAD_ID)
        assert "Question of the day" in text_of(question)
        await answer(fake, question, ada, "灾难性遗忘")
        clock.now = local(20, 21, 0, 1)
        assert await engine.expire_due() == 1
        reveal = fake.channel_messages(THREAD_ID, since_id=int(question["id"]))[0]
        assert "**Ada** " in text_of(reveal)
    assert not fake.channel_messages(CHANNEL_ID)


async def test_forum_gets_one_post_a_day_with_its_reveal_inside(bot, fake, engine, clock, daily, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    fake.add_channel(GUILD_ID, FORUM_ID, "daily-questions", kind=FORUM)
    ada, bob = fake.user(43, "Ada"), fake.user(44, "Bob")
    clock.now = local(20, 8, 30)
    async with deadline():
        # a forum has no message box: the schedule is set from another channel, naming the forum
        spec = {"spec": "09:00 Asia/Shanghai sft reveal 21:00"}
        [msg] = await fake.wait_response(await fake.slash("schedule", ada, spec, admin=True, channel_option=FORUM_ID))
        assert "Question of the day set" in text_of(msg) and msg["channel_id"] == str(CHANNEL_ID)
        assert await rows.get(engine.store, f"discord:{FORUM_ID}") is not None
        assert await rows.get(engine.store, f"discord:{CHANNEL_ID}") is None

        posts = []
        for day in (20, 21):
            clock.now = local(day, 9)
            assert await post_slot(daily, engine) == 1
            [opened] = fake.find("POST", rf"^/channels/{FORUM_ID}/threads$")[len(posts):]
            posts.append(opened)
            post_id = int(next(c for c in fake.channels.values() if c["name"] == opened.json["name"])["id"])
            title = engine.bank.topics["sft"].title("en")  # the chat's language (the admin's en-US client)
            assert opened.json["name"] == f"2026-11-{day} · {title}"
            [question] = fake.channel_messages(post_id)
            assert "Question of the day" in text_of(question) and any(c.startswith("qb:ans:") for c in custom_ids(question))
            # the Answer button inside the post counts for the forum's round
            ack = await answer(fake, question, bob, "灾难性遗忘和数据分布偏移")
            assert is_ephemeral(ack) and "Bob" in text_of(ack)
            clock.now = local(day, 21, 0, 1)
            assert await engine.expire_due() == 1
            reveal = fake.channel_messages(post_id, since_id=int(question["id"]))[0]
            assert "**Bob** " in text_of(reveal)
        assert len(posts) == 2, "one post per day"
        assert not fake.find("POST", rf"^/channels/{FORUM_ID}/messages$"), "nothing is sent to the forum itself"
        rnd = await engine.rounds.get(round_of(question))
        assert rnd.chat_key == f"discord:{FORUM_ID}"


async def test_archived_thread_is_unarchived_and_a_locked_one_pauses(bot, fake, engine, clock, daily, monkeypatch,
                                                                      caplog):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    fake.add_thread(CHANNEL_ID, THREAD_ID, "daily")
    ada = fake.user(45, "Ada")
    clock.now = local(20, 8, 30)
    async with deadline():
        spec = {"spec": "09:00 Asia/Shanghai sft reveal 21:00"}
        await fake.wait_response(await fake.slash("schedule", ada, spec, admin=True, channel=THREAD_ID))
        fake.channels[THREAD_ID]["thread_metadata"]["archived"] = True  # a week without messages
        clock.now = local(20, 9)
        assert await post_slot(daily, engine) == 1
        assert [c.json for c in fake.find("PATCH", rf"^/channels/{THREAD_ID}$")] == [{"archived": False}]
        assert len(fake.channel_messages(THREAD_ID)) == 1
        clock.now = local(20, 21, 0, 1)
        assert await engine.expire_due() == 1

        # a moderator archived and locked it: the bot may not reopen it
        fake.channels[THREAD_ID]["thread_metadata"] |= {"archived": True, "locked": True}
        clock.now = local(21, 9)
        with caplog.at_level(logging.WARNING):
            await post_slot(daily, engine)  # the day is claimed; its push finds the thread locked
        assert len(fake.channel_messages(THREAD_ID)) == 2  # only yesterday's question and reveal
    assert any("archived and the bot may not unarchive it" in r.getMessage() for r in caplog.records)
    sched = await rows.get(engine.store, f"discord:{THREAD_ID}")
    assert sched is not None and not sched.enabled, "the schedule is paused, not deleted"
    row = await engine.store.fetchone("SELECT active FROM chats WHERE key = ?", (f"discord:{THREAD_ID}",))
    assert row["active"] == 0
    kept = await engine.store.fetchone("SELECT COUNT(*) AS n FROM rounds WHERE chat_key = ?", (f"discord:{THREAD_ID}",))
    assert kept["n"] == 2  # the chat's rounds stay
