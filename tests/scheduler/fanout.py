"""One fan-out run: N chats scheduled for the same minute, posted by the DailyScheduler through the
real TelegramAdapter (python-telegram-bot + its flood limiter) to the rate-limited fake Bot API.
Shared by the fan-out test and ``bench/bench_fanout.py``; returns the figures."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime

from rate_limited_fake import RateLimitedBotAPI

from adapters.telegram.adapter import TelegramAdapter
from bot.bank import QuestionBank
from bot.config import Settings
from bot.engine import QuizEngine
from bot.storage import Store, dumps
from scheduler.parse import parse
from scheduler.service import DailyScheduler, post_moment


async def run_fanout(n_chats: int, settings: Settings, bank: QuestionBank, rate: int = 30) -> dict:
    fake = RateLimitedBotAPI(rate=rate)
    await fake.start()
    store = await Store.open(settings.db_path)
    adapter = daily = None
    try:
        engine = QuizEngine(store, bank, settings, clock=time.time)
        tg_settings = dataclasses.replace(settings, telegram_token=fake.token, telegram_api_base_url=fake.root_url)
        adapter = TelegramAdapter(engine, tg_settings, poll_timeout=1)
        await adapter.start()
        daily = DailyScheduler(engine, settings)
        await daily.start()
        sched = parse(("09:00", "Asia/Shanghai"), bank, "UTC", 12)
        keys = [f"telegram:{-1_000_000_000_000 - i}" for i in range(n_chats)]
        now = time.time()
        async with store.write() as db:  # the chats and their schedules, as /schedule would leave them
            await db.executemany(
                "INSERT INTO chats(key, platform, private, title, lang, tz, created_at) VALUES (?, 'telegram', 0, ?, 'en', ?, ?)",
                [(k, f"group {i}", sched.tz, now) for i, k in enumerate(keys)])
            await db.executemany(
                "INSERT INTO schedules(chat_key, post_time, tz, topics, reveal, days, enabled, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                [(k, sched.post_time, sched.tz, dumps([]), sched.reveal, sched.days, now) for k in keys])
        chats = [(k, sched) for k in keys]
        moment = post_moment(sched, datetime.now(UTC).date())
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        posted = await daily.post_many(chats, moment)
        wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
        delivered = fake.delivered()
        span = (fake.last_send - fake.first_send) if fake.first_send and fake.last_send else wall
        return {
            "chats": n_chats,
            "posted": posted,
            "delivered": sum(1 for c in delivered.values() if c >= 1),
            "duplicates": sum(c - 1 for c in delivered.values() if c > 1),
            "missing": n_chats - len(delivered),
            "rejected_429": fake.rejected,
            "seconds": wall,
            "rate": (len(delivered) - 1) / span if span > 0 else float("inf"),
            "cpu_per_1000": cpu / max(1, n_chats) * 1000,
        }
    finally:
        if daily is not None:
            await daily.stop()
        if adapter is not None:
            await adapter.stop()
        await store.close()
        await fake.stop()
