"""The question of the day and a quiz side by side, through the console (issue 13, points 5 and 9).

A chat has the day's question open and runs a quiz beside it: plain answers go to the most recent
question unless ``/to N`` says otherwise; ``/skip``, ``/stop`` and ``/next`` act on the quiz; the
question of the day ends only at its reveal or ``/reveal daily``. ``/reveal`` acts on the question
meant (the one a command replies to, else the quiz's), and a second ``/reveal`` right after the
first never reveals the quiz's next question before anyone saw it. Texts in Chinese and English.
"""

from __future__ import annotations

import io

import pytest

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.model import ChatRef, RoundKind, RoundStatus, UserRef
from bot.replies import ReplyKind

ADMIN_TEXTS = {
    "no_quiz": {"en": "No quiz is running here. The question of the day is revealed tomorrow at 08:00; admins can "
                      "reveal it now with `/reveal daily`.",
                "zh": "这里没有进行中的测验。每日一题将于明天 08:00公布答案；管理员可用 `/reveal daily` 立即公布。"},
    "just_posted": {"en": "question 2 was posted just now, so this `/reveal` did not reveal it",
                    "zh": "第 2 题刚刚发出，所以这次 `/reveal` 没有公布它"},
    "daily_stays": {"en": "The question of the day cannot be skipped or stopped: it ends at its reveal (tomorrow at "
                          "08:00).",
                    "zh": "每日一题不能跳过或结束，它在公布答案时结束（明天 08:00）。"},
    "already": {"en": "That question has already ended (revealed or skipped).", "zh": "那道题已经结束了，答案已公布或已跳过。"},
    "to_set": {"en": "Your answers now go to #", "zh": "你接下来的答案会交给 #"},
    "to_reset": {"en": "Your answers go to the most recent question again.", "zh": "你的答案恢复为交给最新的题。"},
    "to_elsewhere": {"en": "`/to` is for the console.", "zh": "`/to` 只用于控制台。"},
    "running": {"en": "A quiz question is already open here.", "zh": "这里已经有一道测验题在进行中。"},
}
DAILY_Q, QUIZ_QS = "sft-what-learns", ("sft-why-dumber", "sft-chat-or-base", "sft-discuss-experience")
GROUP = ChatRef("console", "group", private=False, title="console group")
BOB = UserRef("console", "bob", "Bob")


def force(monkeypatch, engine: QuizEngine, daily: str = DAILY_Q, quiz: tuple[str, ...] = QUIZ_QS) -> None:
    """The question of the day is ``daily``; quizzes ask ``quiz`` in turn (the last repeats)."""
    queue = list(quiz)

    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        if difficulty is not None:  # only the question of the day asks for a difficulty
            return engine.bank.question(daily)
        return engine.bank.question(queue.pop(0) if len(queue) > 1 else queue[0])

    monkeypatch.setattr(engine.rounds, "choose", choose)


def one(replies, kind: ReplyKind):
    found = [r for r in replies if r.kind is kind]
    assert len(found) == 1, f"expected one {kind} in {[(r.kind, r.text[:60]) for r in replies]}"
    return found[0]


async def status(engine: QuizEngine, round_id: int) -> RoundStatus:
    rnd = await engine.rounds.get(round_id)
    assert rnd is not None
    return rnd.status


@pytest.fixture
def console(engine: QuizEngine) -> ConsoleAdapter:
    return ConsoleAdapter(engine, out=io.StringIO())


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_daily_and_quiz_side_by_side_on_the_console(engine, console, monkeypatch, lang):
    force(monkeypatch, engine)
    await console.feed(f"/lang {lang}")
    daily = one(await console.feed("/daily"), ReplyKind.QUESTION)
    q1 = one(await console.feed("/quiz sft 3"), ReplyKind.QUESTION)  # the day's question does not block it
    assert q1.question_id == QUIZ_QS[0] and daily.round_id != q1.round_id
    assert f"(question) #{q1.round_id}" in console.out.getvalue()  # the number /to takes

    # plain text goes to the most recent question: the quiz's
    await console.feed("/as Alice")
    ack = one(await console.feed("数据分布偏移和灾难性遗忘"), ReplyKind.ACK)
    assert ack.round_id == q1.round_id
    # /to N text answers question N; /to N aims the next answers there; /to alone aims back
    ack = one(await console.feed(f"/to {daily.round_id} SFT 学的是指令遵循"), ReplyKind.ACK)
    assert ack.round_id == daily.round_id
    aimed = one(await console.feed(f"/to #{daily.round_id}"), ReplyKind.INFO)
    assert ADMIN_TEXTS["to_set"][lang] + str(daily.round_id) in aimed.text
    ack = one(await console.feed("以及回答格式"), ReplyKind.ACK)
    assert ack.round_id == daily.round_id and ack.meta["parts"] == 2
    assert ADMIN_TEXTS["to_reset"][lang] in one(await console.feed("/to"), ReplyKind.INFO).text
    assert one(await console.feed("数据质量也很重要"), ReplyKind.ACK).round_id == q1.round_id

    # /skip and /stop act on the quiz; the question of the day stays open
    await console.feed("/as me")
    skipped = await console.feed("/skip")
    assert skipped[0].round_id == q1.round_id and one(skipped, ReplyKind.QUESTION).question_id == QUIZ_QS[1]
    stopped = await console.feed("/stop")
    assert stopped[0].kind is ReplyKind.INFO and stopped[0].round_id != daily.round_id
    assert await status(engine, daily.round_id) is RoundStatus.OPEN
    for name in ("stop", "skip", "reveal"):
        refusal = one(await console.feed(f"/{name}"), ReplyKind.ERROR)
        assert refusal.text == ADMIN_TEXTS["no_quiz"][lang]
    assert await status(engine, daily.round_id) is RoundStatus.OPEN

    # /next starts a new quiz beside the question of the day
    nxt = one(await console.feed("/next"), ReplyKind.QUESTION)
    assert nxt.round_id not in (daily.round_id, q1.round_id)
    assert ADMIN_TEXTS["running"][lang] in one(await console.feed("/quiz"), ReplyKind.ERROR).text

    # only an admin reveals the question of the day, with /reveal daily
    refused = await engine.handle(Command(GROUP, BOB, name="reveal", args=("daily",)))
    assert refused[0].kind is ReplyKind.ERROR and await status(engine, daily.round_id) is RoundStatus.OPEN
    reveal = one(await console.feed("/reveal daily"), ReplyKind.REVEAL)
    assert reveal.round_id == daily.round_id and "Alice" in reveal.text
    assert await status(engine, nxt.round_id) is RoundStatus.OPEN  # the quiz goes on


async def test_to_is_for_the_console_and_says_what_is_wrong(engine, console, monkeypatch):
    force(monkeypatch, engine)
    q = one(await console.feed("/quiz sft"), ReplyKind.QUESTION)
    assert "Usage: `/to N [answer]`" in one(await console.feed("/to x"), ReplyKind.ERROR).text
    assert one(await console.feed("/to 999"), ReplyKind.ERROR).text == "Question #999 is not open here."
    tg_group = ChatRef("telegram", "-100", private=False)
    [elsewhere] = await engine.handle(Command(tg_group, UserRef("telegram", "5", "Tg"), name="to",
                                              args=(str(q.round_id), "答案")))
    assert elsewhere.kind is ReplyKind.ERROR and elsewhere.text.startswith(ADMIN_TEXTS["to_elsewhere"]["en"])
    # a question of another chat is not open here either
    other = ChatRef("console", "other", private=False)
    [refused] = await engine.handle(Command(other, BOB, name="to", args=(str(q.round_id), "答案")))
    assert refused.text == f"Question #{q.round_id} is not open here."
    assert await engine.rounds.answered_users(q.round_id) == set()
    # an aimed question that closes sends answers back to the most recent one
    await console.feed("/as Alice")
    await console.feed(f"/to {q.round_id}")  # aimed for this member in this chat
    await console.feed("/as me")
    await console.feed("/reveal")
    q2 = one(await console.feed("/quiz sft"), ReplyKind.QUESTION)
    await console.feed("/as Alice")
    one(await console.feed("迟到的答案"), ReplyKind.ERROR)  # the closed question says so
    assert "answers go to the most recent question again" in console.out.getvalue()
    assert one(await console.feed("数据分布偏移"), ReplyKind.ACK).round_id == q2.round_id


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_second_reveal_never_reveals_the_next_question_unseen(engine, console, clock, monkeypatch, lang):
    force(monkeypatch, engine)
    await console.feed(f"/lang {lang}")
    q1 = one(await console.feed("/quiz sft 3"), ReplyKind.QUESTION)
    first = await console.feed("/reveal")
    assert one(first, ReplyKind.REVEAL).round_id == q1.round_id
    q2 = one(first, ReplyKind.QUESTION)
    clock.advance(2)
    second = one(await console.feed("/reveal"), ReplyKind.ERROR)  # a double tap, or a second admin
    assert ADMIN_TEXTS["just_posted"][lang] in second.text
    assert await status(engine, q2.round_id) is RoundStatus.OPEN
    clock.advance(5)  # once the question has been up a few seconds, /reveal means it
    assert one(await console.feed("/reveal"), ReplyKind.REVEAL).round_id == q2.round_id


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_reveal_skip_and_stop_aimed_by_a_reply(engine, console, monkeypatch, lang):
    """On Telegram a command replying to a question carries its round: /reveal reveals that one,
    an ended one is never mistaken for the current one, and /skip or /stop replying to the
    question of the day leave it open."""
    force(monkeypatch, engine)
    await console.feed(f"/lang {lang}")
    admin = console.user
    daily = one(await console.feed("/daily"), ReplyKind.QUESTION)
    q1 = one(await console.feed("/quiz sft 2"), ReplyKind.QUESTION)
    for name in ("skip", "stop"):
        [refused] = await engine.handle(Command(GROUP, admin, name=name, round_id=daily.round_id))
        assert refused.kind is ReplyKind.ERROR and refused.text.startswith(ADMIN_TEXTS["daily_stays"][lang])
    assert await status(engine, daily.round_id) is RoundStatus.OPEN
    assert await status(engine, q1.round_id) is RoundStatus.OPEN

    replies = await engine.handle(Command(GROUP, admin, name="reveal", round_id=daily.round_id))
    assert one(replies, ReplyKind.REVEAL).round_id == daily.round_id
    assert await status(engine, q1.round_id) is RoundStatus.OPEN  # the quiz's question is untouched
    [again] = await engine.handle(Command(GROUP, admin, name="reveal", round_id=daily.round_id))
    assert again.text == ADMIN_TEXTS["already"][lang]

    replies = await engine.handle(Command(GROUP, admin, name="reveal", round_id=q1.round_id))
    q2 = one(replies, ReplyKind.QUESTION)
    [again] = await engine.handle(Command(GROUP, admin, name="reveal", round_id=q1.round_id))
    assert again.text == ADMIN_TEXTS["already"][lang] and await status(engine, q2.round_id) is RoundStatus.OPEN
    # a member who did not start the quiz reveals nothing, also by replying
    [refused] = await engine.handle(Command(GROUP, BOB, name="reveal", round_id=q2.round_id))
    assert refused.kind is ReplyKind.ERROR and await status(engine, q2.round_id) is RoundStatus.OPEN


async def test_daily_never_asks_the_question_the_quiz_has_open(engine, console):
    """The question of the day is chosen beside the quiz: never the question open right now."""
    for day in range(6):
        q = one(await console.feed("/quiz sft"), ReplyKind.QUESTION)
        await engine.post_daily(GROUP, topics=["sft"], local_date=f"2026-12-{10 + day:02d}")
        daily = await engine.rounds.open_of_kind(GROUP.key, RoundKind.DAILY)
        assert daily is not None and daily.question_id != q.question_id
        await console.feed("/reveal daily")
        await console.feed("/stop")


async def test_private_practice_next_leaves_a_private_daily_alone(engine, monkeypatch):
    force(monkeypatch, engine)
    dm = ChatRef("console", "dm-bob", private=True)
    bob = UserRef("console", "bob", "Bob", is_admin=True)
    daily = one(await engine.post_daily(dm), ReplyKind.QUESTION)
    q = one(await engine.handle(Command(dm, bob, name="next")), ReplyKind.QUESTION)
    assert q.round_id != daily.round_id
    result = await engine.handle(TextAnswer(dm, bob, text="数据分布偏移", round_id=q.round_id))
    assert result[0].kind is ReplyKind.ACK and any(r.kind is ReplyKind.REVEAL for r in result)
    assert await status(engine, daily.round_id) is RoundStatus.OPEN
