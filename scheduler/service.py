"""DailyScheduler: posts each chat's question of the day on time, exactly once, through restarts.

* SQLite is the source of truth (``schedules``); at start-up the APScheduler 3.11 jobs are rebuilt
  from it with explicit ids, never pickled. Chats sharing a slot (zone, HH:MM, days) share one cron
  job, so 10,000 chats at 09:00 are one job that fans out, not 10,000 timers.
* ``CronTrigger(..., timezone=ZoneInfo(tz))`` keeps 09:00 local across daylight-saving changes.
* Exactly once: ``QuizEngine.post_daily`` claims (chat, local date) in ``daily_posts`` in the same
  transaction as the round, so a second process, a restart or a misfire cannot post twice.
* Missed posts: at start-up a post whose time passed less than ``grace_minutes`` ago (and that
  was not made) is made late, once; older ones are skipped with a log line. Reveals that fell due
  while the bot was down are made by ``QuizEngine.expire_due`` right after start-up; later ones by
  the runtime's one-second ticker (the daily round's ``closes_at`` is the reveal time, so nothing
  needs re-scheduling and a reveal survives any restart).
* The weekly recap (``/recap``, ``scheduler.recap``) runs beside it, started, rebuilt and stopped
  with it.
* Fan-out: a slot's chats are posted concurrently (bounded), each through the platform adapter's
  ``send`` and its rate limiter, which paces the burst (Telegram: 30/s overall) and waits out 429s.
  A chat that blocked or removed the bot raises ``ChatUnavailable``; the engine marks it inactive,
  which also disables its schedule.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.command_registry import Access, Arg, ArgKind, L10n, command
from bot.config import Settings
from bot.engine import QuizEngine
from bot.events import Command
from bot.local_time import DAY_NAMES, zone_label
from bot.model import ChatRef
from bot.replies import Reply, ReplyKind
from scheduler import store as rows
from scheduler.messages import say
from scheduler.parse import Schedule, ScheduleError, parse
from scheduler.recap import WeeklyRecaps
from scheduler.reminders import ReviewReminders

log = logging.getLogger(__name__)

# Discord passes the whole specification as one string; the words are parsed as typed elsewhere
SPEC_ARG = Arg("spec", ArgKind.WORDS,
               L10n("e.g. 09:00 Asia/Shanghai sft arch reveal 21:00", "例如 09:00 Asia/Shanghai sft arch reveal 21:00"),
               L10n("HH:MM [zone] [topics…] [reveal HH:MM|+Nh] [days …]",
                    "HH:MM [时区] [主题…] [reveal HH:MM|+Nh] [days …]"))
RECAP_ARG = Arg("spec", ArgKind.WORDS, L10n("on [weekday HH:MM] or off, e.g. on sun 21:00", "on [星期 HH:MM] 或 off，如 on 周日 21:00"),
                L10n("on [weekday HH:MM]|off", "on [星期 HH:MM]|off"))
FANOUT_CONCURRENCY = 64  # chats of one slot in flight at once; the adapter's limiter does the pacing


def slot_id(sched: Schedule) -> str:
    return f"daily:{sched.tz}:{sched.post_time}:{sched.days}"


def trigger_for(sched: Schedule) -> CronTrigger:
    return CronTrigger(hour=sched.hour, minute=sched.minute, day_of_week=sched.cron_days(),
                       timezone=ZoneInfo(sched.tz))


def runs_on(sched: Schedule, day: date) -> bool:
    if sched.days == "daily":
        return True
    if sched.days == "weekdays":
        return day.weekday() < 5
    return DAY_NAMES[day.weekday()] in sched.days.split(",")


def post_moment(sched: Schedule, day: date) -> datetime:
    """The aware local datetime of the post on ``day`` (zoneinfo resolves DST gaps and folds)."""
    return datetime(day.year, day.month, day.day, sched.hour, sched.minute, tzinfo=ZoneInfo(sched.tz))


def reveal_moment(sched: Schedule, posted: datetime) -> datetime:
    """When the question posted at ``posted`` is revealed: '+Nh' later, or the next HH:MM local."""
    if sched.reveal.startswith("+"):
        return posted + timedelta(hours=int(sched.reveal[1:].rstrip("h")))
    hour, minute = int(sched.reveal[:2]), int(sched.reveal[3:])
    at = posted.replace(hour=hour, minute=minute)
    if at <= posted:
        day = posted.date() + timedelta(days=1)
        at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=posted.tzinfo)
    return at


def last_post_before(sched: Schedule, now: datetime) -> datetime | None:
    """The most recent scheduled post at or before ``now`` (within the last week)."""
    local = now.astimezone(ZoneInfo(sched.tz))
    for back in range(8):
        day = local.date() - timedelta(days=back)
        if runs_on(sched, day):
            moment = post_moment(sched, day)
            if moment <= now:
                return moment
    return None


class DailyScheduler:
    def __init__(self, engine: QuizEngine, settings: Settings, concurrency: int = FANOUT_CONCURRENCY) -> None:
        self.engine = engine
        self.settings = settings
        self.store = engine.store
        self.grace = settings.grace_minutes * 60
        self.concurrency = concurrency
        self.aps: AsyncIOScheduler | None = None
        self.reminders = ReviewReminders(engine, settings)  # the review queue's daily reminders
        self.recaps = WeeklyRecaps(engine, settings)  # the opt-in weekly recaps

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.engine.clock(), ZoneInfo("UTC"))

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        self.engine.register_commands(self)  # /schedule, declared below
        self.engine.chat_commands.daily_plan = self.daily_plan  # /daily follows the chat's schedule
        # a schedule the bot paused itself (removed from the chat) and resumed: its slot may need a job
        self.engine.chats.resume_listeners.append(self._resumed)
        self.engine.chats.welcome_lines.append(self._welcome_line)  # back in a group: show its schedule
        self.aps = AsyncIOScheduler(timezone=ZoneInfo("UTC"), job_defaults={
            # a run delayed (busy loop, suspended host) is still made within the grace window;
            # coalesce: several missed runs of one slot become one
            "misfire_grace_time": max(1, int(self.grace)), "coalesce": True, "max_instances": 1})
        self.aps.start()
        self.reminders.start()
        self.recaps.start()

    async def rebuild(self) -> None:
        """Jobs from the table, then the catch-up of missed posts and review reminders, then overdue
        reveals."""
        await self.sync_jobs()
        await self.catch_up()
        await self.reminders.tick()
        await self.recaps.tick()
        await self.engine.expire_due()

    async def stop(self) -> None:
        self.reminders.stop()
        self.recaps.stop()
        if self.aps is not None and self.aps.running:
            self.aps.shutdown(wait=False)

    # -- jobs -----------------------------------------------------------------------------------

    async def sync_jobs(self) -> None:
        """Make the APScheduler jobs match the enabled schedules (one job per slot)."""
        assert self.aps is not None, "start() first"
        wanted: dict[str, Schedule] = {}
        for _chat_key, sched in await rows.enabled(self.store):
            wanted.setdefault(slot_id(sched), sched)
        for job in self.aps.get_jobs():
            if job.id.startswith("daily:") and job.id not in wanted:
                job.remove()
        for job_id, sched in wanted.items():
            existing = self.aps.get_job(job_id)
            if existing is None:
                self.aps.add_job(self.post_slot, trigger_for(sched), id=job_id, args=[sched],
                                 replace_existing=True, name=job_id)
        log.info("daily jobs: %d slots", len(wanted))

    async def _resumed(self, chat_key: str) -> None:
        if self.aps is not None:
            await self.sync_jobs()

    async def _welcome_line(self, chat: ChatRef, lang: str) -> str | None:
        sched = await rows.get(self.store, chat.key)
        if sched is None or not sched.enabled:
            return None
        return say(lang, "resumed", summary=self.summary(sched, lang))

    async def post_slot(self, sched: Schedule) -> int:
        """Post the question of the day to every chat of one slot; returns how many were posted."""
        chats = await rows.enabled_in_slot(self.store, sched.tz, sched.post_time, sched.days)
        moment = last_post_before(sched, self.now()) or post_moment(sched, self.now().date())
        return await self.post_many(chats, moment)

    async def post_many(self, chats: list[tuple[str, Schedule]], moment: datetime) -> int:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(chat_key: str, sched: Schedule) -> bool:
            async with gate:
                return await self.post_one(chat_key, sched, moment)

        results = await asyncio.gather(*(one(k, s) for k, s in chats), return_exceptions=True)
        for (chat_key, _), result in zip(chats, results, strict=True):
            if isinstance(result, BaseException):
                log.error("daily post to %s failed: %r", chat_key, result)
        posted = sum(1 for r in results if r is True)
        log.info("daily slot %s: %d of %d chats posted", moment.isoformat(), posted, len(chats))
        return posted

    async def post_one(self, chat_key: str, sched: Schedule, moment: datetime) -> bool:
        chat = await self.engine.stored_chat(chat_key)
        local_day = moment.astimezone(ZoneInfo(sched.tz)).date().isoformat()
        reveal = reveal_moment(sched, moment.astimezone(ZoneInfo(sched.tz)))
        replies = await self.engine.post_daily(chat, topics=list(sched.topics) or None, local_date=local_day,
                                               reveal_at=reveal.timestamp())
        if not replies:
            return False  # already posted for that date (restart, second process) or nothing to ask
        await self.engine.push(replies)
        return True

    async def catch_up(self) -> None:
        now = self.now()
        for chat_key, sched in await rows.enabled(self.store):
            last = last_post_before(sched, now)
            if last is None:
                continue
            day = last.astimezone(ZoneInfo(sched.tz)).date().isoformat()
            if await rows.posted_dates(self.store, [chat_key], day):
                continue
            late = (now - last).total_seconds()
            if late <= self.grace:
                log.info("daily post for %s on %s missed by %.0f s: posting late", chat_key, day, late)
                await self.post_one(chat_key, sched, last)
            elif late <= 86400:
                log.warning("daily post for %s on %s missed by %.0f s (grace %.0f s): skipped", chat_key, day,
                            late, self.grace)

    def next_times(self, sched: Schedule) -> tuple[datetime | None, datetime | None]:
        nxt = trigger_for(sched).get_next_fire_time(None, self.now())
        return nxt, (reveal_moment(sched, nxt) if nxt else None)

    # -- the /schedule command ------------------------------------------------------------------

    async def daily_plan(self, chat: ChatRef) -> tuple[list[str], float] | None:
        """For ``/daily``: the chat's scheduled topics and the reveal time of a question posted now
        (as the schedule would reveal it); None when the chat has no schedule."""
        sched = await rows.get(self.store, chat.key)
        if sched is None:
            return None
        posted = self.now().astimezone(ZoneInfo(sched.tz))
        return list(sched.topics), reveal_moment(sched, posted).timestamp()

    def summary(self, sched: Schedule, lang: str) -> str:
        """The schedule in words: days and zone as people say them, topics by their titles."""
        if sched.days in ("daily", "weekdays"):
            days = say(lang, f"days_{sched.days}")
        elif sched.days == "sat,sun":
            days = say(lang, "days_weekends")
        else:
            names = say(lang, "day_names").split()
            days = say(lang, "topic_separator").join(names[DAY_NAMES.index(d)] for d in sched.days.split(","))
        titles = [self.engine.bank.topics[t].title(lang) if t in self.engine.bank.topics else t for t in sched.topics]
        topics = say(lang, "topic_separator").join(titles) if titles else say(lang, "all_topics")
        reveal = (say(lang, "reveal_after", n=sched.reveal[1:].rstrip("h")) if sched.reveal.startswith("+")
                  else say(lang, "reveal_at", time=sched.reveal))
        return say(lang, "summary", days=days, time=sched.post_time, tz=zone_label(sched.tz), topics=topics,
                   reveal=reveal)

    @command("recap", access=Access.ADMIN, args=(RECAP_ARG,),
             summary=L10n("Weekly recap (admins); empty shows it", "每周回顾（管理员）；留空查看当前设置"),
             help=L10n("the weekly recap, opt-in: `/recap on [weekday HH:MM]` (default Sunday 21:00 in the chat's zone) "
                       "posts the week's top five, the longest streaks and the most-missed question with its model "
                       "answer, once a week; `/recap off`; `/recap` alone shows it",
                       "每周回顾（需开启）：`/recap on [星期 HH:MM]`（默认本群时区周日 21:00）每周一次发布本周前五名、"
                       "连续打卡最长的成员和本周最难的一题及参考答案；`/recap off` 关闭；只发 `/recap` 查看当前设置"))
    async def recap(self, cmd: Command, lang: str) -> list[Reply]:
        return await self.recaps.command(cmd, lang)

    @command("schedule", access=Access.ADMIN, args=(SPEC_ARG,),
             summary=L10n("Question of the day (admins); empty shows the schedule", "每日一题（管理员）；留空查看当前设置"),
             help=L10n("question of the day at HH:MM in the zone (IANA, 北京时间, 上海 or UTC+8); `days` "
                       "daily|weekdays|weekends|mon,wed,fri or 每天|工作日|周末|周一,周三,周五; `/schedule off`; "
                       "`/schedule` alone shows it",
                       "每日一题：在该时区（IANA 名称、北京时间、上海或 UTC+8）的 HH:MM 发布；`days` 可写 "
                       "每天|工作日|周末|周一,周三,周五 或 daily|weekdays|weekends|mon,wed,fri；`/schedule off` 关闭；"
                       "只发 `/schedule` 查看当前设置"))
    async def command(self, cmd: Command, lang: str) -> list[Reply]:
        chat = cmd.chat
        args = tuple(a for a in cmd.args if a)
        now = self.engine.clock()
        if not args:
            return [self._info(chat, await self._current(chat, lang))]
        if args[0].lower() in ("off", "stop", "disable", "关闭"):
            await rows.disable(self.store, chat.key, now)
            await self.sync_jobs()
            return [self._info(chat, say(lang, "off"))]
        _lang, chat_tz = await self.engine.chat_settings(chat)
        try:
            sched = parse(args, self.engine.bank, chat_tz, self.settings.reveal_delay_hours)
        except ScheduleError as exc:
            text = say(lang, exc.key, value=exc.value[:40],
                       suggest=say(lang, "suggest", names=exc.suggest) if exc.suggest else "")
            if exc.key != "usage":
                text += "\n" + say(lang, "nothing_changed")
            return [Reply(chat, ReplyKind.ERROR, text, to_user=cmd.user)]
        await rows.save(self.store, chat.key, sched, now, thread=chat.thread)  # posts where it was set
        self.engine.forget_chat_cache(chat.key)
        await self.sync_jobs()
        log.info("schedule for %s: %s", chat.key, sched)
        return [self._info(chat, say(lang, "saved", summary=self.summary(sched, lang)) + "\n"
                           + await self._current(chat, lang, header=False))]

    async def _current(self, chat: ChatRef, lang: str, header: bool = True) -> str:
        sched = await rows.get(self.store, chat.key)
        if sched is None:
            return say(lang, "none") + "\n\n" + say(lang, "usage")
        nxt, reveal = self.next_times(sched)
        fmt = "%Y-%m-%d %H:%M %Z"
        text = say(lang, "current", summary=self.summary(sched, lang),
                   next_post=nxt.strftime(fmt) if nxt else "—", next_reveal=reveal.strftime(fmt) if reveal else "—")
        if not sched.enabled:
            text += "\n" + say(lang, "paused")
        return text if header else "\n".join(text.splitlines()[1:])

    @staticmethod
    def _info(chat: ChatRef, text: str) -> Reply:
        return Reply(chat, ReplyKind.INFO, text)
