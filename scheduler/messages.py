"""What the /schedule and /recap commands say, in Chinese and English."""

from __future__ import annotations

from bot.catalogue import say_from

MESSAGES: dict[str, dict[str, str]] = {
    "usage": {
        "zh": ("用法：`/schedule HH:MM [时区] [主题…] [reveal HH:MM | reveal +Nh] [days 每天|工作日|周末|周一,周三,周五]`\n"
               "例如 `/schedule 09:00 北京时间 微调 rag reveal 21:00 days 工作日`；`/schedule off` 关闭。"),
        "en": ("Usage: `/schedule HH:MM [time zone] [topics…] [reveal HH:MM | reveal +Nh] [days daily|weekdays|mon,wed,fri]`\n"
               "e.g. `/schedule 09:00 Asia/Shanghai sft rag reveal 21:00`; `/schedule off` turns it off."),
    },
    "bad_time": {"zh": "时间「{value}」不对，请用 24 小时制 HH:MM，如 09:00。", "en": "“{value}” is not a time; use 24-hour HH:MM, e.g. 09:00."},
    "bad_zone": {"zh": "不认识的时区「{value}」。可以写 北京时间、上海、UTC+8（整点偏移），或 IANA 名称如 Asia/Shanghai、Europe/Berlin。",
                 "en": "Unknown time zone “{value}”. Use an IANA name such as Asia/Shanghai or Europe/Berlin, "
                       "or a whole-hour offset such as UTC+8."},
    "bad_topic": {"zh": "没有找到主题「{value}」。{suggest}", "en": "No topic called “{value}”. {suggest}"},
    "suggest": {"zh": "你是不是想找：{names}？", "en": "Did you mean: {names}?"},
    "bad_reveal": {"zh": "reveal 后面要跟 HH:MM 或 +N（小时，1–23），如 `reveal 21:00` 或 `reveal +12h`。",
                   "en": "`reveal` takes HH:MM or +N hours (1–23), e.g. `reveal 21:00` or `reveal +12h`."},
    "bad_days": {"zh": "days 后面要跟 每天、工作日、周末 或星期列表如 周一,周三,周五（也可写 daily、weekdays、mon,wed,fri）。",
                 "en": "`days` takes daily, weekdays, weekends or a list like mon,wed,fri."},
    "same_time": {"zh": "公布时间不能和发题时间相同。", "en": "The reveal time must differ from the post time."},
    "nothing_changed": {"zh": "没有做任何修改。", "en": "Nothing was changed."},
    "saved": {"zh": "已设置每日一题：{summary}", "en": "Question of the day set: {summary}"},
    "off": {"zh": "已关闭本群的每日一题。", "en": "The question of the day is off for this chat."},
    "none": {"zh": "本群还没有设置每日一题。", "en": "No question of the day is set for this chat."},
    "current": {"zh": "**每日一题**：{summary}\n下次发题：{next_post}\n下次公布：{next_reveal}",
                "en": "**Question of the day**: {summary}\nNext post: {next_post}\nNext reveal: {next_reveal}"},
    "paused": {"zh": "（已关闭，或因机器人无法在此发消息而暂停；重新设置即可恢复）",
               "en": "(off, or paused because the bot could not post here; set it again to resume)"},
    "resumed": {"zh": "每日一题照常进行：{summary}", "en": "The question of the day goes on: {summary}"},
    "summary": {"zh": "{days} {time}（{tz}），主题：{topics}，{reveal}",
                "en": "{days} at {time} ({tz}), topics: {topics}, {reveal}"},
    "all_topics": {"zh": "全部", "en": "all"},
    "topic_separator": {"zh": "、", "en": ", "},
    "days_daily": {"zh": "每天", "en": "every day"},
    "days_weekdays": {"zh": "工作日", "en": "weekdays"},
    "days_weekends": {"zh": "周末", "en": "weekends"},
    "day_names": {"zh": "周一 周二 周三 周四 周五 周六 周日", "en": "Mon Tue Wed Thu Fri Sat Sun"},
    "reveal_after": {"zh": "{n} 小时后公布答案", "en": "answer revealed {n} h later"},
    "reveal_at": {"zh": "{time} 公布答案", "en": "answer revealed at {time}"},
    # /recap: the weekly recap
    "recap_usage": {
        "zh": "用法：`/recap on [星期 HH:MM]`（默认 周日 21:00，本群时区），如 `/recap on 周五 18:00`；`/recap off` 关闭。",
        "en": "Usage: `/recap on [weekday HH:MM]` (default Sunday 21:00 in the chat's zone), e.g. "
              "`/recap on fri 18:00`; `/recap off` turns it off.",
    },
    "recap_bad_word": {"zh": "「{value}」既不是星期也不是时间（HH:MM）。没有做任何修改。",
                       "en": "“{value}” is neither a weekday nor a time (HH:MM). Nothing was changed."},
    "recap_when": {"zh": "每{day} {time}（{tz}）", "en": "every {day} at {time} ({tz})"},
    "recap_saved": {"zh": "已开启每周回顾：{when}。下次：{next}。",
                    "en": "Weekly recap on: {when}. Next one: {next}."},
    "recap_current": {"zh": "**每周回顾**：{when}。下次：{next}。", "en": "**Weekly recap**: {when}. Next one: {next}."},
    "recap_none": {"zh": "本群没有开启每周回顾。", "en": "The weekly recap is off for this chat."},
    "recap_off": {"zh": "已关闭本群的每周回顾。", "en": "The weekly recap is off for this chat."},
}


def say(lang: str, key: str, **fields: object) -> str:
    return say_from(MESSAGES, lang, key, **fields)
