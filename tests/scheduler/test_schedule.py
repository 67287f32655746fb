"""The question of the day: /schedule parsing, local times across DST, exactly-once posting,
restarts inside and outside the grace window, two schedulers on one database, reveals due during
downtime, and edits without a restart. The clock is time-machine's, never slept on."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from bot.events import Command
from bot.model import ChatRef, UserRef
from bot.replies import ReplyKind
from bot.storage import Store
from scheduler.parse import ScheduleError, parse
from scheduler.service import DailyScheduler, reveal_moment, slot_id, trigger_for

GROUP = ChatRef("console", "g1", private=False, title="group")
ADMIN = UserRef("console", "root", "Root", is_admin=True)
MEMBER = UserRef("console", "bob", "Bob")


def schedule(*args: str, user: UserRef = ADMIN, chat: ChatRef = GROUP) -> Command:
    return Command(chat, user, name="schedule", args=args)


async def settle(daily: DailyScheduler, until=None, timeout: float = 3.0) -> None:
    """Let APScheduler see the travelled clock and run what is due (jobs run as tasks)."""
    daily.aps.wakeup()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        if until is None or await until():
            return
    if until is not None:
        raise AssertionError("scheduled work did not happen")


async def posts(store: Store) -> list[tuple[str, str]]:
    return [(r["chat_key"], r["local_date"]) for r in await store.fetchall(
        "SELECT chat_key, local_date FROM daily_posts ORDER BY local_date")]


def questions(console: ConsoleAdapter) -> list:
    return [r for r in console.transcript if r.kind is ReplyKind.QUESTION]


# -- parsing -------------------------------------------------------------------------------------

def test_parse_full_spec(bank):
    s = parse(("9:00", "Asia/Shanghai", "微调", "arch", "reveal", "21:00", "days", "mon,wed,fri"), bank, "UTC", 12)
    assert (s.post_time, s.tz, s.topics, s.reveal, s.days) == ("09:00", "Asia/Shanghai", ("sft", "arch"), "21:00",
                                                              "mon,wed,fri")
    d = parse(("07:30",), bank, "Europe/Berlin", 12)
    assert (d.tz, d.topics, d.reveal, d.days) == ("Europe/Berlin", (), "+12h", "daily")
    assert parse(("07:30", "reveal", "+3h", "days", "weekdays"), bank, "UTC", 12).reveal == "+3h"


@pytest.mark.parametrize("args, key", [
    ((), "usage"), (("25:00",), "bad_time"), (("9am",), "bad_time"), (("09:00", "Mars/Olympus"), "bad_zone"),
    (("09:00", "finetunning"), "bad_topic"), (("09:00", "reveal", "soon"), "bad_reveal"),
    (("09:00", "reveal", "+30h"), "bad_reveal"), (("09:00", "days", "someday"), "bad_days"),
    (("09:00", "reveal", "09:00"), "same_time"),
])
def test_parse_errors(bank, args, key):
    with pytest.raises(ScheduleError) as err:
        parse(args, bank, "UTC", 12)
    assert err.value.key == key


def test_trigger_keeps_local_time_across_dst_both_ways(bank):
    sched = parse(("09:00", "America/New_York"), bank, "UTC", 12)
    trigger = trigger_for(sched)
    ny = ZoneInfo("America/New_York")
    # spring forward on 2026-03-08, fall back on 2026-11-01: 09:00 local stays 09:00 local
    for before, after_utc in ((datetime(2026, 3, 7, 12, tzinfo=UTC), (14, 13)),
                              (datetime(2026, 10, 31, 12, tzinfo=UTC), (13, 14))):
        first = trigger.get_next_fire_time(None, before)
        second = trigger.get_next_fire_time(first, first + (datetime(2026, 1, 2) - datetime(2026, 1, 1)))
        assert first.astimezone(ny).hour == second.astimezone(ny).hour == 9
        assert (first.astimezone(UTC).hour, second.astimezone(UTC).hour) == after_utc


def test_reveal_moment_next_day_and_relative(bank):
    tz = ZoneInfo("Asia/Shanghai")
    posted = datetime(2026, 11, 20, 21, 0, tzinfo=tz)
    assert reveal_moment(parse(("21:00", "reveal", "08:00"), bank, "Asia/Shanghai", 12), posted) == \
        datetime(2026, 11, 21, 8, 0, tzinfo=tz)
    assert reveal_moment(parse(("21:00", "reveal", "+2h"), bank, "Asia/Shanghai", 12), posted).hour == 23


# -- the command ----------------------------------------------------------------------------------

async def test_command_sets_shows_and_turns_off(real_engine, daily, store):
    with time_machine.travel(datetime(2026, 11, 20, 0, 0, tzinfo=UTC), tick=False):
        saved = (await real_engine.handle(schedule("09:00", "Asia/Shanghai", "微调", "reveal", "21:00")))[0]
        assert saved.kind is ReplyKind.INFO and "09:00" in saved.text and "2026-11-20 09:00 CST" in saved.text
        shown = (await real_engine.handle(schedule()))[0].text
        assert "2026-11-20 21:00 CST" in shown
        assert [j.id for j in daily.aps.get_jobs()] == ["daily:Asia/Shanghai:09:00:daily"]
        row = await store.fetchone("SELECT tz FROM chats WHERE key = ?", (GROUP.key,))
        assert row["tz"] == "Asia/Shanghai"  # leaderboards now use the schedule's zone
        off = (await real_engine.handle(schedule("off")))[0]
        assert off.kind is ReplyKind.INFO and daily.aps.get_jobs() == []


async def test_bad_input_changes_nothing_and_non_admin_refused(real_engine, daily, store):
    await real_engine.handle(schedule("09:00", "Asia/Shanghai"))
    for args in (("25:00",), ("09:00", "Nowhere/City"), ("09:00", "nosuchtopic")):
        reply = (await real_engine.handle(schedule(*args)))[0]
        assert reply.kind is ReplyKind.ERROR and "changed" in reply.text
    refused = (await real_engine.handle(schedule("10:00", user=MEMBER)))[0]
    assert refused.kind is ReplyKind.ERROR and "admin" in refused.text
    row = await store.fetchone("SELECT post_time, tz FROM schedules WHERE chat_key = ?", (GROUP.key,))
    assert (row["post_time"], row["tz"]) == ("09:00", "Asia/Shanghai")


# -- running on the clock -------------------------------------------------------------------------

@pytest.mark.parametrize("zone, days", [
    # Berlin: spring forward on Sunday 2026-03-29 (09:00 = 08:00 UTC before, 07:00 UTC after)
    ("Europe/Berlin", [("2026-03-28", datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),
                       ("2026-03-29", datetime(2026, 3, 29, 7, 0, tzinfo=UTC))]),
    # and fall back on Sunday 2026-10-25 (09:00 = 07:00 UTC before, 08:00 UTC after)
    ("Europe/Berlin", [("2026-10-24", datetime(2026, 10, 24, 7, 0, tzinfo=UTC)),
                       ("2026-10-25", datetime(2026, 10, 25, 8, 0, tzinfo=UTC))]),
])
async def test_posts_at_local_time_across_dst(real_engine, console, daily, store, zone, days):
    first_day, first_at = days[0]
    with time_machine.travel(first_at.timestamp() - 3600, tick=False) as traveller:
        await real_engine.handle(schedule("09:00", zone))
        for local_day, at in days:
            traveller.move_to(at.timestamp() - 5)
            await settle(daily)
            assert (GROUP.key, local_day) not in await posts(store)  # not a second early
            traveller.move_to(at.timestamp() + 1)

            async def done(local_day=local_day):
                return (GROUP.key, local_day) in await posts(store)

            await settle(daily, until=done)
        assert len(questions(console)) == 2


async def test_restart_inside_grace_posts_once_late(real_engine, console, daily, store, settings, bank):
    with time_machine.travel(datetime(2026, 11, 20, 0, 0, tzinfo=UTC), tick=False) as traveller:
        await real_engine.handle(schedule("09:00", "Asia/Shanghai"))
        await daily.stop()  # the bot goes down before 09:00 local (01:00 UTC) ...
        traveller.move_to(datetime(2026, 11, 20, 1, 40, tzinfo=UTC))  # ... and is back at 09:40
        again = DailyScheduler(real_engine, settings)
        await again.start()
        try:
            await again.rebuild()
            await again.rebuild()  # a second start-up in the same window posts nothing more
        finally:
            await again.stop()
        assert await posts(store) == [(GROUP.key, "2026-11-20")]
        assert len(questions(console)) == 1


async def test_restart_outside_grace_skips_the_day(real_engine, console, daily, store, settings, caplog):
    with time_machine.travel(datetime(2026, 11, 20, 0, 0, tzinfo=UTC), tick=False) as traveller:
        await real_engine.handle(schedule("09:00", "Asia/Shanghai"))
        await daily.stop()
        traveller.move_to(datetime(2026, 11, 20, 2, 30, tzinfo=UTC))  # 10:30 local: 90 min late
        again = DailyScheduler(real_engine, settings)
        await again.start()
        with caplog.at_level(logging.WARNING, logger="scheduler.service"):
            await again.rebuild()
        await again.stop()
        assert await posts(store) == []
        assert "skipped" in caplog.text


async def test_two_schedulers_on_one_database_post_once(settings, bank, store):
    other_store = await Store.open(settings.db_path)
    outs = []
    try:
        with time_machine.travel(datetime(2026, 11, 20, 0, 0, tzinfo=UTC), tick=False) as traveller:
            engines = [QuizEngine(s, bank, settings, clock=time.time) for s in (store, other_store)]
            for e in engines:
                outs.append(ConsoleAdapter(e, out=io.StringIO()))
            schedulers = [DailyScheduler(e, settings) for e in engines]
            for s in schedulers:
                await s.start()
            await engines[0].handle(schedule("09:00", "Asia/Shanghai"))
            await schedulers[1].sync_jobs()
            traveller.move_to(datetime(2026, 11, 20, 1, 0, 1, tzinfo=UTC))
            await asyncio.gather(*(s.post_slot(parse(("09:00", "Asia/Shanghai"), bank, "UTC", 12))
                                   for s in schedulers))
            await asyncio.gather(*(s.rebuild() for s in schedulers))  # and a catch-up from both
            for s in schedulers:
                await s.stop()
        assert await posts(store) == [(GROUP.key, "2026-11-20")]
        assert sum(len(questions(o)) for o in outs) == 1
    finally:
        await other_store.close()


async def test_reveal_due_during_downtime_happens_at_start_up(real_engine, console, daily, store, settings):
    with time_machine.travel(datetime(2026, 11, 20, 0, 59, tzinfo=UTC), tick=False) as traveller:
        await real_engine.handle(schedule("09:00", "Asia/Shanghai", "reveal", "21:00"))
        traveller.move_to(datetime(2026, 11, 20, 1, 0, 1, tzinfo=UTC))

        async def posted():
            return bool(await posts(store))

        await settle(daily, until=posted)
        await daily.stop()  # down from 09:00 until after the 21:00 reveal
        traveller.move_to(datetime(2026, 11, 20, 13, 30, tzinfo=UTC))
        again = DailyScheduler(real_engine, settings)
        await again.start()
        await again.rebuild()
        await again.stop()
        assert [r.kind for r in console.transcript][-1] is ReplyKind.REVEAL
        assert (await store.fetchone("SELECT COUNT(*) FROM rounds WHERE status = 'open'"))[0] == 0


async def test_edit_takes_effect_without_restart(real_engine, console, daily, store):
    with time_machine.travel(datetime(2026, 11, 20, 0, 0, tzinfo=UTC), tick=False) as traveller:
        await real_engine.handle(schedule("09:00", "Asia/Shanghai"))
        await real_engine.handle(schedule("10:00", "Asia/Shanghai"))
        assert [j.id for j in daily.aps.get_jobs()] == ["daily:Asia/Shanghai:10:00:daily"]
        traveller.move_to(datetime(2026, 11, 20, 1, 0, 5, tzinfo=UTC))  # 09:00 local: nothing
        await settle(daily)
        assert await posts(store) == []
        traveller.move_to(datetime(2026, 11, 20, 2, 0, 1, tzinfo=UTC))

        async def posted():
            return bool(await posts(store))

        await settle(daily, until=posted)
        assert len(questions(console)) == 1


async def test_unreachable_chat_is_paused(real_engine, daily, store, bank):
    from bot.messenger import ChatUnavailable

    class Gone:
        async def send(self, reply):
            raise ChatUnavailable(reply.chat.key)

    real_engine.add_messenger("console", Gone())
    with time_machine.travel(datetime(2026, 11, 20, 1, 0, 1, tzinfo=UTC), tick=False):
        await real_engine.handle(schedule("09:00", "Asia/Shanghai"))
        await daily.post_slot(parse(("09:00", "Asia/Shanghai"), bank, "UTC", 12))
    row = await store.fetchone("SELECT enabled FROM schedules WHERE chat_key = ?", (GROUP.key,))
    chat = await store.fetchone("SELECT active FROM chats WHERE key = ?", (GROUP.key,))
    assert (row["enabled"], chat["active"]) == (0, 0)
    await daily.sync_jobs()
    assert slot_id(parse(("09:00", "Asia/Shanghai"), bank, "UTC", 12)) not in [j.id for j in daily.aps.get_jobs()]
