"""Schedule rows in SQLite (the source of truth; APScheduler jobs are rebuilt from them)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from bot.storage import Store, dumps
from scheduler.parse import Schedule


def _row_to_schedule(row) -> Schedule:
    return Schedule(row["post_time"], row["tz"], tuple(json.loads(row["topics"] or "[]")), row["reveal"],
                    row["days"], bool(row["enabled"]))


async def save(store: Store, chat_key: str, sched: Schedule, now: float, thread: str = "") -> None:
    """Store the schedule (enabled, no longer paused), posting into ``thread`` (the forum topic it
    was set in, '' for the chat's main place), and make its zone the chat's zone (leaderboards,
    streaks)."""
    async with store.write() as db:
        await db.execute(
            "INSERT INTO schedules(chat_key, post_time, tz, topics, reveal, days, enabled, updated_at, thread)"
            " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT(chat_key) DO UPDATE SET post_time = excluded.post_time,"
            " tz = excluded.tz, topics = excluded.topics, reveal = excluded.reveal, days = excluded.days,"
            " enabled = 1, paused = NULL, updated_at = excluded.updated_at, thread = excluded.thread",
            (chat_key, sched.post_time, sched.tz, dumps(list(sched.topics)), sched.reveal, sched.days, now, thread),
        )
        await db.execute("UPDATE chats SET tz = ?, active = 1 WHERE key = ?", (sched.tz, chat_key))


async def disable(store: Store, chat_key: str, now: float) -> bool:
    async with store.write() as db:
        cur = await db.execute("UPDATE schedules SET enabled = 0, updated_at = ? WHERE chat_key = ? AND enabled = 1",
                               (now, chat_key))
        return cur.rowcount > 0


async def get(store: Store, chat_key: str) -> Schedule | None:
    row = await store.fetchone("SELECT * FROM schedules WHERE chat_key = ?", (chat_key,))
    return _row_to_schedule(row) if row else None


async def enabled(store: Store) -> list[tuple[str, Schedule]]:
    rows = await store.fetchall("SELECT * FROM schedules WHERE enabled = 1 ORDER BY chat_key")
    return [(row["chat_key"], _row_to_schedule(row)) for row in rows]


async def enabled_in_slot(store: Store, tz: str, post_time: str, days: str) -> list[tuple[str, Schedule]]:
    rows = await store.fetchall(
        "SELECT * FROM schedules WHERE enabled = 1 AND tz = ? AND post_time = ? AND days = ? ORDER BY chat_key",
        (tz, post_time, days))
    return [(row["chat_key"], _row_to_schedule(row)) for row in rows]


async def posted_dates(store: Store, chat_keys: Iterable[str], local_date: str) -> set[str]:
    keys = list(chat_keys)
    if not keys:
        return set()
    marks = ",".join("?" * len(keys))
    rows = await store.fetchall(
        f"SELECT chat_key FROM daily_posts WHERE local_date = ? AND chat_key IN ({marks})", (local_date, *keys))
    return {r["chat_key"] for r in rows}
