"""What the /schedule command says, in Chinese and English."""

from __future__ import annotations

from bot.catalogue import say_from

MESSAGES: dict[str, dict[str, str]] = {
    "usage": {
        "zh": ("用法：`/schedule HH:MM [时区] [主题…] [reveal HH:MM | reveal +Nh] [days daily|weekdays|mon,wed,fri]`\n"
               "例如 `/schedule 09:00 Asia/Shanghai 微调 rag reveal 21:00`；`/schedule off` 关闭。"),
        "en": ("Usage: `/schedule HH:MM [time zone] [topics…] [reveal HH:MM | reveal +Nh] [days daily|weekdays|mon,wed,fri]`\n"
               "e.g. `/schedule 09:00 Asia/Shanghai sft rag reveal 21:00`; `/schedule off` turns it off."),
    },
    "bad_time": {"zh": "时间「{value}」不对，请用 24 小时制 HH:MM，如 09:00。", "en": "“{value}” is not a time; use 24-hour HH:MM, e.g. 09:00."},
    "bad_zone": {"zh": "不认识的时区「{value}」。请用 IANA 名称，如 Asia/Shanghai、Europe/Berlin、UTC。",
                 "en": "Unknown time zone “{value}”. Use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC."},
    "bad_topic": {"zh": "没有找到主题「{value}」。{suggest}", "en": "No topic called “{value}”. {suggest}"},
    "suggest": {"zh": "你是不是想找：{names}？", "en": "Did you mean: {names}?"},
    "bad_reveal": {"zh": "reveal 后面要跟 HH:MM 或 +N（小时，1–23），如 `reveal 21:00` 或 `reveal +12h`。",
                   "en": "`reveal` takes HH:MM or +N hours (1–23), e.g. `reveal 21:00` or `reveal +12h`."},
    "bad_days": {"zh": "days 后面要跟 daily、weekdays 或星期列表如 mon,wed,fri。",
                 "en": "`days` takes daily, weekdays or a list like mon,wed,fri."},
    "same_time": {"zh": "公布时间不能和发题时间相同。", "en": "The reveal time must differ from the post time."},
    "nothing_changed": {"zh": "没有做任何修改。", "en": "Nothing was changed."},
    "saved": {"zh": "已设置每日一题：{summary}", "en": "Question of the day set: {summary}"},
    "off": {"zh": "已关闭本群的每日一题。", "en": "The question of the day is off for this chat."},
    "none": {"zh": "本群还没有设置每日一题。", "en": "No question of the day is set for this chat."},
    "current": {"zh": "**每日一题**：{summary}\n下次发题：{next_post}\n下次公布：{next_reveal}",
                "en": "**Question of the day**: {summary}\nNext post: {next_post}\nNext reveal: {next_reveal}"},
    "paused": {"zh": "（已关闭，或因机器人无法在此发消息而暂停；重新设置即可恢复）",
               "en": "(off, or paused because the bot could not post here; set it again to resume)"},
    "summary": {"zh": "{days} {time}（{tz}），主题：{topics}，{reveal} 公布",
                "en": "{days} at {time} ({tz}), topics: {topics}, reveal {reveal}"},
    "all_topics": {"zh": "全部", "en": "all"},
    "days_daily": {"zh": "每天", "en": "every day"},
    "days_weekdays": {"zh": "工作日", "en": "weekdays"},
    "reveal_after": {"zh": "{n} 小时后", "en": "{n} h later"},
    "reveal_at": {"zh": "{time}", "en": "at {time}"},
}


def say(lang: str, key: str, **fields: object) -> str:
    return say_from(MESSAGES, lang, key, **fields)
