"""WeeklyRecaps: a chat's opt-in weekly recap (``/recap on [weekday HH:MM]``, Sunday 21:00 in the
chat's zone by default; ``/recap off``), sent once a week, through restarts.

Scheduled like the question of the day, on the pattern of the review reminders: the chat's row in
``recaps`` keeps the weekday, the time and ``next_at`` (the UTC instant of the next recap). A job
at the start of every minute (``scheduler.minutely``) takes the rows that fell due:

* Exactly once a week: a row is claimed with a compare-and-set ``UPDATE`` that moves ``next_at``
  to the following week, and the week (ISO year-week of the recap's local date) is claimed in
  ``recap_posts`` in the same transaction. Only the process that made both claims sends, and the
  claim is durable before the recap goes out, so neither a restart nor a second process can send
  that week's recap again (also after ``/recap`` moved it to a later day of the same week).
* Restart-safe: rows are read from the database at every tick; a recap missed while the bot was
  down is sent late if less than ``daily.grace_minutes`` late, else that week is skipped.
* In the chat's zone, read again at every recap (``/schedule`` may move it), with zoneinfo, so
  21:00 stays 21:00 local across daylight-saving changes.
* The recap is pushed through ``engine.push`` (recorded, retried until delivered); a week in
  which nobody played sends nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.engine import QuizEngine
from bot.events import Command
from bot.local_time import DAY_NAMES, next_local, parse_time, weekday_of, zone_label
from bot.recap import Recaps
from bot.replies import Reply, ReplyKind
from scheduler.messages import say
from scheduler.minutely import EveryMinute

log = logging.getLogger(__name__)

JOB_ID = "weekly-recaps"
BATCH = 200  # rows claimed per query; a tick loops until none is due
DEFAULT_DAY, DEFAULT_TIME = 6, "21:00"  # Sunday 21:00
ON_WORDS = frozenset({"on", "开", "开启", "打开"})
OFF_WORDS = frozenset({"off", "stop", "disable", "关", "关闭"})


class RecapError(Exception):
    def __init__(self, key: str, value: str = "") -> None:
        super().__init__(f"{key}: {value}")
        self.key, self.value = key, value


def parse_recap(words: list[str]) -> tuple[int, str]:
    """(weekday, 'HH:MM') from the words after ``/recap on``, in either order; Sunday 21:00 when
    one is missing."""
    day, at = DEFAULT_DAY, DEFAULT_TIME
    seen_day = seen_time = False
    for word in words:
        parsed_day, parsed_time = weekday_of(word), parse_time(word)
        if parsed_day is not None and not seen_day:
            day, seen_day = parsed_day, True
        elif parsed_time is not None and not seen_time:
            at, seen_time = parsed_time, True
        else:
            raise RecapError("recap_bad_word", word[:40])
    return day, at


def next_recap(weekday: int, at: str, tz: str, after: float) -> float:
    """The UTC instant of the first ``weekday`` ``at`` (local, in ``tz``) strictly after ``after``."""
    return next_local(at, tz, after, weekday)


def week_of(when: float, tz: str) -> str:
    """The ISO year-week of the local date of ``when``: the week a recap is claimed for."""
    year, week, _ = datetime.fromtimestamp(when, ZoneInfo(tz)).date().isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DueRecap:
    chat_key: str
    weekday: int
    at: str
    due: float  # the next_at that fell due


class WeeklyRecaps:
    def __init__(self, engine: QuizEngine, settings: Settings) -> None:
        self.engine = engine
        self.store = engine.store
        self.grace = settings.grace_minutes * 60
        self.recaps = Recaps(engine.store, engine.bank, engine.stats)
        self.minutely = EveryMinute(JOB_ID, self.tick)

    def start(self) -> None:
        self.minutely.start()

    def stop(self) -> None:
        self.minutely.stop()

    # -- sending --------------------------------------------------------------------------------

    async def tick(self) -> int:
        """Claim and send every recap that fell due; returns how many were sent."""
        sent = 0
        while True:
            rows = await self.store.fetchall(
                "SELECT chat_key, weekday, at, next_at FROM recaps WHERE enabled = 1 AND next_at <= ?"
                " ORDER BY next_at LIMIT ?", (self.engine.clock(), BATCH))
            for row in rows:
                due = DueRecap(row["chat_key"], row["weekday"], row["at"], row["next_at"])
                try:
                    sent += await self.send(due)
                except Exception:  # one chat's failure must not stop the others; its week stays claimed
                    log.exception("weekly recap for %s failed", due.chat_key)
            if len(rows) < BATCH:
                return sent

    async def claim(self, due: DueRecap, tz: str, now: float) -> bool:
        """Move the chat's row to its next recap and claim this week; True when this call should
        send it (on time within the grace, and the first to claim the week)."""
        week = week_of(due.due, tz)
        on_time = now - due.due <= self.grace
        async with self.store.write() as db:
            cur = await db.execute(
                "UPDATE recaps SET next_at = ?, tz = ? WHERE chat_key = ? AND next_at = ? AND enabled = 1",
                (next_recap(due.weekday, due.at, tz, max(now, due.due)), tz, due.chat_key, due.due))
            if cur.rowcount != 1:
                return False  # another process (or tick) took it
            if not on_time:
                log.info("weekly recap for %s (%s) skipped: %.0f s late", due.chat_key, week, now - due.due)
                return False
            cur = await db.execute("INSERT OR IGNORE INTO recap_posts(chat_key, week, posted_at) VALUES (?, ?, ?)",
                                   (due.chat_key, week, now))
            if cur.rowcount != 1:
                log.info("weekly recap for %s (%s) already sent", due.chat_key, week)
            return cur.rowcount == 1

    async def send(self, due: DueRecap) -> int:
        chat = await self.engine.stored_chat(due.chat_key)
        lang, tz = await self.engine.chat_settings(chat)
        now = self.engine.clock()
        if not await self.claim(due, tz, now):
            return 0
        recap = await self.recaps.build(due.chat_key, tz, now, lang)
        if recap is None:
            log.info("weekly recap for %s: nobody played this week; nothing sent", due.chat_key)
            return 0
        await self.engine.push([Reply(chat, ReplyKind.INFO, recap.text, folded=recap.folded)])
        return 1

    # -- the /recap command ---------------------------------------------------------------------

    async def command(self, cmd: Command, lang: str) -> list[Reply]:
        words = [a for a in cmd.args if a.strip()]
        chat = cmd.chat
        now = self.engine.clock()
        if not words:
            return [Reply(chat, ReplyKind.INFO, await self.describe(chat.key, lang))]
        if words[0].lower() in OFF_WORDS:
            async with self.store.write() as db:
                await db.execute("UPDATE recaps SET enabled = 0, next_at = NULL, updated_at = ? WHERE chat_key = ?",
                                 (now, chat.key))
            return [Reply(chat, ReplyKind.INFO, say(lang, "recap_off"))]
        if words[0].lower() in ON_WORDS:
            words = words[1:]
        try:
            weekday, at = parse_recap(words)
        except RecapError as exc:
            return [Reply(chat, ReplyKind.ERROR, say(lang, exc.key, value=exc.value) + "\n" + say(lang, "recap_usage"),
                          to_user=cmd.user)]
        _lang, tz = await self.engine.chat_settings(chat)
        next_at = next_recap(weekday, at, tz, now)
        async with self.store.write() as db:
            await db.execute(
                "INSERT INTO recaps(chat_key, weekday, at, tz, enabled, next_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)"
                " ON CONFLICT(chat_key) DO UPDATE SET weekday = excluded.weekday, at = excluded.at, tz = excluded.tz,"
                " enabled = 1, next_at = excluded.next_at, updated_at = excluded.updated_at",
                (chat.key, weekday, at, tz, next_at, now))
        log.info("weekly recap for %s: %s %s %s", chat.key, DAY_NAMES[weekday], at, tz)
        return [Reply(chat, ReplyKind.INFO, say(lang, "recap_saved", when=self.when(weekday, at, tz, lang),
                                                next=self.moment(next_at, tz)))]

    async def describe(self, chat_key: str, lang: str) -> str:
        row = await self.store.fetchone("SELECT weekday, at, tz, enabled, next_at FROM recaps WHERE chat_key = ?",
                                        (chat_key,))
        if row is None or not row["enabled"] or row["next_at"] is None:
            return say(lang, "recap_none") + "\n" + say(lang, "recap_usage")
        return say(lang, "recap_current", when=self.when(row["weekday"], row["at"], row["tz"], lang),
                   next=self.moment(row["next_at"], row["tz"]))

    @staticmethod
    def when(weekday: int, at: str, tz: str, lang: str) -> str:
        return say(lang, "recap_when", day=say(lang, "day_names").split()[weekday], time=at, tz=zone_label(tz))

    @staticmethod
    def moment(at: float, tz: str) -> str:
        return datetime.fromtimestamp(at, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
