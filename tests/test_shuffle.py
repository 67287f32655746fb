"""Choice options are shuffled per round: the order is stored with the round, and scoring, buttons,
the console and the reveal all read it, so a pick of the option shown as correct scores 10."""

from __future__ import annotations

import io
import random
from collections import Counter

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from bot.events import ButtonPress, Command, TextAnswer
from bot.model import ChatRef, Kind, Question, RoundKind, UserRef
from bot.replies import Reply, ReplyKind
from bot.rounds import Rounds
from bot.storage import Store

GROUP = ChatRef("console", "g1", private=False, title="study group")
ALICE = UserRef("console", "alice", "Alice")
BOB = UserRef("console", "bob", "Bob")
ADMIN = UserRef("console", "root", "Root", is_admin=True)
LETTERS = "ABCDEFGHIJKL"


def cmd(name: str, *args: str, user: UserRef = ALICE) -> Command:
    return Command(GROUP, user, None, None, name, args)


def only(replies: list[Reply], kind: ReplyKind) -> Reply:
    found = [r for r in replies if r.kind is kind]
    assert len(found) == 1, [r.kind for r in replies]
    return found[0]


def force(monkeypatch, engine: QuizEngine, qid: str) -> Question:
    question = engine.bank.question(qid)
    assert question is not None

    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        return question

    monkeypatch.setattr(engine.rounds, "choose", choose)
    return question


def test_in_order_moves_the_correct_index_with_its_option():
    q = Question("q", "t", Kind.CHOICE, "?", options=("a", "b", "c", "d"), correct=(1,))
    shown = q.in_order((2, 1, 3, 0))
    assert shown.options == ("c", "b", "d", "a") and shown.correct == (1,)
    shown = q.in_order((1, 0, 2, 3))
    assert shown.options[shown.correct[0]] == "b" and shown.correct == (0,)
    # an order that does not fit (the bank changed since the round opened) keeps the bank's order
    assert q.in_order((0, 1, 2)) is q and q.in_order(()) is q and q.in_order((0, 0, 1, 2)) is q
    opened = Question("o", "t", Kind.OPEN, "?")
    assert opened.in_order((1, 0)) is opened


async def test_pick_of_the_shown_correct_option_scores_ten_and_the_reveal_agrees(engine, monkeypatch):
    bank_q = force(monkeypatch, engine, "arch-chatglm-family")
    question = only(await engine.handle(cmd("quiz", "arch")), ReplyKind.QUESTION)
    rnd = await engine.rounds.get(question.round_id)
    assert sorted(rnd.option_order) == list(range(len(bank_q.options)))
    assert sorted(question.options) == sorted(bank_q.options)
    [right] = question.correct
    assert question.options[right] == bank_q.options[bank_q.correct[0]]
    # the question text and the buttons list the options in the shown order
    for i, option in enumerate(question.options):
        assert f"{LETTERS[i]}. {option}" in question.text
        assert question.buttons[i].data == f"qb:pick:{rnd.id}:{i}" and option in question.buttons[i].label
    wrong = (right + 1) % len(question.options)
    await engine.handle(ButtonPress(GROUP, ALICE, None, None, question.buttons[right].data))
    await engine.handle(ButtonPress(GROUP, BOB, None, None, question.buttons[wrong].data))
    reveal = only(await engine.handle(cmd("reveal")), ReplyKind.REVEAL)
    assert f"{LETTERS[right]}. {bank_q.options[bank_q.correct[0]]}" in reveal.text
    assert f"**Alice** 10/10 · {LETTERS[right]} ✅" in reveal.text
    assert f"**Bob** 0/10 · {LETTERS[wrong]} ❌" in reveal.text


async def test_console_letter_means_the_option_shown_under_it(engine, monkeypatch):
    bank_q = force(monkeypatch, engine, "arch-llama-family")
    console = ConsoleAdapter(engine, out=io.StringIO())
    for typed in (lambda i: LETTERS[i].lower() + ")", lambda i: str(i + 1)):  # "b)" or "2"
        [question] = await console.feed("/quiz arch")
        assert question.kind is ReplyKind.QUESTION
        [right] = question.correct
        assert question.options[right] == "Causal Decoder" == bank_q.options[bank_q.correct[0]]
        assert f"{LETTERS[right]}. Causal Decoder" in console.out.getvalue().split("(question)")[-1]
        await console.feed("/as Alice")
        await console.feed(typed(right))
        await console.feed("/as me")
        reveal = only(await console.feed("/reveal"), ReplyKind.REVEAL)
        assert f"{LETTERS[right]}. Causal Decoder" in reveal.text
        assert f"**Alice** 10/10 · {LETTERS[right]} ✅" in reveal.text


async def test_order_is_stored_and_survives_a_restart(engine, monkeypatch, bank, settings, clock):
    force(monkeypatch, engine, "arch-chatglm-family")
    question = only(await engine.handle(cmd("quiz", "arch")), ReplyKind.QUESTION)
    [right] = question.correct
    # a second engine on the same database (a restart) scores by the stored order
    other = QuizEngine(engine.store, bank, settings, clock=clock, rng=random.Random(99))
    replies = await other.handle(TextAnswer(GROUP, ALICE, None, None, LETTERS[right]))
    assert replies[0].kind is ReplyKind.ACK
    reveal = only(await other.handle(cmd("reveal")), ReplyKind.REVEAL)
    assert "**Alice** 10/10" in reveal.text


async def test_same_rng_gives_the_same_orders_and_every_position_occurs(store: Store, bank):
    q = bank.question("arch-chatglm-family")
    assert q is not None

    async with store.write() as db:  # rounds belong to a known chat
        await db.execute("INSERT INTO chats(key, platform, created_at) VALUES (?, 'console', 0)", (GROUP.key,))

    async def orders(seed: int) -> list[tuple[int, ...]]:
        rounds = Rounds(store, bank, random.Random(seed))
        out = []
        for _ in range(200):
            rnd = await rounds.create(GROUP.key, q, RoundKind.QUIZ, None, 0.0, None)
            assert rnd is not None
            out.append(rnd.option_order)
            await rounds.close(rnd.id, 1.0, skipped=True)
        return out

    first, again = await orders(3), await orders(3)
    assert first == again  # deterministic under the engine's rng
    where = Counter(order.index(q.correct[0]) for order in first)
    assert set(where) == set(range(len(q.options)))  # the right option appears at every position
    assert max(where.values()) < 100  # and is not stuck at one (uniform: ~50 each of 200)

