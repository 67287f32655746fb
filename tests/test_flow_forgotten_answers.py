"""A member's answer this process no longer remembers (its memory of who answered is bounded, or the
bot restarted): the next message still adds to the stored answer, and a round closed by another
process is still refused.

The answer path guesses "no answer yet" for a member it has not seen answer the round
(``Rounds._answered``); the insert's revision guard catches a wrong guess, and the member's parts
are read again. That retry does not ask the database whether the round is open while this process
holds it as its chat's open round (a read through the reader's thread for every member who answers
again after many others); a second refusal does.
"""

from __future__ import annotations

from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import ReplyKind

GROUP = ChatRef("console", "group", private=False, title="console group")
ALICE = UserRef("console", "alice", "Alice")
FIRST = "主要原因是数据分布偏移：SFT 数据和预训练数据不同，模型过拟合到新的分布。"
SECOND = "另外还有灾难性遗忘，学新任务的时候覆盖了旧知识。"


def one(replies, kind: ReplyKind):
    found = [r for r in replies if r.kind is kind]
    assert len(found) == 1, f"expected one {kind} in {[(r.kind, r.text[:60]) for r in replies]}"
    return found[0]


async def _quiz(engine: QuizEngine) -> int:
    return one(await engine.handle(Command(GROUP, ALICE, name="quiz", args=("sft",))), ReplyKind.QUESTION).round_id


def _count_gets(engine: QuizEngine, monkeypatch) -> list[int]:
    calls: list[int] = []
    real = engine.rounds.get

    async def get(round_id):
        calls.append(round_id)
        return await real(round_id)

    monkeypatch.setattr(engine.rounds, "get", get)
    return calls


async def test_a_forgotten_answer_is_added_to_without_asking_about_the_round(engine: QuizEngine, monkeypatch):
    round_id = await _quiz(engine)
    await engine.handle(TextAnswer(GROUP, ALICE, text=FIRST))
    engine.rounds._answered.clear()  # forgotten: evicted, or the bot restarted
    gets = _count_gets(engine, monkeypatch)
    ack = one(await engine.handle(TextAnswer(GROUP, ALICE, text=SECOND)), ReplyKind.ACK)
    assert ack.meta == {"status": "changed", "follow_up": "added", "parts": 2}
    row = await engine.store.fetchone("SELECT text, revisions FROM answers WHERE round_id = ? AND user_key = ?",
                                      (round_id, ALICE.key))
    assert row["text"] == FIRST + "\n" + SECOND and row["revisions"] == 1
    assert [g for g in gets if g == round_id] == []  # the open round was not read again


async def test_a_round_closed_by_another_process_is_refused_after_the_retry(engine: QuizEngine, monkeypatch):
    round_id = await _quiz(engine)
    await engine.handle(TextAnswer(GROUP, ALICE, text=FIRST))
    engine.rounds._answered.clear()
    async with engine.store.write() as db:  # another process closes it; this one still holds it as open
        await db.execute("UPDATE rounds SET status = 'closed', closed_at = 1 WHERE id = ?", (round_id,))
    gets = _count_gets(engine, monkeypatch)
    refused = one(await engine.handle(TextAnswer(GROUP, ALICE, text=SECOND)), ReplyKind.ERROR)
    assert gets  # the second refusal asked the database
    assert "closed" in refused.text or "结束" in refused.text
    row = await engine.store.fetchone("SELECT text FROM answers WHERE round_id = ? AND user_key = ?",
                                      (round_id, ALICE.key))
    assert row["text"] == FIRST  # nothing stored after the close
