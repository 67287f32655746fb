"""ReviewReminders: the opt-in daily "N cards are due" message of the review queue.

A member sets ``/review remind 20:30 [zone]``; their row in ``review_members`` keeps the time, the
zone and ``remind_next``, the UTC instant of the next reminder (indexed). A job at the start of
every minute (``scheduler.minutely``, started and stopped with the ``DailyScheduler``) takes the
rows whose ``remind_next`` has passed:

* Exactly once a day, like the question of the day: each row is claimed with a compare-and-set
  ``UPDATE`` that moves ``remind_next`` to the next day's time and writes the local date into
  ``reminded_on`` in the same statement. Only the process whose update changed the row sends, and a
  date already in ``reminded_on`` is never reminded again (a member who moves the time later the
  same day is not reminded twice). The claim is durable before the message goes out, so a restart
  or a second process cannot send it again.
* Restart-safe: rows are read from the database at every tick; a reminder missed while the bot was
  down is sent late if less than ``daily.grace_minutes`` late, else skipped for that day (its
  ``remind_next`` still moves on).
* In the member's zone: ``remind_next`` is computed with zoneinfo, so 20:30 stays 20:30 local across
  daylight-saving changes.
* Nothing is sent when no card is due today. A member who blocked the bot (``ChatUnavailable``)
  has reminders switched off and the private chat marked inactive.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.engine import QuizEngine
from bot.local_time import end_of_day, local_date, next_local
from bot.messenger import ChatUnavailable
from bot.model import ChatRef
from bot.replies import Button, Reply, ReplyKind
from bot.review.store import ReviewStore
from bot.review.texts import say
from scheduler.minutely import EveryMinute

log = logging.getLogger(__name__)

JOB_ID = "review-reminders"
BATCH = 500  # rows claimed per query; a tick loops until none is due
CONCURRENCY = 32  # reminders in flight at once; the adapters' limiters pace the sends


@dataclass(frozen=True)
class Due:
    member: int
    user_key: str
    dm_chat: str | None
    time: str
    tz: str
    at: float  # the remind_next that fell due
    reminded_on: str | None


class ReviewReminders:
    def __init__(self, engine: QuizEngine, settings: Settings, concurrency: int = CONCURRENCY) -> None:
        self.engine = engine
        self.store = engine.store
        self.queue = ReviewStore(engine.store)
        self.grace = settings.grace_minutes * 60
        self.concurrency = concurrency
        self.minutely = EveryMinute(JOB_ID, self.tick)

    def start(self) -> None:
        self.minutely.start()

    def stop(self) -> None:
        self.minutely.stop()

    async def tick(self) -> int:
        """Claim and send every reminder that fell due; returns how many were sent."""
        sent = 0
        gate = asyncio.Semaphore(self.concurrency)

        async def one(due: Due) -> bool:
            async with gate:
                return await self.remind(due)

        while True:
            now = self.engine.clock()
            batch = await self._due(now)
            results = await asyncio.gather(*(one(d) for d in batch), return_exceptions=True)
            for due, result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    log.error("review reminder for %s failed: %r", due.user_key, result)
            sent += sum(1 for r in results if r is True)
            if len(batch) < BATCH:
                return sent

    async def _due(self, now: float) -> list[Due]:
        rows = await self.store.fetchall(
            "SELECT id, user_key, dm_chat, remind_time, remind_tz, remind_next, reminded_on FROM review_members"
            " WHERE remind_next <= ? ORDER BY remind_next LIMIT ?", (now, BATCH))
        return [Due(r["id"], r["user_key"], r["dm_chat"], r["remind_time"], r["remind_tz"], r["remind_next"],
                    r["reminded_on"]) for r in rows]

    async def claim(self, due: Due, now: float) -> bool:
        """Move the row to its next reminder; True when this call should send today's."""
        day = local_date(due.at, due.tz)
        send = now - due.at <= self.grace and due.reminded_on != day
        if not send:
            log.info("review reminder for %s on %s skipped (%s)", due.user_key, day,
                     "already sent" if due.reminded_on == day else f"{now - due.at:.0f} s late")
        async with self.store.write() as db:
            cur = await db.execute(
                "UPDATE review_members SET remind_next = ?, reminded_on = CASE WHEN ? THEN ? ELSE reminded_on END"
                " WHERE id = ? AND remind_next = ?",
                (next_local(due.time, due.tz, max(now, due.at)), int(send), day, due.member, due.at))
            return send and cur.rowcount == 1

    async def remind(self, due: Due) -> bool:
        now = self.engine.clock()
        if not await self.claim(due, now) or due.dm_chat is None:
            return False
        count = await self.queue.count_due(due.member, end_of_day(now, due.tz))
        if count == 0:
            return False
        platform, _, chat_id = due.dm_chat.partition(":")
        chat = ChatRef(platform, chat_id, private=True)
        messenger = self.engine.messengers.get(platform)
        if messenger is None:
            log.warning("no %s adapter running: review reminder for %s not sent", platform, due.user_key)
            return False
        lang, _tz = await self.engine.chat_settings(chat)
        reply = Reply(chat, ReplyKind.INFO, say(lang, "reminder", n=count),
                      buttons=(Button(say(lang, "start_button"), "qb:rv:go"),))
        try:
            await messenger.send(reply)
        except ChatUnavailable:
            log.info("review reminders for %s switched off: the private chat is gone", due.user_key)
            await self.queue.set_reminder(due.user_key, None, None, None, None)
            await self.engine.set_chat_active(chat.key, False)
            return False
        return True
