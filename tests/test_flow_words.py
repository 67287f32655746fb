"""Words people type and read, through the console in Chinese and English: leaderboard periods,
schedule days and zones as Chinese speakers write them, topic words routed to their topic, and the
texts that read oddly before (schedule summaries, /topics and ranking legends, /me)."""

from __future__ import annotations

import random
import re

import pytest

from bot.bank import QuestionBank
from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.local_time import zone_label, zone_of
from bot.model import ChatRef, UserRef
from bot.replies import ReplyKind
from scheduler.parse import ScheduleError, parse, parse_days
from scheduler.service import DailyScheduler
from tests.conftest import REPO

GROUP = ChatRef("console", "g1", private=False, title="study group")
ALICE = UserRef("console", "alice", "Alice")
ADMIN = UserRef("console", "root", "Root", is_admin=True)
GOOD = ("SFT 之后模型变傻，主要是因为数据分布偏移，模型过拟合到新的分布；同时会发生灾难性遗忘，学新任务时覆盖了旧知识；"
        "数据质量低也会让模型变得刻板，所以训练时要混入通用数据。")


def cmd(name: str, *args: str, user: UserRef = ADMIN) -> Command:
    return Command(GROUP, user, name=name, args=args)


async def scored_round(engine: QuizEngine, text: str) -> None:
    """Alice answers sft-why-dumber with ``text`` and it is revealed."""
    for _ in range(12):
        q = (await engine.handle(cmd("quiz", "sft", user=ALICE)))[0]
        if q.question_id == "sft-why-dumber":
            break
        await engine.handle(cmd("skip"))
    await engine.handle(TextAnswer(GROUP, ALICE, text=text))
    await engine.handle(cmd("reveal"))


# -- /leaderboard ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, word, title", [
    ("zh", "本周", "**排行榜 · 本周**"), ("zh", "本月", "**排行榜 · 本月**"), ("zh", "总榜", "**排行榜 · 总榜**"),
    ("en", "本周", "**Leaderboard · this week**"), ("en", "MONTH", "**Leaderboard · this month**"),
    ("en", "总榜", "**Leaderboard · all time**"),
])
async def test_leaderboard_periods_in_either_language_with_a_legend(engine: QuizEngine, lang, word, title):
    await engine.handle(cmd("lang", lang))
    empty = (await engine.handle(cmd("leaderboard", word)))[0]
    assert empty.kind is ReplyKind.BOARD and empty.text.startswith(title)
    legend = {"zh": "_括号内为计分的答题数。_", "en": "_In brackets: answers scored._"}[lang]
    assert legend not in empty.text  # nothing to explain on an empty board
    await scored_round(engine, GOOD)
    board = (await engine.handle(cmd("leaderboard", word)))[0]
    lines = board.text.splitlines()
    assert lines[0] == title and lines[1].endswith("(1)") and lines[-1] == legend


@pytest.mark.parametrize("lang, expected", [
    ("zh", "时间段只能是 本周、本月 或 总榜（也可写 week、month、all）。"),
    ("en", "The period must be week, month or all (本周, 本月, 总榜 work too)."),
])
async def test_leaderboard_unknown_period_says_what_works(engine: QuizEngine, lang, expected):
    await engine.handle(cmd("lang", lang))
    reply = (await engine.handle(cmd("leaderboard", "昨天")))[0]
    assert reply.kind is ReplyKind.ERROR and reply.text == expected


# -- /schedule: days and zones ----------------------------------------------------------------------

@pytest.mark.parametrize("typed, days", [
    ("每天", "daily"), ("每日", "daily"), ("工作日", "weekdays"), ("周末", "sat,sun"), ("weekends", "sat,sun"),
    ("周一,周三,周五", "mon,wed,fri"), ("周一、周三、周五", "mon,wed,fri"), ("星期五，星期一", "mon,fri"),
    ("周日", "sun"), ("周天", "sun"), ("周一,周二,周三,周四,周五", "weekdays"), ("mon,wed,fri", "mon,wed,fri"),
    ("weekdays", "weekdays"),
])
def test_days_as_typed(typed, days):
    assert parse_days(typed) == days


@pytest.mark.parametrize("typed", ["周八", "周一,明天", "", "星期"])
def test_bad_days_refused(typed):
    with pytest.raises(ScheduleError) as err:
        parse_days(typed)
    assert err.value.key == "bad_days"


@pytest.mark.parametrize("typed, zone, label", [
    ("北京时间", "Asia/Shanghai", "Asia/Shanghai"), ("上海", "Asia/Shanghai", "Asia/Shanghai"),
    ("UTC+8", "Etc/GMT-8", "UTC+8"), ("GMT+8", "Etc/GMT-8", "UTC+8"), ("utc+08:00", "Etc/GMT-8", "UTC+8"),
    ("UTC＋8", "Etc/GMT-8", "UTC+8"), ("UTC-5", "Etc/GMT+5", "UTC-5"), ("UTC+0", "UTC", "UTC"),
    ("Europe/Berlin", "Europe/Berlin", "Europe/Berlin"),
])
def test_zones_as_typed(bank, typed, zone, label):
    assert zone_of(typed) == zone and zone_label(zone) == label
    assert parse(("09:00", typed), bank, "UTC", 12).tz == zone


@pytest.mark.parametrize("typed", ["UTC+5:30", "UTC+15", "GMT-13", "火星时间"])
def test_zones_that_cannot_be_meant_are_refused(bank, typed):
    with pytest.raises(ScheduleError) as err:
        parse(("09:00", typed), bank, "UTC", 12)
    assert err.value.key in ("bad_zone", "bad_topic")
    assert zone_of(typed) is None


@pytest.fixture
async def daily(engine: QuizEngine):
    scheduler = DailyScheduler(engine, engine.settings)
    await scheduler.start()
    yield scheduler
    await scheduler.stop()


@pytest.mark.parametrize("lang, args, summary", [
    ("zh", ("09:00", "北京时间", "微调", "arch", "reveal", "21:00", "days", "工作日"),
     "已设置每日一题：工作日 09:00（Asia/Shanghai），主题：有监督微调 SFT、模型架构，21:00 公布答案"),
    ("en", ("09:00", "北京时间", "微调", "arch", "reveal", "21:00", "days", "工作日"),
     "Question of the day set: weekdays at 09:00 (Asia/Shanghai), topics: Supervised fine-tuning, "
     "Model architecture, answer revealed at 21:00"),
    ("zh", ("08:30", "UTC+8", "days", "周一,周三,周五"),
     "已设置每日一题：周一、周三、周五 08:30（UTC+8），主题：全部，12 小时后公布答案"),
    ("en", ("08:30", "GMT+8", "days", "周末", "reveal", "+3h"),
     "Question of the day set: weekends at 08:30 (UTC+8), topics: all, answer revealed 3 h later"),
])
async def test_schedule_summary_reads_well(engine: QuizEngine, daily, lang, args, summary):
    await engine.handle(cmd("lang", lang))
    reply = (await engine.handle(cmd("schedule", *args)))[0]
    assert reply.kind is ReplyKind.INFO
    assert reply.text.splitlines()[0] == summary
    assert "小时后 公布" not in reply.text
    shown = (await engine.handle(cmd("schedule")))[0].text
    assert summary.split("：", 1)[-1].split(": ", 1)[-1] in shown


@pytest.mark.parametrize("lang, key_text", [
    ("zh", "不认识的时区「UTC+5:30」。可以写 北京时间、上海、UTC+8（整点偏移），或 IANA 名称如 Asia/Shanghai、Europe/Berlin。"),
    ("en", "Unknown time zone “UTC+5:30”. Use an IANA name such as Asia/Shanghai or Europe/Berlin, "
           "or a whole-hour offset such as UTC+8."),
])
async def test_schedule_bad_zone_says_what_works(engine: QuizEngine, daily, lang, key_text):
    await engine.handle(cmd("lang", lang))
    reply = (await engine.handle(cmd("schedule", "09:00", "UTC+5:30")))[0]
    assert reply.kind is ReplyKind.ERROR and reply.text.splitlines()[0] == key_text


@pytest.mark.parametrize("lang, key_text", [
    ("zh", "days 后面要跟 每天、工作日、周末 或星期列表如 周一,周三,周五（也可写 daily、weekdays、mon,wed,fri）。"),
    ("en", "`days` takes daily, weekdays, weekends or a list like mon,wed,fri."),
])
async def test_schedule_bad_days_says_what_works(engine: QuizEngine, daily, lang, key_text):
    await engine.handle(cmd("lang", lang))
    reply = (await engine.handle(cmd("schedule", "09:00", "days", "周八")))[0]
    assert reply.kind is ReplyKind.ERROR and reply.text.splitlines()[0] == key_text


# -- topic words ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped() -> QuestionBank:
    return QuestionBank.load(REPO / "questions")


@pytest.mark.parametrize("word, slug", [
    ("大模型", "basics"), ("大语言模型", "basics"), ("LLM", "basics"), ("幻觉", "basics"),
    ("注意力", "components"), ("自注意力", "components"), ("多头注意力", "components"), ("微调", "sft"),
])
def test_topic_words_find_their_topic(shipped, word, slug):
    assert shipped.find_topic(word).slug == slug


@pytest.mark.parametrize("word, slug", [("注意力", "components"), ("大模型", "basics"), ("幻觉", "basics")])
async def test_quiz_on_a_topic_word_asks_that_topic(store, settings, clock, shipped, word, slug):
    engine = QuizEngine(store, shipped, settings, clock=clock, rng=random.Random(3))
    replies = await engine.handle(cmd("quiz", word, "2", user=ALICE))
    assert replies[0].kind is ReplyKind.QUESTION
    assert engine.bank.question(replies[0].question_id).topic == slug


# -- /topics and /me --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, legend", [
    ("zh", "_每个主题后：题数（✓ 其中有参考答案的题数，其余为讨论题）。_"),
    ("en", "_After each topic: questions (✓ those with a model answer; the rest are discussion questions)._"),
])
async def test_topics_explain_their_numbers(engine: QuizEngine, lang, legend):
    await engine.handle(cmd("lang", lang))
    text = (await engine.handle(cmd("topics")))[0].text
    assert "`sft` **有监督微调 SFT** / Supervised fine-tuning · 4 (3 ✓)" in text
    assert text.splitlines()[-1] == legend


@pytest.mark.parametrize("lang, streak, strong", [
    ("zh", "- 连续打卡：1 天（最长 1 天）", "- 最强主题：有监督微调 SFT（均分 "),
    ("en", "- Daily streak: 1 day (best 1)", "- Strongest topic: Supervised fine-tuning (average "),
])
async def test_me_reads_well(engine: QuizEngine, lang, streak, strong):
    await engine.handle(cmd("lang", lang))
    await scored_round(engine, GOOD)
    lines = (await engine.handle(cmd("me", user=ALICE)))[0].text.splitlines()
    assert streak in lines and any(line.startswith(strong) for line in lines)
    assert not any(re.search(r"(average |均分 )0\.0[)）]", line) for line in lines)


@pytest.mark.parametrize("lang, strong", [("zh", "- 最强主题：—"), ("en", "- Strongest topic: —")])
async def test_me_has_no_strongest_topic_without_a_score(engine: QuizEngine, lang, strong):
    await engine.handle(cmd("lang", lang))
    await scored_round(engine, "不知道")
    lines = (await engine.handle(cmd("me", user=ALICE)))[0].text.splitlines()
    assert strong in lines and not any("(0.0)" in line or "（均分 0.0）" in line for line in lines)
    days = {"zh": "- 连续打卡：1 天（最长 1 天）", "en": "- Daily streak: 1 day (best 1)"}[lang]
    assert days in lines
