"""What the review queue says (``/review``, its results, stats and reminders), in Chinese and English."""

from __future__ import annotations

from bot.catalogue import say_from

MESSAGES: dict[str, dict[str, str]] = {
    "header": {"zh": "**复习** · {topic} · 还有 {left} 道到期", "en": "**Review** · {topic} · {left} due"},
    "hint_text": {"zh": "直接发送你的答案；`/review stop` 结束复习。",
                  "en": "Send your answer; `/review stop` ends the review."},
    "hint_button": {"zh": "点「作答」写下你的答案。", "en": "Tap “Answer” to write your answer."},
    "hint_choice": {"zh": "选择一个选项（也可以发送选项字母）。", "en": "Pick an option (or send its letter)."},
    "answer_button": {"zh": "作答", "en": "Answer"},
    "stop_button": {"zh": "结束复习", "en": "Stop"},
    "start_button": {"zh": "开始复习", "en": "Start reviewing"},
    "private_button": {"zh": "私聊复习", "en": "Review in private"},
    "quiz_button": {"zh": "来几道新题：{topic}", "en": "New questions: {topic}"},
    "use_private": {
        "zh": "复习记录只属于你自己：请点下面的按钮，在和我的私聊里发送 `/review`。",
        "en": "Reviews are personal: send `/review` to me in a private chat (tap the button below).",
    },
    "result_title": {"zh": "**得分：{score}/10** · {rating}", "en": "**Score: {score}/10** · {rating}"},
    "rating_1": {"zh": "没记住，很快再来", "en": "again soon"},
    "rating_2": {"zh": "有点难", "en": "hard"},
    "rating_3": {"zh": "记住了", "en": "good"},
    "rating_4": {"zh": "很轻松", "en": "easy"},
    "hit": {"zh": "**答到的要点**", "en": "**Points you made**"},
    "missed": {"zh": "**漏掉的要点**", "en": "**Points you missed**"},
    "next_due": {"zh": "这道题下次复习：{when}。", "en": "This card comes back {when}."},
    "done": {"zh": "**今天的复习完成了！** 下一次复习：{when}。", "en": "**All done for now!** Next review {when}."},
    "nothing_due": {"zh": "现在没有到期的题，下一次复习：{when}。", "en": "Nothing due; next review {when}."},
    "no_cards": {
        "zh": "你还没有复习卡片。在群里、`/quiz` 或每日一题中作答后，题目会按遗忘曲线回到这里。",
        "en": "You have no review cards yet. Answer in a group, a `/quiz` or the question of the day and the "
              "questions come back here when you are about to forget them.",
    },
    "offer": {"zh": "想学新题？试试你最弱的主题 **{topic}**：`/quiz {slug} 5`",
              "en": "Want new questions? Try your weakest topic, **{topic}**: `/quiz {slug} 5`"},
    "stopped": {"zh": "已结束复习，还有 {n} 道到期。", "en": "Review stopped; {n} still due."},
    "not_reviewing": {"zh": "你现在没有在复习。发送 `/review` 开始。", "en": "You are not reviewing now. Send `/review` to start."},
    "stale": {"zh": "这张卡片已经作答过了。", "en": "That card was already answered."},
    "removed": {"zh": "这道题已从题库中删除，跳过。", "en": "That question was removed from the bank; skipped."},
    "in_minutes": {"zh": "{n} 分钟后", "en": "in {n} min"},
    "in_hours": {"zh": "{n} 小时后", "en": "in {n} h"},
    "in_days": {"zh": "{n} 天后", "en": "in {n} days"},
    "now": {"zh": "现在", "en": "now"},
    "usage": {
        "zh": "用法：`/review` 开始复习；`/review stop`；`/review stats`；`/review remind HH:MM [时区]` 或 "
              "`/review remind off`。",
        "en": "Usage: `/review` to start; `/review stop`; `/review stats`; `/review remind HH:MM [time zone]` or "
              "`/review remind off`.",
    },
    "stats": {
        "zh": ("**{name} 的复习**\n- 今天到期：{today}\n- 本周到期：{week}\n- 卡片：学习中 {learning} · 复习中 {review} · "
               "重新学习 {relearning}（共 {total}）\n- 近 30 天记忆保持率：{retention}"),
        "en": ("**Reviews of {name}**\n- Due today: {today}\n- Due this week: {week}\n- Cards: learning {learning} · "
               "review {review} · relearning {relearning} ({total} in all)\n- Retention, last 30 days: {retention}"),
    },
    "retention": {"zh": "{pct}%（{passed}/{n} 次到期复习）", "en": "{pct}% ({passed}/{n} due reviews)"},
    "no_retention": {"zh": "—（近 30 天没有到期复习）", "en": "— (no due reviews in 30 days)"},
    "remind_bad_time": {"zh": "时间「{value}」不对，请用 24 小时制 HH:MM，如 20:30。",
                        "en": "“{value}” is not a time; use 24-hour HH:MM, e.g. 20:30."},
    "remind_bad_zone": {"zh": "不认识的时区「{value}」。请用 IANA 名称，如 Asia/Shanghai、Europe/Berlin。",
                        "en": "Unknown time zone “{value}”. Use an IANA name such as Asia/Shanghai or Europe/Berlin."},
    "remind_need_dm": {"zh": "复习提醒通过私信发送：请在和我的私信里设置 `/review remind`。",
                       "en": "Reminders come as a direct message: set `/review remind` in a DM with me."},
    "remind_set": {"zh": "好的，每天 {time}（{tz}）有到期的题时私信提醒你。下一次：{next}。",
                   "en": "Done: every day at {time} ({tz}) I will message you when cards are due. Next: {next}."},
    "remind_off": {"zh": "已关闭复习提醒。", "en": "Review reminders are off."},
    "remind_none": {"zh": "复习提醒未开启。", "en": "Review reminders are off."},
    "remind_current": {"zh": "复习提醒：每天 {time}（{tz}）。", "en": "Review reminder: every day at {time} ({tz})."},
    "reminder": {"zh": "今天有 {n} 道题待复习。", "en": "{n} cards are due for review today."},
    "me_due": {"zh": "- 待复习：{n}（`/review`）", "en": "- Due for review: {n} (`/review`)"},
}


def say(lang: str, key: str, **fields: object) -> str:
    return say_from(MESSAGES, lang, key, **fields)


def until(seconds: float, lang: str) -> str:
    """A time from now as members read it: "in 12 min", "in 5 h", "in 3 days"."""
    if seconds < 60:
        return say(lang, "now")
    if seconds < 3600:
        return say(lang, "in_minutes", n=round(seconds / 60))
    if seconds < 86400:
        return say(lang, "in_hours", n=round(seconds / 3600))
    return say(lang, "in_days", n=round(seconds / 86400))
