"""``/review`` and its actions: start, ``stop``, ``stats``, ``remind HH:MM [zone]`` / ``remind off``.

Declared once with ``@command`` like every other command, so /help, the platform menus, Discord's
slash command (an action to choose plus free words) and the README's table come from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chats import ChatDirectory
from bot.command_registry import Arg, ArgKind, Choice, L10n, command
from bot.events import Command
from bot.local_time import next_local, parse_time, zone_label, zone_of
from bot.replies import Reply, ReplyKind
from bot.review.flow import ReviewFlow
from bot.review.store import ReviewStore
from bot.review.texts import say

ACTION_ARG = Arg("action", ArgKind.CHOICE, L10n("What to do (empty: start reviewing)", "操作（留空：开始复习）"),
                 L10n("[stop|stats|remind]", "[stop|stats|remind]"),
                 choices=(Choice("stop", L10n("stop reviewing", "结束复习")),
                          Choice("stats", L10n("your review statistics", "复习统计")),
                          Choice("remind", L10n("daily reminder (HH:MM [zone] or off)", "每日提醒（HH:MM [时区] 或 off）"))))
WHEN_ARG = Arg("when", ArgKind.WORDS, L10n("For remind: HH:MM [time zone], or off", "提醒时间：HH:MM [时区]，或 off"),
               L10n("[HH:MM [zone]|off]", "[HH:MM [时区]|off]"))
OFF = ("off", "stop", "disable", "关闭")


class ReviewCommands:
    def __init__(self, flow: ReviewFlow, chats: ChatDirectory, clock: Callable[[], float]) -> None:
        self.flow = flow
        self.queue = ReviewStore(flow.store)
        self.chats = chats
        self.clock = clock

    @command("review", args=(ACTION_ARG, WHEN_ARG), summary=L10n("Review what you are about to forget", "复习快忘的题"),
             help=L10n("your personal review queue (spaced repetition, FSRS): the most overdue card first, graded at "
                       "once, privately; `/review stop`; `/review stats`; `/review remind 20:30 [zone]` or "
                       "`/review remind off` for a daily private reminder when cards are due",
                       "你的个人复习队列（间隔重复，FSRS）：最该复习的题先来，私下作答、立即评分；`/review stop` 结束；"
                       "`/review stats` 统计；`/review remind 20:30 [时区]` 或 `/review remind off` 设置每日私信提醒"))
    async def review(self, cmd: Command, lang: str) -> list[Reply]:
        args = [a for a in cmd.args if a]
        action = args[0].lower() if args else ""
        if not action:
            return await self.flow.start(cmd, lang)
        if action in ("stop", "结束"):
            return await self.flow.stop(cmd, lang)
        if action in ("stats", "统计"):
            _lang, tz = await self.chats.settings_of(cmd.chat)
            return [Reply(cmd.chat, ReplyKind.STATS, await self.flow.stats_text(cmd.user, tz, lang), to_user=cmd.user)]
        if action in ("remind", "提醒"):
            return await self.remind(cmd, lang, args[1:])
        return [Reply(cmd.chat, ReplyKind.ERROR, say(lang, "usage"), to_user=cmd.user)]

    async def remind(self, cmd: Command, lang: str, words: list[str]) -> list[Reply]:
        def reply(text: str, kind: ReplyKind = ReplyKind.INFO) -> list[Reply]:
            return [Reply(cmd.chat, kind, text, to_user=cmd.user)]

        if not words:
            row = await self.queue.reminder(cmd.user.key)
            if row is None or row["remind_time"] is None:
                return reply(say(lang, "remind_none") + "\n" + say(lang, "usage"))
            return reply(say(lang, "remind_current", time=row["remind_time"], tz=zone_label(row["remind_tz"])))
        if words[0].lower() in OFF:
            await self.queue.set_reminder(cmd.user.key, None, None, None, None)
            return reply(say(lang, "remind_off"))
        hhmm = parse_time(words[0])
        if hhmm is None:
            return reply(say(lang, "remind_bad_time", value=words[0][:20]), ReplyKind.ERROR)
        if len(words) > 1:
            zone = zone_of(words[1])  # the same zones /schedule accepts: IANA, 北京时间, UTC+8 …
            if zone is None:
                return reply(say(lang, "remind_bad_zone", value=words[1][:40]), ReplyKind.ERROR)
            tz = zone
        else:
            _lang, tz = await self.chats.settings_of(cmd.chat)
        if cmd.chat.private:
            dm_chat = cmd.chat.key
        elif cmd.chat.platform == "telegram":
            dm_chat = f"telegram:{cmd.user.id}"  # a Telegram user's private chat has the user's id
        else:  # a Discord DM channel has an id of its own, known once the member writes there
            return reply(say(lang, "remind_need_dm"), ReplyKind.ERROR)
        next_at = next_local(hhmm, tz, self.clock())
        await self.queue.set_reminder(cmd.user.key, dm_chat, hhmm, tz, next_at)
        shown = datetime.fromtimestamp(next_at, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        return reply(say(lang, "remind_set", time=hhmm, tz=zone_label(tz), next=shown))
