"""End to end on Discord (issue 13, points 5, 7 and 9): the real discord.py client against the fake.

The question of the day and a quiz are open in one channel: an answer goes to the question whose
Answer button was pressed; a second answer through the form adds to the first (the ephemeral
acknowledgement says so); /stop ends the quiz and leaves the question of the day open;
``/reveal which:daily`` reveals it; a second /reveal never reveals the quiz's next question unseen.
"""

from __future__ import annotations

from dc_support import answer, deadline, is_ephemeral, round_of, text_of

from bot.model import RoundKind, RoundStatus

DAILY_Q, QUIZ_QS = "sft-what-learns", ["sft-why-dumber", "sft-chat-or-base"]


def force(monkeypatch, engine) -> None:
    queue = list(QUIZ_QS)

    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        if difficulty is not None:  # the question of the day
            return engine.bank.question(DAILY_Q)
        return engine.bank.question(queue.pop(0) if len(queue) > 1 else queue[0])

    monkeypatch.setattr(engine.rounds, "choose", choose)


async def stored(engine, round_id: int, user: dict) -> str | None:
    row = await engine.store.fetchone("SELECT text FROM answers WHERE round_id = ? AND user_key = ?",
                                      (round_id, f"discord:{user['id']}"))
    return row["text"] if row else None


async def test_daily_and_quiz_side_by_side_with_follow_ups(bot, fake, engine, monkeypatch):
    force(monkeypatch, engine)
    admin, alice, bob = fake.user(81, "Admin"), fake.user(82, "Alice"), fake.user(83, "Bob")
    async with deadline():
        [daily_q] = await fake.wait_response(await fake.slash("daily", admin, admin=True))
        [quiz_q] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft", "count": 2}))
        daily, quiz = round_of(daily_q), round_of(quiz_q)
        assert daily != quiz and "Question 1/2" in text_of(quiz_q)

        # the button pressed decides the question
        ack = await answer(fake, daily_q, bob, "SFT 学的是指令遵循和回答格式")
        assert is_ephemeral(ack)
        await answer(fake, quiz_q, bob, "主要是数据分布偏移")
        added = await answer(fake, quiz_q, bob, "还有灾难性遗忘")
        assert is_ephemeral(added) and "Added to your answer, Bob: 2 parts, graded as a whole." in text_of(added)
        assert await stored(engine, daily, bob) == "SFT 学的是指令遵循和回答格式"
        assert await stored(engine, quiz, bob) == "主要是数据分布偏移\n还有灾难性遗忘"

        # /stop ends the quiz; the question of the day stays open and says how it ends
        stopped = await fake.wait_response(await fake.slash("stop", alice))
        assert "The quiz was stopped" in text_of(stopped[0])
        assert (await engine.rounds.get(daily)).status is RoundStatus.OPEN
        [hint] = await fake.wait_response(await fake.slash("reveal", admin, admin=True))
        assert is_ephemeral(hint) and "/reveal daily" in text_of(hint)

        # a member may not reveal it; an admin does, with the daily choice
        [refused] = await fake.wait_response(await fake.slash("reveal", bob, {"which": "daily"}))
        assert is_ephemeral(refused) and (await engine.rounds.get(daily)).status is RoundStatus.OPEN
        messages = await fake.wait_response(await fake.slash("reveal", admin, {"which": "daily"}, admin=True))
        shown = "\n".join(text_of(m) for m in messages)
        assert "LLM 进行 SFT 的时候在学习什么" in shown and "Bob" in shown
        assert (await engine.rounds.get(daily)).status is RoundStatus.CLOSED


async def test_a_second_reveal_never_reveals_the_next_question_unseen(bot, fake, engine, monkeypatch):
    force(monkeypatch, engine)
    alice, admin = fake.user(91, "Alice"), fake.user(92, "Admin")
    async with deadline():
        [q1] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft", "count": 2}))
        await fake.wait_response(await fake.slash("reveal", alice))
        q2 = await engine.rounds.open_of_kind(f"discord:{q1['channel_id']}", RoundKind.QUIZ)
        assert q2 is not None and q2.seq == 2
        [second] = await fake.wait_response(await fake.slash("reveal", admin, admin=True))
        assert is_ephemeral(second) and "question 2 was posted just now" in text_of(second)
        assert (await engine.rounds.get(q2.id)).status is RoundStatus.OPEN
        assert (await engine.rounds.get(round_of(q1))).status is RoundStatus.CLOSED
