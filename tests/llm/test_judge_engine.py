"""The judge inside the engine: answers are acknowledged before the model replies, judged in the
background, the judge's score counts with the local one stored beside it, a reveal waits a bounded
time and marks what fell back to local, an early (private) reveal is pushed once judged, and
pending judgements survive a restart."""

from __future__ import annotations

import asyncio
import dataclasses
import random

from fake_openai import MODEL, FakeOpenAI

from bot.config import Settings
from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import Reply, ReplyKind
from bot.storage import Store

GROUP = ChatRef("console", "g1", private=False, title="study group")
DM = ChatRef("console", "alice", private=True)
ALICE = UserRef("console", "alice", "Alice")
BOB = UserRef("console", "bob", "Bob")
GOOD = "SFT 之后数据分布偏移，模型出现灾难性遗忘；数据质量差也会这样，所以要混入通用数据。"
DENIAL = "这和数据分布偏移无关。不是灾难性遗忘，也不是数据质量的问题。"


class Pushed:
    def __init__(self) -> None:
        self.replies: list[Reply] = []

    async def send(self, reply: Reply) -> None:
        self.replies.append(reply)


async def make_engine(store: Store, bank, settings: Settings, clock) -> tuple[QuizEngine, Pushed]:
    engine = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(7))
    pushed = Pushed()
    engine.add_messenger("console", pushed)
    await engine.start_judging()
    return engine, pushed


async def open_round(engine: QuizEngine, chat: ChatRef = GROUP) -> int:
    while True:
        [q] = [r for r in await engine.handle(Command(chat, ALICE, name="quiz", args=("sft",)))
               if r.kind is ReplyKind.QUESTION]
        if q.question_id == "sft-why-dumber":
            return q.round_id
        await engine.handle(Command(chat, UserRef("console", "root", "Root", is_admin=True), name="skip"))


async def row(store: Store, round_id: int, user: UserRef):
    return await store.fetchone("SELECT * FROM answers WHERE round_id = ? AND user_key = ?", (round_id, user.key))


async def test_ack_first_judged_in_background_judge_score_counts(store, bank, judge_settings, clock,
                                                                 fake: FakeOpenAI):
    engine, _ = await make_engine(store, bank, judge_settings, clock)
    round_id = await open_round(engine)
    fake.gate = asyncio.Event()  # the model is "thinking" until the gate opens
    [ack] = await engine.handle(TextAnswer(GROUP, ALICE, text=GOOD))
    [ack2] = await engine.handle(TextAnswer(GROUP, BOB, text=DENIAL))
    assert ack.kind is ReplyKind.ACK and ack2.kind is ReplyKind.ACK  # before any reply of the model
    assert (await row(store, round_id, ALICE))["judge_state"] == "pending"
    fake.gate.set()
    assert await engine.judgements.settle(round_id, 5)
    alice, bob = await row(store, round_id, ALICE), await row(store, round_id, BOB)
    assert alice["judge_state"] == "done" and alice["judge"] == f"llm:{MODEL}"
    assert alice["score"] == alice["judge_score"] == 10 and alice["local_score"] is not None
    assert bob["judge_score"] == bob["score"] == 0 and bob["local_score"] is not None  # both kept
    reveal = [r for r in await engine.handle(Command(GROUP, ALICE, name="reveal")) if r.kind is ReplyKind.REVEAL][0]
    lines = reveal.text.splitlines()
    assert any(line.startswith("1. **Alice** 10/10") for line in lines)
    bob_line = next(line for line in lines if "**Bob**" in line)
    assert "✗ 数据分布偏移" in bob_line and "✗ 灾难性遗忘" in bob_line
    assert "   _要点齐全，解释清楚。_" in lines  # Alice's feedback from the judge
    assert any(line.startswith("   _缺少：") for line in lines)
    assert "本地评分" not in reveal.text and "local score" not in reveal.text
    board = await store.fetchone("SELECT score FROM scores WHERE round_id = ? AND user_key = ?",
                                 (round_id, ALICE.key))
    assert board["score"] == 10
    await engine.stop_judging()


async def test_reveal_waits_at_most_the_configured_time_then_marks_local(store, bank, judge_settings, clock,
                                                                         fake: FakeOpenAI):
    settings = dataclasses.replace(judge_settings, llm_reveal_wait=0.2)
    engine, _ = await make_engine(store, bank, settings, clock)
    round_id = await open_round(engine)
    fake.gate = asyncio.Event()  # never opened: the judge does not answer in time
    await engine.handle(TextAnswer(GROUP, ALICE, text=GOOD))
    loop = asyncio.get_running_loop()
    started = loop.time()
    replies = await engine.handle(Command(GROUP, ALICE, name="reveal"))
    assert loop.time() - started < 2
    reveal = next(r for r in replies if r.kind is ReplyKind.REVEAL)
    assert "(local score)" in reveal.text  # the chat's language is English
    alice = await row(store, round_id, ALICE)
    assert alice["judge_state"] == "failed" and alice["score"] == alice["local_score"]
    fake.gate.set()
    await engine.stop_judging()


async def test_private_answer_is_acknowledged_and_the_reveal_pushed_once_judged(store, bank, judge_settings,
                                                                                clock, fake):
    engine, pushed = await make_engine(store, bank, judge_settings, clock)
    round_id = await open_round(engine, DM)
    fake.gate = asyncio.Event()
    replies = await engine.handle(TextAnswer(DM, ALICE, text=GOOD))
    assert [r.kind for r in replies] == [ReplyKind.ACK]  # no reveal held behind the model
    fake.gate.set()
    await engine.expire_due()  # the ticker: the round's reveal was brought forward to now
    reveals = [r for r in pushed.replies if r.kind is ReplyKind.REVEAL and r.round_id == round_id]
    assert len(reveals) == 1 and "10/10" in reveals[0].text
    await engine.stop_judging()


async def test_pending_judgements_survive_a_restart(settings, bank, judge_settings, clock, fake):
    store = await Store.open(settings.db_path)
    engine, _ = await make_engine(store, bank, judge_settings, clock)
    round_id = await open_round(engine)
    fake.gate = asyncio.Event()
    await engine.handle(TextAnswer(GROUP, ALICE, text=GOOD))
    while not fake.requests:
        await asyncio.sleep(0.01)
    await engine.stop_judging()  # the process stops while the judge is thinking
    await store.close()
    assert len(fake.requests) == 1
    fake.gate.set()

    store = await Store.open(settings.db_path)
    assert (await row(store, round_id, ALICE))["judge_state"] == "pending"
    engine, _ = await make_engine(store, bank, judge_settings, clock)  # start_judging re-queues it
    assert await engine.judgements.settle(round_id, 5)
    alice = await row(store, round_id, ALICE)
    assert alice["judge_state"] == "done" and alice["score"] == 10
    assert len(fake.requests) == 2  # asked again: the first reply never arrived
    await engine.stop_judging()
    await store.close()


async def test_a_changed_answer_is_judged_again_and_the_old_judgement_is_dropped(store, bank, judge_settings,
                                                                                 clock, fake):
    engine, _ = await make_engine(store, bank, judge_settings, clock)
    round_id = await open_round(engine)
    fake.gate = asyncio.Event()
    # one message, then edited: the edit replaces the answer (another message would add to it)
    await engine.handle(TextAnswer(GROUP, ALICE, text=GOOD, part_key="telegram:-1:7"))
    await engine.handle(TextAnswer(GROUP, ALICE, text="只有灾难性遗忘。", part_key="telegram:-1:7"))
    fake.gate.set()
    assert await engine.judgements.settle(round_id, 5)
    alice = await row(store, round_id, ALICE)
    assert alice["text"] == "只有灾难性遗忘。" and alice["judge_score"] == 2 and alice["score"] == 2
    await engine.stop_judging()


async def test_without_a_judge_the_reveal_shows_contradicted_points_and_the_term_list_reason(engine, clock):
    assert engine.grader.name == "local"
    round_id = await open_round(engine)
    await engine.handle(TextAnswer(GROUP, BOB, text="SFT 不需要混入通用数据，也不会灾难性遗忘。"))
    await engine.handle(TextAnswer(GROUP, ALICE, text="数据分布偏移，灾难性遗忘，数据质量，混入通用数据"))
    row_ = await engine.store.fetchone("SELECT judge_state, capped FROM answers WHERE round_id = ? AND user_key = ?",
                                       (round_id, ALICE.key))
    assert row_["judge_state"] is None and row_["capped"] == "term_list"
    reveal = next(r for r in await engine.handle(Command(GROUP, ALICE, name="reveal")) if r.kind is ReplyKind.REVEAL)
    lines = reveal.text.splitlines()
    assert any("**Alice** 3/10" in line for line in lines)
    assert "   _explain in sentences rather than listing terms_" in lines
    bob_line = next(line for line in lines if "**Bob**" in line)
    assert "✗ 混入通用数据" in bob_line and "✗ 灾难性遗忘" in bob_line
