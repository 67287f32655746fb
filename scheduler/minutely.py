"""A job at the start of every minute, on an APScheduler of its own: how the review reminders and the
weekly recaps find the rows that fell due.

Their times live in SQLite (``remind_next``, ``recaps.next_at``) rather than in one APScheduler job
per member or chat, so a restart rebuilds nothing and a second process claims nothing twice; the
job only says "look now". A run delayed past its minute is still made (coalesced, one at a time):
the next tick would take the same rows anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger


class EveryMinute:
    """Runs ``tick`` at second 0 of every minute while started."""

    def __init__(self, job_id: str, tick: Callable[[], Awaitable[object]]) -> None:
        self.job_id = job_id
        self.tick = tick
        self.aps: AsyncIOScheduler | None = None

    def start(self) -> None:
        self.aps = AsyncIOScheduler(timezone=ZoneInfo("UTC"), job_defaults={
            "misfire_grace_time": 60, "coalesce": True, "max_instances": 1})
        self.aps.add_job(self.tick, CronTrigger(second=0), id=self.job_id, name=self.job_id, replace_existing=True)
        self.aps.start()

    def stop(self) -> None:
        if self.aps is not None and self.aps.running:
            self.aps.shutdown(wait=False)
