"""The weekly recap (issue 13, point 12): opt-in per chat with /recap (admins), Sunday 21:00 in the
chat's zone by default; the week's top five, the longest running streaks and the most-missed
question with its model answer; exactly once a week, across restarts and a second process; late
only within the grace window. The engine's clock is moved by hand; ``tick`` is the minutely job."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import Reply, ReplyKind
from scheduler.recap import WeeklyRecaps, next_recap, parse_recap, week_of
from scheduler.service import DailyScheduler

GROUP = ChatRef("telegram", "-200", private=False, title="study group")
ADMIN = UserRef("telegram", "1", "Admin", is_admin=True)
MEMBER = UserRef("telegram", "2", "Member")
PLAYERS = [UserRef("telegram", str(10 + i), name) for i, name in enumerate(("Ann", "Ben", "Cai", "Dan", "Eve", "Fay"))]
GOOD = "主要原因是数据分布偏移和灾难性遗忘，数据质量差也有影响，所以训练时要混入通用数据。"
# the clock starts Wednesday 2026-11-18 12:00 UTC = 20:00 in Asia/Shanghai
SUNDAY_2100 = datetime(2026, 11, 22, 13, 0, tzinfo=UTC).timestamp()  # 21:00 in Shanghai
WEEK = 7 * 86400.0


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Reply] = []

    async def send(self, reply: Reply) -> None:
        self.sent.append(reply)


@pytest.fixture
def sent(engine: QuizEngine) -> list[Reply]:
    recorder = Recorder()
    engine.add_messenger("telegram", recorder)
    return recorder.sent


@pytest.fixture
def daily(engine: QuizEngine, settings) -> DailyScheduler:
    scheduler = DailyScheduler(engine, settings)  # not started: its jobs are driven by hand
    engine.register_commands(scheduler)
    return scheduler


async def recap(engine: QuizEngine, *args: str, user: UserRef = ADMIN) -> Reply:
    [reply] = await engine.handle(Command(GROUP, user, name="recap", args=args))
    return reply


async def play_day(engine: QuizEngine, clock, at: float, answers: dict[UserRef, str], qid: str) -> None:
    """One question of the day at ``at``, answered and revealed."""
    clock.now = at

    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        return engine.bank.question(qid)

    engine.rounds.choose = choose  # type: ignore[method-assign]
    [question] = await engine.post_daily(GROUP, local_date=engine.local_date("Asia/Shanghai", at))
    for user, text in answers.items():
        assert (await engine.handle(TextAnswer(GROUP, user, text=text, round_id=question.round_id)))[0].kind \
            is ReplyKind.ACK
    await engine.handle(Command(GROUP, ADMIN, name="reveal", args=("daily",)))


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_recap_is_admin_only_and_says_when(engine, daily, lang):
    await engine.handle(Command(GROUP, ADMIN, name="lang", args=(lang,)))
    refused = await recap(engine, "on", user=MEMBER)
    assert refused.kind is ReplyKind.ERROR and "/recap" in refused.text
    assert (await recap(engine)).text.startswith({"en": "The weekly recap is off", "zh": "本群没有开启每周回顾"}[lang])
    on = await recap(engine, "on")
    expected = {"en": "Weekly recap on: every Sun at 21:00 (Asia/Shanghai). Next one: 2026-11-22 21:00.",
                "zh": "已开启每周回顾：每周日 21:00（Asia/Shanghai）。下次：2026-11-22 21:00。"}
    assert on.text == expected[lang]
    friday = await recap(engine, "on", "周五" if lang == "zh" else "fri", "18:30")
    assert "2026-11-20 18:30" in friday.text
    bad = await recap(engine, "on", "someday")
    assert bad.kind is ReplyKind.ERROR and "someday" in bad.text
    assert "2026-11-20 18:30" in (await recap(engine)).text  # nothing changed
    assert (await recap(engine, "off")).kind is ReplyKind.INFO
    assert (await engine.store.fetchone("SELECT enabled FROM recaps"))["enabled"] == 0


def test_parsing_and_next_times():
    assert parse_recap([]) == (6, "21:00")
    assert parse_recap(["19:00", "星期三"]) == (2, "19:00")
    assert parse_recap(["monday"]) == (0, "21:00")
    # 21:00 Sunday in Berlin across the end of daylight saving (2026-10-25): still 21:00 local
    before = datetime(2026, 10, 19, tzinfo=UTC).timestamp()
    at = next_recap(6, "21:00", "Europe/Berlin", before)
    assert datetime.fromtimestamp(at, UTC).hour == 20  # CET = UTC+1 after the change
    assert next_recap(6, "21:00", "Asia/Shanghai", SUNDAY_2100) == SUNDAY_2100 + WEEK
    assert week_of(SUNDAY_2100, "Asia/Shanghai") == "2026-W47"


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_recap_shows_the_week_once(engine, daily, clock, sent, lang):
    await engine.handle(Command(GROUP, ADMIN, name="lang", args=(lang,)))
    await recap(engine, "on")
    ann, ben, cai, dan, eve, fay = PLAYERS
    noon = datetime(2026, 11, 20, 4, 0, tzinfo=UTC).timestamp()  # Friday noon in Shanghai
    # Friday to Sunday: three days in a row for Ann and Ben; everyone misses the Chat-or-Base question
    learns = "SFT 主要在学指令遵循和回答格式，知识来自预训练。"
    await play_day(engine, clock, noon, {ann: GOOD, ben: "灾难性遗忘", fay: "数据分布偏移"}, "sft-why-dumber")
    await play_day(engine, clock, noon + 86400, {ann: learns, ben: learns, cai: "回答格式"}, "sft-what-learns")
    await play_day(engine, clock, noon + 2 * 86400, {ann: "不知道", ben: "不知道", dan: "不清楚", eve: "chat"},
                   "sft-chat-or-base")
    recaps = WeeklyRecaps(engine, engine.settings)
    clock.now = SUNDAY_2100 - 60
    assert await recaps.tick() == 0 and sent == []
    clock.now = SUNDAY_2100
    assert await recaps.tick() == 1
    [message] = sent
    assert message.chat == GROUP and message.kind is ReplyKind.INFO
    text = message.text
    assert text.startswith({"en": "**Weekly recap** · 2026-11-15 – 2026-11-22",
                            "zh": "**本周回顾** · 2026-11-15 – 2026-11-22"}[lang])
    top = text.split({"en": "**Top five this week**", "zh": "**本周前五名**"}[lang])[1]
    ranked = [p.name for p in PLAYERS if f"**{p.name}**" in top.split("**Longest")[0].split("**连续")[0]]
    assert len(ranked) == 5 and "🥇 **Ann**" in top
    streak_lines = [line for line in text.splitlines() if line.startswith("🔥")]
    assert streak_lines[:2] == {"en": ["🔥 **Ann** 3 days in a row", "🔥 **Ben** 3 days in a row"],
                                "zh": ["🔥 **Ann** 连续 3 天", "🔥 **Ben** 连续 3 天"]}[lang]
    chat_or_base = engine.bank.question("sft-chat-or-base")
    assert chat_or_base.prompt in text  # the most-missed question, with its model answer folded
    assert {"en": "**The most-missed question** · average", "zh": "**本周最难的一题** · 平均"}[lang] in text
    assert chat_or_base.answer.strip().splitlines()[0] in message.folded

    # once: again this minute, after a restart, from a second process
    assert await recaps.tick() == 0
    assert await WeeklyRecaps(engine, engine.settings).tick() == 0
    assert len(sent) == 1
    # the row moved on to next Sunday
    row = await engine.store.fetchone("SELECT next_at FROM recaps")
    assert row["next_at"] == SUNDAY_2100 + WEEK


async def test_moving_the_recap_later_in_the_same_week_does_not_send_it_twice(engine, daily, clock, sent):
    await recap(engine, "on")
    await play_day(engine, clock, SUNDAY_2100 - 3600, {PLAYERS[0]: GOOD}, "sft-why-dumber")
    recaps = WeeklyRecaps(engine, engine.settings)
    clock.now = SUNDAY_2100
    assert await recaps.tick() == 1
    await recap(engine, "on", "sun", "23:00")  # the same Sunday, later
    clock.now = SUNDAY_2100 + 2 * 3600
    assert await recaps.tick() == 0 and len(sent) == 1  # week 47 is claimed already


async def test_two_processes_claim_the_week_once(engine, daily, clock, sent):
    await recap(engine, "on")
    await play_day(engine, clock, SUNDAY_2100 - 3600, {PLAYERS[0]: GOOD}, "sft-why-dumber")
    clock.now = SUNDAY_2100
    counts = await asyncio.gather(*(WeeklyRecaps(engine, engine.settings).tick() for _ in range(3)))
    assert sum(counts) == 1 and len(sent) == 1


async def test_missed_beyond_the_grace_is_skipped_and_an_empty_week_sends_nothing(engine, daily, clock, sent):
    await recap(engine, "on")
    await play_day(engine, clock, SUNDAY_2100 - 3600, {PLAYERS[0]: GOOD}, "sft-why-dumber")
    recaps = WeeklyRecaps(engine, engine.settings)
    clock.now = SUNDAY_2100 + engine.settings.grace_minutes * 60 + 1  # the bot was down past the grace
    assert await recaps.tick() == 0 and sent == []
    assert (await engine.store.fetchone("SELECT next_at FROM recaps"))["next_at"] == SUNDAY_2100 + WEEK
    clock.now = SUNDAY_2100 + WEEK + 30  # nobody played in the week before: nothing to say
    assert await recaps.tick() == 0 and sent == []
    assert (await engine.store.fetchone("SELECT next_at FROM recaps"))["next_at"] == SUNDAY_2100 + 2 * WEEK


async def test_late_within_the_grace_is_sent_once_after_a_restart(engine, daily, clock, sent):
    await recap(engine, "on")
    await play_day(engine, clock, SUNDAY_2100 - 3600, {PLAYERS[0]: GOOD}, "sft-why-dumber")
    clock.now = SUNDAY_2100 + 600  # started again ten minutes after 21:00
    assert await WeeklyRecaps(engine, engine.settings).tick() == 1
    assert await WeeklyRecaps(engine, engine.settings).tick() == 0  # and again
    assert len(sent) == 1
