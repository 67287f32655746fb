"""Follow-ups add up, through the console and the engine (issue 13, point 7).

A member's later message to the same question before the reveal is appended to their answer and
the whole is graded; the acknowledgement says so. An edited message (Telegram ``edited_message``,
the same ``part_key``) replaces the part it contributed. The whole answer stays within the length
limit; a part written privately keeps the whole answer out of the group's reveal quote.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import random

import pytest

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from bot.events import ButtonPress, Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import ReplyKind

GROUP = ChatRef("console", "group", private=False, title="console group")
ALICE = UserRef("console", "alice", "Alice")
BOB = UserRef("console", "bob", "Bob")
ADMIN = UserRef("console", "root", "Root", is_admin=True)
QID = "sft-why-dumber"  # key points: 数据分布偏移, 灾难性遗忘, 数据质量, 混入通用数据
PART1 = "主要原因是数据分布偏移：SFT 数据和预训练数据不同，模型过拟合到新的分布。"
PART2 = "另外还有灾难性遗忘，学新任务的时候覆盖了旧知识。"
PART2_EDITED = "另外还有灾难性遗忘，学新任务时覆盖旧知识；所以训练时要混入通用数据。"
ACKS = {
    "added": {"en": "Added to your answer, Alice: 2 parts, graded as a whole.",
              "zh": "已把 Alice 的补充并入答案：共 2 段，合并评分。"},
    "edited": {"en": "Replaced that part of your answer, Alice: 2 parts, graded as a whole.",
               "zh": "已用修改后的内容替换 Alice 答案中的那一段：共 2 段，合并评分。"},
    "too_long": {"en": "With this part your answer would be", "zh": "加上这一段，你的答案共"},
}


@pytest.fixture(autouse=True)
def ask_the_same_question(engine: QuizEngine, monkeypatch):
    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        return engine.bank.question(QID)

    monkeypatch.setattr(engine.rounds, "choose", choose)


def one(replies, kind: ReplyKind):
    found = [r for r in replies if r.kind is kind]
    assert len(found) == 1, f"expected one {kind} in {[(r.kind, r.text[:60]) for r in replies]}"
    return found[0]


async def stored(engine: QuizEngine, round_id: int, user: UserRef):
    return await engine.store.fetchone(
        "SELECT text, parts, score, hits, private FROM answers WHERE round_id = ? AND user_key = ?",
        (round_id, user.key))


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_second_message_is_appended_and_graded_as_a_whole(engine, lang):
    console = ConsoleAdapter(engine, out=io.StringIO())
    await console.feed(f"/lang {lang}")
    q = one(await console.feed("/quiz sft"), ReplyKind.QUESTION)
    await console.feed("/as Alice")
    first = one(await console.feed(PART1), ReplyKind.ACK)
    assert first.meta["status"] == "new"
    alone = (await stored(engine, q.round_id, ALICE))["score"]
    second = one(await console.feed(PART2), ReplyKind.ACK)
    assert second.text == ACKS["added"][lang] and second.meta == {"status": "changed", "follow_up": "added", "parts": 2}
    row = await stored(engine, q.round_id, ALICE)
    assert row["text"] == PART1 + "\n" + PART2
    assert row["score"] > alone and "灾难性遗忘" in row["hits"] and "数据分布偏移" in row["hits"]
    assert ACKS["added"][lang] in console.out.getvalue()  # what the member read
    await console.feed("/as me")
    reveal = one(await console.feed("/reveal"), ReplyKind.REVEAL)
    assert "✅ 数据分布偏移" in reveal.text and "✅ 灾难性遗忘" in reveal.text


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_an_edited_message_replaces_its_own_part(engine, lang):
    await engine.handle(Command(GROUP, ADMIN, name="lang", args=(lang,)))
    q = one(await engine.handle(Command(GROUP, ALICE, name="quiz", args=("sft",))), ReplyKind.QUESTION)

    def message(text: str, key: str) -> TextAnswer:
        return TextAnswer(GROUP, ALICE, text=text, round_id=q.round_id, part_key=key)

    await engine.handle(message(PART1, "telegram:-1:10"))
    await engine.handle(message(PART2, "telegram:-1:11"))
    before = (await stored(engine, q.round_id, ALICE))["score"]
    edited = one(await engine.handle(message(PART2_EDITED, "telegram:-1:11")), ReplyKind.ACK)
    assert edited.text == ACKS["edited"][lang] and edited.meta["follow_up"] == "edited"
    row = await stored(engine, q.round_id, ALICE)
    assert row["text"] == PART1 + "\n" + PART2_EDITED  # in place: the first part stays first
    assert row["parts"] == ('[["telegram:-1:10","' + PART1 + '"],["telegram:-1:11","' + PART2_EDITED + '"]]')
    assert row["score"] > before and "混入通用数据" in row["hits"]
    # editing the first message replaces the first part only
    await engine.handle(message("数据质量差也会让模型变傻。", "telegram:-1:10"))
    row = await stored(engine, q.round_id, ALICE)
    assert row["text"] == "数据质量差也会让模型变傻。\n" + PART2_EDITED and "数据分布偏移" not in row["hits"]


async def test_the_only_part_edited_says_updated(engine):
    q = one(await engine.handle(Command(GROUP, ALICE, name="quiz", args=("sft",))), ReplyKind.QUESTION)
    await engine.handle(TextAnswer(GROUP, ALICE, text=PART1, round_id=q.round_id, part_key="k1"))
    ack = one(await engine.handle(TextAnswer(GROUP, ALICE, text=PART2, round_id=q.round_id, part_key="k1")),
              ReplyKind.ACK)
    assert ack.text == "Updated your answer, Alice." and (await stored(engine, q.round_id, ALICE))["text"] == PART2


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_whole_answer_stays_within_the_length_limit(store, bank, settings, clock, lang):
    engine = QuizEngine(store, bank, dataclasses.replace(settings, max_answer_chars=60), clock=clock,
                        rng=random.Random(7))
    await engine.handle(Command(GROUP, ADMIN, name="lang", args=(lang,)))
    q = one(await engine.handle(Command(GROUP, ALICE, name="quiz", args=("sft",))), ReplyKind.QUESTION)
    await engine.handle(TextAnswer(GROUP, ALICE, text=PART1))  # 37 characters
    refused = one(await engine.handle(TextAnswer(GROUP, ALICE, text=PART2 + "所以要混入通用数据。")), ReplyKind.ERROR)
    assert refused.text.startswith(ACKS["too_long"][lang]) and "60" in refused.text
    assert (await stored(engine, q.round_id, ALICE))["text"] == PART1  # nothing added
    # a shorter follow-up that keeps the whole within the limit is taken
    one(await engine.handle(TextAnswer(GROUP, ALICE, text="灾难性遗忘。")), ReplyKind.ACK)


async def test_a_private_part_keeps_the_whole_answer_out_of_the_group_quote(engine):
    q = one(await engine.handle(Command(GROUP, ALICE, name="quiz", args=("sft",))), ReplyKind.QUESTION)
    await engine.handle(TextAnswer(GROUP, ALICE, text=PART1))
    await engine.handle(ButtonPress(GROUP, ALICE, data=f"qb:ans:{q.round_id}"))
    dm = ChatRef("console", "dm-alice", private=True)
    secret = "我的私人笔记：" + PART2_EDITED
    ack = one(await engine.handle(TextAnswer(dm, ALICE, text=secret)), ReplyKind.ACK)
    assert ack.meta["follow_up"] == "added"
    row = await stored(engine, q.round_id, ALICE)
    assert row["private"] == 1 and row["text"] == PART1 + "\n" + secret
    # a later group reply does not make it public again
    await engine.handle(TextAnswer(GROUP, ALICE, text="数据质量也很重要。"))
    assert (await stored(engine, q.round_id, ALICE))["private"] == 1
    reveal = one(await engine.handle(Command(GROUP, ALICE, name="reveal")), ReplyKind.REVEAL)
    assert "私人笔记" not in reveal.text + reveal.folded and PART1 not in reveal.folded


async def test_follow_ups_sent_at_once_are_all_kept(engine):
    """Several messages of one member stored at the same moment: each reads the parts, the one
    that writes second finds the answer moved on and reads again, so no part is lost."""
    q = one(await engine.handle(Command(GROUP, ALICE, name="quiz", args=("sft",))), ReplyKind.QUESTION)
    await engine.handle(TextAnswer(GROUP, ALICE, text=PART1, part_key="m0"))
    texts = [f"补充第 {i} 点：数据质量。" for i in range(1, 4)]
    results = await asyncio.gather(*(engine.handle(TextAnswer(GROUP, ALICE, text=t, part_key=f"m{i}"))
                                     for i, t in enumerate(texts, 1)))
    assert all(r[0].kind is ReplyKind.ACK for r in results)
    row = await stored(engine, q.round_id, ALICE)
    assert row["text"].split("\n")[0] == PART1 and sorted(row["text"].split("\n")[1:]) == texts


async def test_follow_up_after_the_reveal_is_refused(engine):
    q = one(await engine.handle(Command(GROUP, ALICE, name="quiz", args=("sft",))), ReplyKind.QUESTION)
    await engine.handle(TextAnswer(GROUP, ALICE, text=PART1))
    await engine.handle(Command(GROUP, ALICE, name="reveal"))
    late = one(await engine.handle(TextAnswer(GROUP, ALICE, text=PART2, round_id=q.round_id)), ReplyKind.ERROR)
    assert "closed" in late.text and (await stored(engine, q.round_id, ALICE))["text"] == PART1


async def test_a_follow_up_to_an_answer_stored_before_a_restart_is_appended(engine, store, bank, settings, clock):
    """A first answer is written without reading the member's stored parts; an answer stored by
    another engine on the same database (this process before a restart) is found, not overwritten."""
    q = one(await engine.handle(Command(GROUP, ALICE, name="quiz", args=("sft",))), ReplyKind.QUESTION)
    await engine.handle(TextAnswer(GROUP, ALICE, text=PART1, round_id=q.round_id))
    restarted = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(8))
    ack = one(await restarted.handle(TextAnswer(GROUP, ALICE, text=PART2, round_id=q.round_id)), ReplyKind.ACK)
    assert ack.meta == {"status": "changed", "follow_up": "added", "parts": 2}
    assert (await stored(engine, q.round_id, ALICE))["text"] == PART1 + "\n" + PART2
