"""A session never repeats a question before the topic's pool is used up, and private practice
moves on with /next (the answer goes to the question it was written for)."""

from __future__ import annotations

import io
import random

import pytest

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import Reply, ReplyKind

GROUP = ChatRef("console", "g1", private=False, title="study group")
ME = UserRef("console", "me", "Me", is_admin=True)
DM = ChatRef("console", "dm-me", private=True)


def questions(replies: list[Reply]) -> list[str]:
    return [r.question_id for r in replies if r.kind is ReplyKind.QUESTION]


async def run_session(engine: QuizEngine, chat: ChatRef, topic: str, n: int) -> list[str]:
    """Start ``/quiz topic n`` and skip through it; the question ids in the order asked."""
    asked = questions(await engine.handle(Command(chat, ME, name="quiz", args=(topic, str(n)))))
    while len(asked) < n:
        nxt = questions(await engine.handle(Command(chat, ME, name="skip")))
        assert nxt, "the session ended early"
        asked += nxt
    return asked


@pytest.mark.parametrize("seed", range(8))
async def test_session_repeats_nothing_before_the_pool_is_used_up(store, bank, settings, clock, seed):
    engine = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(seed))
    pool = [q.id for q in bank.topics["sft"].questions]  # three answered questions and a discussion one
    # history: every question but one was asked once before, so "least asked" alone would let the
    # session repeat its first question as soon as all are level
    for _ in pool[1:]:
        await engine.handle(Command(GROUP, ME, name="quiz", args=("sft",)))
        await engine.handle(Command(GROUP, ME, name="skip"))
    asked = await run_session(engine, GROUP, "sft", len(pool))
    assert sorted(asked) == sorted(pool), asked
    # a longer session goes round the pool again only once it is used up
    longer = await run_session(engine, ChatRef("console", "g2"), "sft", len(pool) + 2)
    assert sorted(longer[: len(pool)]) == sorted(pool) and len(set(longer)) == len(pool)


async def test_rag_ten_has_ten_different_questions(store, settings, clock):
    from bot.bank import QuestionBank
    from tests.conftest import REPO

    shipped = QuestionBank.load(REPO / "questions")
    engine = QuizEngine(store, shipped, settings, clock=clock, rng=random.Random(3))
    assert len(shipped.topics["rag"].questions) >= 10
    asked = await run_session(engine, GROUP, "rag", 10)
    assert len(set(asked)) == 10, asked


async def test_private_next_after_an_instant_result_gives_the_next_question(engine: QuizEngine):
    out = io.StringIO()
    console = ConsoleAdapter(engine, out=out)
    await console.feed("/in private")
    first = questions(await console.feed("/quiz sft 3"))
    after = await console.feed("灾难性遗忘，数据分布偏移")
    assert [r.kind for r in after][:2] == [ReplyKind.ACK, ReplyKind.REVEAL]
    second = questions(after)
    moved = await console.feed("/next")
    assert not [r for r in moved if r.kind is ReplyKind.ERROR], [r.text for r in moved]
    third = questions(moved)
    assert third and third != second and third != first
    assert "already open" not in out.getvalue()
    # the last question of the session: /next still gives a question (a new one-question round)
    again = await console.feed("/next")
    assert questions(again) and not [r for r in again if r.kind is ReplyKind.ERROR]


async def test_private_answer_while_the_result_waits_goes_nowhere_else(engine: QuizEngine, store, monkeypatch):
    """With the LLM judge working on the answer, the result is not instant: the round stays open
    with its reveal due. A message then was written for the next question: it does not replace
    the answer; /next reveals the waiting result and gives the next question."""
    monkeypatch.setattr(engine.judgements, "pending", lambda round_id: True)  # the judge is still at it
    q1 = (await engine.handle(Command(DM, ME, name="quiz", args=("sft", "2"))))[0]
    ack = await engine.handle(TextAnswer(DM, ME, text="灾难性遗忘，数据分布偏移"))
    assert [r.kind for r in ack] == [ReplyKind.ACK]  # the reveal waits for the judge
    late = await engine.handle(TextAnswer(DM, ME, text="这是写给下一题的答案"))
    assert late[0].kind is ReplyKind.ERROR
    row = await store.fetchone("SELECT text, revisions FROM answers WHERE round_id = ?", (q1.round_id,))
    assert (row["text"], row["revisions"]) == ("灾难性遗忘，数据分布偏移", 0)
    monkeypatch.setattr(engine.judgements, "pending", lambda round_id: False)
    moved = await engine.handle(Command(DM, ME, name="next"))
    assert [r.kind for r in moved] == [ReplyKind.REVEAL, ReplyKind.QUESTION]
    assert moved[0].round_id == q1.round_id and moved[1].round_id != q1.round_id


async def test_group_next_still_waits_for_the_open_question(engine: QuizEngine):
    await engine.handle(Command(GROUP, ME, name="quiz", args=("sft",)))
    refused = await engine.handle(Command(GROUP, ME, name="next"))
    assert refused[0].kind is ReplyKind.ERROR and "already open" in refused[0].text
