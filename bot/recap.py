"""The weekly recap of a chat: the week's top five, the longest running daily streaks, and the
question the chat missed most, with its model answer.

Built from the tables the leaderboards read (``scores``, written at each reveal; ``answers`` for
the days members played) over the seven days up to the recap, so a recap sent on any weekday
covers a whole week. ``scheduler.recap`` decides when a chat gets one (opt-in, once a week).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.bank import QuestionBank
from bot.catalogue import say as say_main
from bot.catalogue import say_from
from bot.model import Kind, Question
from bot.stats import Stats, streaks
from bot.storage import Store
from bot.views import clip, md_escape, ranking_lines

WEEK_SECONDS = 7 * 86400
TOP = 5
STREAKS = 3
PROMPT_PREVIEW = 300

MESSAGES: dict[str, dict[str, str]] = {
    "title": {"zh": "**本周回顾** · {start} – {end}", "en": "**Weekly recap** · {start} – {end}"},
    "top": {"zh": "**本周前五名**", "en": "**Top five this week**"},
    "streaks": {"zh": "**连续打卡最长**", "en": "**Longest streaks**"},
    "streak_line": {"zh": "🔥 **{name}** 连续 {n} 天", "en": "🔥 **{name}** {n} days in a row"},
    "no_streaks": {"zh": "本周没有人连续打卡两天以上。", "en": "Nobody has played two days in a row yet."},
    "missed": {"zh": "**本周最难的一题** · 平均 {avg}/10（{n} 人作答）",
               "en": "**The most-missed question** · average {avg}/10 over {n} answers"},
    "none_missed": {"zh": "本周的题大家都答对了。", "en": "Every question this week was answered in full."},
    "correct": {"zh": "**正确答案**：{option}", "en": "**Correct answer**: {option}"},
}


def say(lang: str, key: str, **fields: object) -> str:
    return say_from(MESSAGES, lang, key, **fields)


@dataclass(frozen=True)
class RecapText:
    text: str  # the title, top five, streaks and the most-missed question
    folded: str  # the model answer of the most-missed question ('' when there is none)


class Recaps:
    def __init__(self, store: Store, bank: QuestionBank, stats: Stats) -> None:
        self.store = store
        self.bank = bank
        self.stats = stats

    async def build(self, chat_key: str, tz: str, now: float, lang: str) -> RecapText | None:
        """The recap of the seven days up to ``now``; None when nobody played in them (a recap of
        an empty week would only be noise)."""
        since = now - WEEK_SECONDS
        top = await self.stats.leaderboard(chat_key, since, TOP)
        if not top:
            return None
        zone = ZoneInfo(tz)
        first = datetime.fromtimestamp(since, zone).date()
        last = datetime.fromtimestamp(now, zone).date()
        lines = [say(lang, "title", start=first.isoformat(), end=last.isoformat()), "", say(lang, "top"),
                 *ranking_lines(top, "", say_main(lang, "ranking_legend")), "", say(lang, "streaks")]
        runs = await self.longest_streaks(chat_key, last.isoformat())
        lines += [say(lang, "streak_line", name=md_escape(name), n=n) for name, n in runs] or [say(lang, "no_streaks")]
        folded = ""
        missed = await self.most_missed(chat_key, since, now)
        lines.append("")
        if missed is None:
            lines.append(say(lang, "none_missed"))
        else:
            question, avg, n = missed
            lines += [say(lang, "missed", avg=f"{avg:.1f}", n=n), "", md_escape(clip(question.prompt, PROMPT_PREVIEW))]
            if question.kind is Kind.CHOICE:
                option = "; ".join(question.options[i] for i in question.correct)
                lines.append(say(lang, "correct", option=md_escape(option)))
                if question.explanation:
                    lines.append(question.explanation)
            elif question.answer:
                folded = say_main(lang, "model_answer") + "\n\n" + question.answer
        return RecapText("\n".join(lines), folded)

    async def longest_streaks(self, chat_key: str, today: str) -> list[tuple[str, int]]:
        """Members of the chat whose run of consecutive days with an answer here is still going
        (ends today or yesterday) and is at least two days long: the longest first."""
        rows = await self.store.fetchall(
            "SELECT a.user_key, COALESCE(u.name, MAX(a.user_name)) AS name, GROUP_CONCAT(DISTINCT a.local_date) AS days"
            " FROM answers a LEFT JOIN users u ON u.key = a.user_key WHERE a.chat_key = ? AND a.local_date IS NOT NULL"
            " GROUP BY a.user_key", (chat_key,))
        runs = []
        for row in rows:
            current, _best = streaks((row["days"] or "").split(","), today)
            if current >= 2:
                runs.append((row["name"] or row["user_key"], current))
        runs.sort(key=lambda r: (-r[1], r[0]))
        return runs[:STREAKS]

    async def most_missed(self, chat_key: str, since: float, until: float) -> tuple[Question, float, int] | None:
        """The question revealed in the chat in [since, until) with the lowest average score (more
        answers first among equals) that has something to teach: discussion questions and
        questions answered in full by everyone are left out."""
        rows = await self.store.fetchall(
            "SELECT r.question_id, AVG(s.score) AS avg, COUNT(*) AS n FROM scores s JOIN rounds r ON r.id = s.round_id"
            " WHERE s.chat_key = ? AND s.scored_at >= ? AND s.scored_at <= ?"
            " GROUP BY r.question_id ORDER BY avg ASC, n DESC", (chat_key, since, until))
        for row in rows:
            question = self.bank.question(row["question_id"])
            if question is None or question.is_discussion or row["avg"] >= 10:
                continue
            return question, float(row["avg"]), int(row["n"])
        return None
