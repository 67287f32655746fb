"""What the bot tells a chat about the chat itself, in Chinese and English: a schedule paused because
its forum topic was deleted (shown to the admins on their next command), and the welcome when the
bot is added back to a group it had been removed from."""

from __future__ import annotations

from bot.catalogue import say_from

MESSAGES: dict[str, dict[str, str]] = {
    "thread_gone": {
        "zh": "⚠️ 每日一题已暂停：设置它的话题已被删除，题目无法再发到那里。在想要的话题里重新发送 `/schedule …` 即可恢复。",
        "en": "⚠️ The question of the day is paused: the topic it was set in was deleted, so it cannot be posted "
              "there any more. Send `/schedule …` again in the topic you want to resume it.",
    },
    "welcome_back": {
        "zh": "👋 我回来了！本群的答题记录和排行榜都还在。",
        "en": "👋 I'm back! This chat's answers and leaderboard are all still here.",
    },
}


def say(lang: str, key: str, **fields: object) -> str:
    return say_from(MESSAGES, lang, key, **fields)
