"""End to end in a Telegram forum (a supergroup with topics): commands are answered in the topic
they were sent in, a quiz and its quiz poll stay there, ``/schedule`` set in a topic posts the
question of the day and its reveal into that topic (and one set in General posts to General), and a
deleted topic pauses the schedule with a log line, sends the message to General instead, and tells
an admin on their next command."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fake_bot_api import FakeBotAPI
from tg_support import deadline, force_questions, visible

from scheduler.parse import parse
from scheduler.service import DailyScheduler

FORUM = FakeBotAPI.forum(-100777, "LLM forum")
TOPIC = 5  # "SFT" topic
DAILY_TOPIC = 7  # "Daily" topic


def in_forum(call) -> bool:
    return call.chat_id == FORUM["id"]


async def test_quiz_answers_poll_and_reveal_stay_in_the_topic(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber", "arch-chatglm-family")
    alice, bob = fake.user(301, "Alice"), fake.user(302, "Bob")
    async with deadline():
        fake.message(FORUM, alice, "/quiz sft", topic=TOPIC)
        [question] = await fake.wait_for("sendMessage", in_forum)
        assert question.params["message_thread_id"] == TOPIC
        assert "为什么SFT之后感觉LLM傻了" in visible(question.text)

        mark = fake.mark()
        fake.message(FORUM, bob, "灾难性遗忘", reply_to=question.result, topic=TOPIC)
        await fake.wait_for("setMessageReaction", since=mark)
        fake.message(FORUM, bob, "/help", topic=TOPIC)
        [help_text] = await fake.wait_for("sendMessage", in_forum, since=mark)
        assert help_text.params["message_thread_id"] == TOPIC
        fake.message(FORUM, alice, "/reveal", topic=TOPIC)
        reveal, = await fake.wait_for("sendMessage", lambda c: in_forum(c) and "Bob" in visible(c.text), since=mark)
        assert reveal.params["message_thread_id"] == TOPIC

        # a choice question in the topic is a quiz poll in the topic; its reveal stops that poll
        mark = fake.mark()
        fake.message(FORUM, alice, "/quiz arch", topic=TOPIC)
        [poll] = await fake.wait_for("sendPoll", since=mark)
        assert poll.params["message_thread_id"] == TOPIC
        fake.message(FORUM, alice, "/reveal", topic=TOPIC)
        [stopped] = await fake.wait_for("stopPoll", since=mark)
        assert stopped.params["message_id"] == poll.result["message_id"]
        reveals = await fake.wait_for("sendMessage", in_forum, since=mark)
        assert all(c.params["message_thread_id"] == TOPIC for c in reveals)

        # the same chat's General (no topic): answered in General
        mark = fake.mark()
        fake.message(FORUM, alice, "/help")
        [general] = await fake.wait_for("sendMessage", in_forum, since=mark)
        assert general.params.get("message_thread_id") is None


async def test_schedule_in_a_topic_posts_there_and_a_deleted_topic_pauses_it(tg, fake, engine, settings, clock,
                                                                            monkeypatch, caplog):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    daily = DailyScheduler(engine, settings)
    await daily.start()
    slot = parse(("09:00", "Asia/Shanghai"), engine.bank, "UTC", 12)
    admin, alice = fake.user(311, "Ada"), fake.user(312, "Alice")
    fake.set_admin(FORUM["id"], admin["id"])
    try:
        clock.now = datetime(2026, 11, 20, 0, 30, tzinfo=UTC).timestamp()  # 08:30 in Shanghai
        async with deadline():
            fake.message(FORUM, admin, "/schedule 09:00 Asia/Shanghai sft reveal 21:00", topic=DAILY_TOPIC)
            [saved] = await fake.wait_for("sendMessage", in_forum)
            assert "Question of the day set" in visible(saved.text)
            assert saved.params["message_thread_id"] == DAILY_TOPIC

            clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC).timestamp()  # 09:00
            mark = fake.mark()
            assert await daily.post_slot(slot) == 1
            [question] = await fake.wait_for("sendMessage", in_forum, since=mark)
            assert "Question of the day" in visible(question.text)
            assert question.params["message_thread_id"] == DAILY_TOPIC
            fake.message(FORUM, alice, "灾难性遗忘和数据分布偏移", reply_to=question.result, topic=DAILY_TOPIC)
            await fake.wait_for("setMessageReaction", since=mark)

            clock.now = datetime(2026, 11, 20, 13, 0, 1, tzinfo=UTC).timestamp()  # 21:00:01: the timed reveal
            mark = fake.mark()
            assert await engine.expire_due() == 1
            [reveal] = await fake.wait_for("sendMessage", in_forum, since=mark)
            assert "Alice" in visible(reveal.text) and reveal.params["message_thread_id"] == DAILY_TOPIC

            # the topic is deleted: the next day's question goes to General, the schedule pauses
            fake.delete_topic(FORUM["id"], DAILY_TOPIC)
            clock.now = datetime(2026, 11, 21, 1, 0, tzinfo=UTC).timestamp()
            mark = fake.mark()
            with caplog.at_level(logging.WARNING):
                assert await daily.post_slot(slot) == 1
                [refused, fallback] = await fake.wait_for("sendMessage", in_forum, count=2, since=mark)
            assert refused.status == 400 and refused.params["message_thread_id"] == DAILY_TOPIC
            assert fallback.status == 200 and fallback.params.get("message_thread_id") is None
            assert "Question of the day" in visible(fallback.text)
            assert any("topic 7 is gone" in r.getMessage() and "paused" in r.getMessage() for r in caplog.records)
            row = await engine.store.fetchone("SELECT enabled, paused FROM schedules WHERE chat_key = ?",
                                              (f"telegram:{FORUM['id']}",))
            assert (row["enabled"], row["paused"]) == (0, "thread_gone")
            clock.now = datetime(2026, 11, 22, 1, 0, tzinfo=UTC).timestamp()
            assert await daily.post_slot(slot) == 0  # paused: nothing the next day

            # a member's command does not get the admins' notice; the admin's next one does, once
            mark = fake.mark()
            fake.message(FORUM, alice, "/help")
            [member_help] = await fake.wait_for("sendMessage", in_forum, since=mark)
            assert "paused" not in visible(member_help.text)
            mark = fake.mark()
            fake.message(FORUM, admin, "/help")
            notice, admin_help = await fake.wait_for("sendMessage", in_forum, count=2, since=mark)
            assert "question of the day is paused" in visible(notice.text) and "/schedule" in visible(notice.text)
            assert "/schedule" in visible(admin_help.text)
            mark = fake.mark()
            fake.message(FORUM, admin, "/help")
            [only_help] = await fake.wait_for("sendMessage", in_forum, since=mark)
            assert "question of the day is paused" not in visible(only_help.text)

            # set again in General: it resumes and posts to General
            mark = fake.mark()
            fake.message(FORUM, admin, "/schedule 09:00 Asia/Shanghai sft reveal 21:00")
            await fake.wait_for("sendMessage", in_forum, since=mark)
            clock.now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC).timestamp()
            mark = fake.mark()
            assert await daily.post_slot(slot) == 1
            [general] = await fake.wait_for("sendMessage", in_forum, since=mark)
            assert general.status == 200 and general.params.get("message_thread_id") is None
    finally:
        await daily.stop()
