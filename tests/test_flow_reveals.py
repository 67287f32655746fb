"""Reveals that teach, through the console: /skip and /stop show the answer of the question they
end; an open question's reveal quotes the best answer posted in the group (never a private one)
under the model answer; /daily follows the chat's schedule and says when it reveals. Every text in
Chinese and English."""

from __future__ import annotations

import io

import pytest

from adapters.console import ConsoleAdapter, plain
from bot.engine import QuizEngine
from bot.events import ButtonPress, Command, TextAnswer
from bot.model import ChatRef, Kind, UserRef
from bot.replies import ReplyKind
from bot.views import LETTERS
from scheduler.service import DailyScheduler

GROUP = ChatRef("console", "g1", private=False, title="study group")
ALICE = UserRef("console", "alice", "A*li[c]e")  # Markdown in a name must stay literal
BOB = UserRef("console", "bob", "Bob")
CAROL = UserRef("console", "carol", "Carol")
ADMIN = UserRef("console", "root", "Root", is_admin=True)

GOOD = ("SFT 之后模型变傻，主要是因为数据分布偏移，模型过拟合到新的分布；同时会发生灾难性遗忘，学新任务时覆盖了旧知识；"
        "数据质量低也会让模型变得刻板，所以训练时要混入通用数据。")
TEXTS = {
    "skipped": {"en": "Question skipped; not scored.", "zh": "已跳过本题，不计分。"},
    "stopped": {"en": "The quiz was stopped.", "zh": "本轮测验已结束。"},
    "title": {"en": "**Answer** · ", "zh": "**答案揭晓** · "},
    "model": {"en": "**Model answer**", "zh": "**参考答案**"},
    "best": {"en": "**Best answer in the chat** · ", "zh": "**本群最佳回答** · "},
    "correct": {"en": "**Correct answer**: ", "zh": "**正确答案**："},
}


def cmd(name: str, *args: str, user: UserRef = ADMIN, chat: ChatRef = GROUP) -> Command:
    return Command(chat, user, name=name, args=args)


def of_kind(replies, kind: ReplyKind):
    found = [r for r in replies if r.kind is kind]
    assert found, f"no {kind} in {[r.kind for r in replies]}"
    return found[0]


async def open_question(engine: QuizEngine, topic: str, want, count: int = 1):
    """Start quizzes on ``topic`` (skipping others) until the question asked satisfies ``want``."""
    for _ in range(12):
        q = of_kind(await engine.handle(cmd("quiz", topic, str(count), user=ALICE)), ReplyKind.QUESTION)
        question = engine.bank.question(q.question_id)
        if want(question):
            return q, question
        await engine.handle(cmd("stop"))
    raise AssertionError(f"no such question in {topic}")


def is_open(q) -> bool:
    return q.kind is Kind.OPEN and not q.is_discussion


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_skip_shows_the_model_answer(engine: QuizEngine, lang):
    await engine.handle(cmd("lang", lang))
    q, question = await open_question(engine, "sft", is_open, count=2)
    replies = await engine.handle(cmd("skip", user=ALICE))  # the starter may skip
    ended = replies[0]
    assert ended.kind is ReplyKind.INFO and ended.round_id == q.round_id
    assert ended.text.startswith(TEXTS["skipped"][lang])
    assert TEXTS["title"][lang] + question.prompt[:20] in ended.text
    assert ended.folded.startswith(TEXTS["model"][lang]) and question.answer.splitlines()[0] in ended.folded
    assert replies[1].kind is ReplyKind.QUESTION and "2/2" in replies[1].text  # the quiz goes on


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_stop_shows_the_model_answer_through_the_console(engine: QuizEngine, lang):
    out = io.StringIO()
    console = ConsoleAdapter(engine, out=out)
    await console.feed(f"/lang {lang}")
    for _ in range(12):
        question = engine.bank.question(of_kind(await console.feed("/quiz sft 3"), ReplyKind.QUESTION).question_id)
        if is_open(question):
            break
        await console.feed("/stop")
    replies = await console.feed("/stop")
    assert replies[0].text.startswith(TEXTS["stopped"][lang])
    assert question.answer.splitlines()[0] in replies[0].folded
    printed = out.getvalue().rsplit("(info)", 1)[1]  # what the console showed for the /stop
    assert TEXTS["stopped"][lang] in printed and plain(question.answer.splitlines()[0]) in printed


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_skipped_choice_question_shows_its_correct_option(engine: QuizEngine, lang):
    await engine.handle(cmd("lang", lang))
    q, question = await open_question(engine, "arch", lambda x: x.kind is Kind.CHOICE)
    ended = (await engine.handle(cmd("skip")))[0]
    # letters as the members saw them (the options are shuffled per round)
    correct = ", ".join(f"{LETTERS[i]}. {q.options[i]}" for i in q.correct)
    assert TEXTS["correct"][lang] + correct in ended.text
    assert question.explanation in ended.text


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_reveal_quotes_the_best_group_answer_never_a_private_one(engine: QuizEngine, lang):
    await engine.handle(cmd("lang", lang))
    q, question = await open_question(engine, "sft", lambda x: x.id == "sft-why-dumber")
    # Carol answers privately, and better than anyone: her words must not reach the group
    await engine.handle(ButtonPress(GROUP, CAROL, data=f"qb:ans:{q.round_id}"))
    dm = ChatRef("console", "dm-carol", private=True)
    secret = GOOD + "另外要用 replay 混合通用语料，我的私人笔记。"
    ack = await engine.handle(TextAnswer(dm, CAROL, text=secret))
    assert ack[0].kind is ReplyKind.ACK
    await engine.handle(TextAnswer(GROUP, BOB, text="灾难性遗忘。其他不清楚"))
    await engine.handle(TextAnswer(GROUP, ALICE, text=GOOD + " *bold* [x](http://e.x)"))
    reveal = of_kind(await engine.handle(cmd("reveal")), ReplyKind.REVEAL)
    model_at = reveal.folded.index(TEXTS["model"][lang])
    best_at = reveal.folded.index(TEXTS["best"][lang])
    assert model_at < best_at  # under the model answer
    best = reveal.folded[best_at:]
    assert "**A\\*li\\[c\\]e**" in best  # attributed, the name escaped
    quote = best.split("\n> ", 1)[1]
    assert quote.startswith("SFT 之后模型变傻") and "\\*bold\\* \\[x\\](http://e.x)" in quote
    assert "私人笔记" not in reveal.folded and "私人笔记" not in reveal.text


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_best_answer_is_clipped_and_absent_when_nobody_scored_in_the_group(engine: QuizEngine, lang):
    await engine.handle(cmd("lang", lang))
    await open_question(engine, "sft", lambda x: x.id == "sft-why-dumber")
    long = GOOD + "".join(f"第{i}点：训练数据要混合通用语料，学习率不要太大，避免遗忘。" for i in range(12))
    assert len(long) > 300
    await engine.handle(TextAnswer(GROUP, BOB, text=long))
    reveal = of_kind(await engine.handle(cmd("reveal")), ReplyKind.REVEAL)
    quote = reveal.folded.split("\n> ", 1)[1]
    assert len(quote) <= 300 and quote.endswith("…")
    # a round where the group's only answer scored nothing: no "best answer" at all
    await open_question(engine, "sft", lambda x: x.id == "sft-why-dumber")
    await engine.handle(TextAnswer(GROUP, BOB, text="不知道"))
    reveal = of_kind(await engine.handle(cmd("reveal")), ReplyKind.REVEAL)
    assert TEXTS["best"][lang] not in reveal.folded and reveal.folded.startswith(TEXTS["model"][lang])


# -- /daily follows the chat's schedule -----------------------------------------------------------

HINTS = {
    "open_today": {"en": "the answer is revealed at 21:00.", "zh": "今天 21:00 公布答案。"},
    "choice_today": {"en": "Pick an option (first pick counts); the answer is revealed at 21:00.",
                     "zh": "选择一个选项（以第一次选择为准），今天 21:00 公布答案。"},
    "tomorrow": {"en": "the answer is revealed tomorrow at 08:00.", "zh": "明天 08:00 公布答案。"},
}


@pytest.fixture
async def daily(engine: QuizEngine):
    scheduler = DailyScheduler(engine, engine.settings)
    await scheduler.start()
    yield scheduler
    await scheduler.stop()


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_daily_uses_the_schedules_topics_and_reveal_time(engine: QuizEngine, daily, clock, lang):
    await engine.handle(cmd("lang", lang))
    saved = await engine.handle(cmd("schedule", "09:00", "北京时间", "arch", "reveal", "21:00"))
    assert saved[0].kind is ReplyKind.INFO
    posted = of_kind(await engine.handle(cmd("daily")), ReplyKind.QUESTION)
    question = engine.bank.question(posted.question_id)
    assert question.topic == "arch"  # the schedule's topic, not the whole bank
    rnd = await engine.rounds.get(posted.round_id)
    assert rnd.closes_at == clock.now + 3600  # 21:00 in Shanghai; it is 20:00 there now
    key = "choice_today" if question.kind is Kind.CHOICE else "open_today"
    assert HINTS[key][lang] in posted.text
    assert "21:00内" not in posted.text and "within 21:00" not in posted.text


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_daily_topics_typed_win_but_the_reveal_time_is_the_schedules(engine: QuizEngine, daily, clock, lang):
    await engine.handle(cmd("lang", lang))
    await engine.handle(cmd("schedule", "09:00", "arch", "reveal", "+3h"))
    posted = of_kind(await engine.handle(cmd("daily", "微调")), ReplyKind.QUESTION)
    assert engine.bank.question(posted.question_id).topic == "sft"
    assert (await engine.rounds.get(posted.round_id)).closes_at == clock.now + 3 * 3600


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_daily_without_a_schedule_reveals_after_the_default_delay(engine: QuizEngine, daily, clock, lang):
    await engine.handle(cmd("lang", lang))
    posted = of_kind(await engine.handle(cmd("daily", "sft")), ReplyKind.QUESTION)
    assert (await engine.rounds.get(posted.round_id)).closes_at == clock.now + 12 * 3600
    assert HINTS["tomorrow"][lang] in posted.text  # 20:00 + 12 h is 08:00 the next day
