"""End to end on Telegram (issue 13, points 5, 7 and 9): real PTB against the fake Bot API.

The question of the day and a quiz are open in one group: a reply goes to the question it replies
to; another reply adds to the member's answer and an edited reply (``edited_message``) replaces its
own part; /stop ends the quiz and leaves the question of the day open; /reveal replying to a
question reveals that one, and a second /reveal never reveals the quiz's next question unseen.
"""

from __future__ import annotations

from fake_bot_api import FakeBotAPI
from tg_support import deadline, eventually, visible

from adapters.telegram import links as L
from bot.model import RoundKind, RoundStatus

GROUP = FakeBotAPI.group(-100900, "Side by side")
CHAT_KEY = f"telegram:{GROUP['id']}"
DAILY_Q, QUIZ_QS = "sft-what-learns", ["sft-why-dumber", "sft-chat-or-base"]
PART1 = "主要原因是数据分布偏移：SFT 数据和预训练数据不同。"
PART2 = "另外还有灾难性遗忘。"
PART2_EDITED = "另外还有灾难性遗忘；所以训练时要混入通用数据。"


def force(monkeypatch, engine) -> None:
    queue = list(QUIZ_QS)

    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        if difficulty is not None:  # the question of the day
            return engine.bank.question(DAILY_Q)
        return engine.bank.question(queue.pop(0) if len(queue) > 1 else queue[0])

    monkeypatch.setattr(engine.rounds, "choose", choose)


def sends(fake: FakeBotAPI, since: int):
    return fake.find("sendMessage", lambda c: c.chat_id == GROUP["id"], since)


async def answer_text(engine, round_id: int, user: dict) -> str | None:
    row = await engine.store.fetchone("SELECT text FROM answers WHERE round_id = ? AND user_key = ?",
                                      (round_id, f"telegram:{user['id']}"))
    return row["text"] if row else None


async def test_daily_and_quiz_side_by_side_with_follow_ups_and_edits(tg, fake, engine, monkeypatch):
    force(monkeypatch, engine)
    admin, alice = fake.user(61, "Admin"), fake.user(62, "Alice")
    fake.set_admin(GROUP["id"], admin["id"], "administrator")
    async with deadline():
        mark = fake.mark()
        fake.message(GROUP, admin, "/daily")
        [daily_msg] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        mark = fake.mark()
        fake.message(GROUP, alice, "/quiz sft 2")
        [quiz_msg] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        assert "Question 1/2" in visible(quiz_msg.text)  # the question of the day did not block it
        daily = await eventually(lambda: engine.round_for_message(
            L.MESSAGE, L.message_ref(GROUP["id"], daily_msg.result["message_id"])))
        quiz = await eventually(lambda: engine.round_for_message(
            L.MESSAGE, L.message_ref(GROUP["id"], quiz_msg.result["message_id"])))
        assert daily and quiz and daily != quiz

        # each reply goes to the question it replies to
        mark = fake.mark()
        to_daily = fake.message(GROUP, alice, "SFT 学的是指令遵循和回答格式", reply_to=daily_msg.result)
        first = fake.message(GROUP, alice, PART1, reply_to=quiz_msg.result)
        await fake.wait_for("setMessageReaction", count=2, since=mark)
        assert await answer_text(engine, daily, alice) == "SFT 学的是指令遵循和回答格式"
        assert await answer_text(engine, quiz, alice) == PART1
        assert to_daily["message"]["message_id"] != first["message"]["message_id"]

        # a second reply adds to the answer (✍), an edit replaces its own part
        mark = fake.mark()
        second = fake.message(GROUP, alice, PART2, reply_to=quiz_msg.result)
        [reaction] = await fake.wait_for("setMessageReaction", since=mark)
        assert reaction.params["message_id"] == second["message"]["message_id"]
        assert reaction.params["reaction"] == [{"type": "emoji", "emoji": "✍"}]
        assert await answer_text(engine, quiz, alice) == PART1 + "\n" + PART2
        mark = fake.mark()
        fake.inject({"edited_message": dict(second["message"], text=PART2_EDITED, edit_date=1)})
        await fake.wait_for("setMessageReaction", since=mark)
        assert await answer_text(engine, quiz, alice) == PART1 + "\n" + PART2_EDITED
        assert sends(fake, mark) == []  # follow-ups never flood the group

        # /stop ends the quiz; the question of the day stays open
        mark = fake.mark()
        fake.message(GROUP, alice, "/stop")
        [stopped] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        assert "The quiz was stopped" in visible(stopped.text)
        assert (await engine.rounds.get(daily)).status is RoundStatus.OPEN
        mark = fake.mark()
        fake.message(GROUP, alice, "/skip")  # nothing of the quiz left to skip: says how the daily ends
        [hint] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        assert "/reveal daily" in visible(hint.text)

        # the admin reveals the question of the day by replying to it
        mark = fake.mark()
        fake.message(GROUP, admin, "/reveal", reply_to=daily_msg.result)
        [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        assert "LLM 进行 SFT 的时候在学习什么" in visible(reveal.text) and "Alice" in visible(reveal.text)
        assert (await engine.rounds.get(daily)).status is RoundStatus.CLOSED


async def test_a_second_reveal_never_reveals_the_next_question_unseen(tg, fake, engine, monkeypatch):
    force(monkeypatch, engine)
    alice, carol = fake.user(71, "Alice"), fake.user(72, "Carol")
    fake.set_admin(GROUP["id"], carol["id"], "administrator")
    async with deadline():
        mark = fake.mark()
        fake.message(GROUP, alice, "/quiz sft 2")
        [q1] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        mark = fake.mark()
        fake.message(GROUP, alice, "/reveal")
        fake.message(GROUP, carol, "/reveal")  # a second admin, at the same moment
        sent = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], count=3, since=mark)
        texts = [visible(c.text) for c in sent]
        assert sum("Question 2/2" in t for t in texts) == 1
        assert any("question 2 was posted just now" in t for t in texts)
        q2_round = await eventually(lambda: engine.rounds.open_of_kind(CHAT_KEY, RoundKind.QUIZ))
        assert q2_round.seq == 2 and q2_round.status is RoundStatus.OPEN

        # replying to the question already revealed never touches the current one
        mark = fake.mark()
        fake.message(GROUP, carol, "/reveal", reply_to=q1.result)
        [again] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        assert "already ended" in visible(again.text)
        assert (await engine.rounds.get(q2_round.id)).status is RoundStatus.OPEN
