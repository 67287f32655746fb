"""A chat that changes its id: everything it owns moves to the new key in one transaction.

Telegram gives a group a new id when it becomes a supergroup (``migrate_to_chat_id`` in the old
chat, ``migrate_from_chat_id`` in the new one, and ``ChatMigrated`` on a send to the old id). The
old id stops working, so the chat's schedule, settings, rounds, answers, scores, all-time totals,
pending pushes and reports must follow, or the group's board would be split in two.

How: every table with a ``chat_key`` column is found from the schema itself (tables added by later
migrations follow without a change here) and re-keyed with ``UPDATE OR IGNORE``; the few rows that
collide with rows the new chat already has are merged where they add up (``totals``) and dropped
where the new chat's row wins (its own schedule, the question of the day it already got). The old
``chats`` row goes last (the others reference it) and ``chat_moves`` remembers the move, so a
second notice of the same move (both updates arrive, then a ``ChatMigrated``) changes nothing.

``links`` keep their refs: a ref names a message in the old chat, where it still lives; the rounds
they point to have moved, so a poll vote or the reveal still finds its round.
"""

from __future__ import annotations

import logging

import aiosqlite

from bot.storage import Store

log = logging.getLogger(__name__)

# the chat's own settings win over the row a new chat got from its first message
MERGED_CHAT_COLUMNS = ("lang", "tz", "lang_set", "notice")


async def _chat_key_tables(db: aiosqlite.Connection) -> list[str]:
    tables = [r[0] for r in await db.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    found = []
    for table in tables:
        columns = [r[1] for r in await db.execute_fetchall(f'PRAGMA table_info("{table}")')]
        if "chat_key" in columns:
            found.append(table)
    return found


async def _move_chat_row(db: aiosqlite.Connection, old: str, new: str) -> None:
    columns = [r[1] for r in await db.execute_fetchall('PRAGMA table_info("chats")')]
    rest = [c for c in columns if c != "key"]
    await db.execute(f"INSERT OR IGNORE INTO chats(key, {', '.join(rest)}) SELECT ?, {', '.join(rest)}"
                     " FROM chats WHERE key = ?", (new, old))
    merged = [c for c in MERGED_CHAT_COLUMNS if c in columns]
    sets = ", ".join(f"{c} = COALESCE((SELECT {c} FROM chats WHERE key = ?), {c})" for c in merged)
    params: list[object] = [old] * len(merged)
    await db.execute(f"UPDATE chats SET {sets}, active = 1 WHERE key = ?", (*params, new))


async def move_chat(store: Store, old: str, new: str, now: float) -> bool:
    """Move chat ``old`` (a key, 'platform:id') with everything it owns to ``new``; True when
    something moved, False when there was nothing left to move (already moved, or never seen)."""
    if old == new:
        return False
    async with store.write() as db:
        await db.execute("INSERT INTO chat_moves(old_key, new_key, moved_at) VALUES (?, ?, ?)"
                         " ON CONFLICT(old_key) DO UPDATE SET new_key = excluded.new_key", (old, new, now))
        row = await (await db.execute("SELECT 1 FROM chats WHERE key = ?", (old,))).fetchone()
        if row is None:
            return False
        await _move_chat_row(db, old, new)
        moved: dict[str, int] = {}
        # all-time totals add up: a member who scored in both ids keeps one line with the sum
        cur = await db.execute(
            "INSERT INTO totals(chat_key, user_key, total, n) SELECT ?, user_key, total, n FROM totals"
            " WHERE chat_key = ? AND true ON CONFLICT(chat_key, user_key)"
            " DO UPDATE SET total = total + excluded.total, n = n + excluded.n", (new, old))
        moved["totals"] = cur.rowcount
        await db.execute("DELETE FROM totals WHERE chat_key = ?", (old,))
        for table in await _chat_key_tables(db):
            if table == "totals":
                continue
            cur = await db.execute(f'UPDATE OR IGNORE "{table}" SET chat_key = ? WHERE chat_key = ?', (new, old))
            moved[table] = cur.rowcount
            # what is left collided with a row of the new chat (its own schedule, today's post): it wins
            await db.execute(f'DELETE FROM "{table}" WHERE chat_key = ?', (old,))
        # Telegram may report the bot "left" the old group before the move: the chat lives on at
        # the new id, so a schedule paused for that reason runs again
        await db.execute("UPDATE schedules SET enabled = 1, paused = NULL WHERE chat_key = ? AND paused = 'inactive'",
                         (new,))
        # replies recorded for later still name the old id inside their JSON
        _platform, _, old_id = old.partition(":")
        _platform, _, new_id = new.partition(":")
        await db.execute("UPDATE pushes SET replies = replace(replies, ?, ?) WHERE chat_key = ? AND replies IS NOT NULL",
                         (f'"id":"{old_id}"', f'"id":"{new_id}"', new))
        await db.execute("DELETE FROM chats WHERE key = ?", (old,))
    log.info("chat %s moved to %s: %s", old, new, ", ".join(f"{t} {n}" for t, n in sorted(moved.items()) if n))
    return True


async def moved_to(store: Store, old: str) -> str | None:
    """Where a chat that changed id went (None if it never moved)."""
    row = await store.fetchone("SELECT new_key FROM chat_moves WHERE old_key = ?", (old,))
    return row["new_key"] if row else None


async def moved_from(store: Store, new: str) -> list[str]:
    """Every earlier key of chat ``new``: the chats that moved into it, directly or through a chain
    of moves (a key signed into something before the move, such as a private-answer link, still
    names the chat by one of them)."""
    rows = await store.fetchall(
        "WITH RECURSIVE earlier(key) AS (SELECT old_key FROM chat_moves WHERE new_key = ?"
        " UNION SELECT m.old_key FROM chat_moves m JOIN earlier e ON m.new_key = e.key)"
        " SELECT key FROM earlier WHERE key != ?", (new, new))
    return [row["key"] for row in rows]
