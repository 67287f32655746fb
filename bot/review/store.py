"""The review queue's queries: members, the card being shown, the next due card, counts for the
stats and reminders, and deleting (``/forget``, questions gone from the bank).

``review_cards`` is keyed by (member, question) and indexed by (member, due): the next due card of
a member is the first entry of that index, read without touching any other member's cards.

``review_current`` keeps one row per member: the card shown and its item number. An answered or
stopped card leaves the row with an empty ``question_id`` (nothing waits), so the item numbers
keep growing and a button of any earlier card stays refused.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from bot.storage import Store

DROP_CHUNK = 20  # members per transaction of the start-up clean-up (~10,000 cards: ~15 ms)
NEXT_DUE = "SELECT question_id, due FROM review_cards WHERE member_id = ? ORDER BY due LIMIT 1"


async def member_id(db: aiosqlite.Connection, user_key: str) -> int:
    """The member's id, created on first use (inside the caller's write transaction)."""
    cur = await db.execute(
        "INSERT INTO review_members(user_key) VALUES (?)"
        " ON CONFLICT(user_key) DO UPDATE SET user_key = excluded.user_key RETURNING id", (user_key,))
    row = await cur.fetchone()
    assert row is not None  # an upsert with RETURNING always returns the row
    return int(row[0])


@dataclass(frozen=True)
class Current:
    """The card ``/review`` showed a member and is waiting for an answer to."""

    member_id: int
    chat_key: str
    question_id: str
    item: int
    shown_at: float


class ReviewStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def member(self, user_key: str) -> int | None:
        row = await self.store.fetchone("SELECT id FROM review_members WHERE user_key = ?", (user_key,))
        return int(row["id"]) if row else None

    async def next_due(self, member: int) -> tuple[str, float] | None:
        """(question id, due) of the member's earliest card: the most overdue one when any is due."""
        row = await self.store.fetchone(NEXT_DUE, (member,))
        return (row["question_id"], row["due"]) if row else None

    async def due_cards(self, member: int, until: float, limit: int) -> list[str]:
        rows = await self.store.fetchall(
            "SELECT question_id FROM review_cards WHERE member_id = ? AND due <= ? ORDER BY due LIMIT ?",
            (member, until, limit))
        return [r["question_id"] for r in rows]

    async def count_due(self, member: int, until: float) -> int:
        [row] = await self.store.fetchall(
            "SELECT COUNT(*) FROM review_cards WHERE member_id = ? AND due <= ?", (member, until))
        return int(row[0])

    async def count_due_for(self, user_key: str, until: float) -> int:
        """Cards of a member (by user key) due by ``until``; 0 for someone without cards."""
        [row] = await self.store.fetchall(
            "SELECT COUNT(*) FROM review_cards WHERE member_id = (SELECT id FROM review_members WHERE user_key = ?)"
            " AND due <= ?", (user_key, until))
        return int(row[0])

    async def by_state(self, member: int) -> dict[int, int]:
        rows = await self.store.fetchall(
            "SELECT state, COUNT(*) AS n FROM review_cards WHERE member_id = ? GROUP BY state", (member,))
        return {int(r["state"]): int(r["n"]) for r in rows}

    async def retention(self, member: int, since: float) -> tuple[int, int]:
        """(passed, reviews) among reviews of cards that were in the Review state (due reviews, as
        Anki's "true retention" counts them) since ``since``."""
        [row] = await self.store.fetchall(
            "SELECT COUNT(*) AS n, COALESCE(SUM(rating > 1), 0) AS passed FROM review_log"
            " WHERE member_id = ? AND reviewed_at >= ? AND state_before = 2", (member, since))
        return int(row["passed"]), int(row["n"])

    async def weakest_topic(self, user_key: str, topics: list[str]) -> str | None:
        """Of ``topics``, the one where the member's scores average lowest; the first of them when
        the member has no scores yet."""
        if not topics:
            return None
        marks = ",".join("?" * len(topics))
        row = await self.store.fetchone(
            f"SELECT topic FROM scores WHERE user_key = ? AND topic IN ({marks}) GROUP BY topic"
            " ORDER BY AVG(score), COUNT(*) DESC LIMIT 1", (user_key, *topics))
        return row["topic"] if row else topics[0]

    # -- the card being shown -------------------------------------------------------------------

    async def current(self, user_key: str) -> Current | None:
        row = await self.store.fetchone(
            "SELECT c.member_id, c.chat_key, c.question_id, c.item, c.shown_at FROM review_current c"
            " JOIN review_members m ON m.id = c.member_id WHERE m.user_key = ? AND c.question_id <> ''", (user_key,))
        return Current(row["member_id"], row["chat_key"], row["question_id"], row["item"], row["shown_at"]) \
            if row else None

    async def show(self, user_key: str, chat_key: str, question_id: str, now: float) -> Current:
        """Remember the card shown; its item number is one more than the last one's."""
        async with self.store.write() as db:
            member = await member_id(db, user_key)
            cur = await db.execute(
                "INSERT INTO review_current(member_id, chat_key, question_id, item, shown_at) VALUES (?, ?, ?, 1, ?)"
                " ON CONFLICT(member_id) DO UPDATE SET chat_key = excluded.chat_key,"
                " question_id = excluded.question_id, item = review_current.item + 1, shown_at = excluded.shown_at"
                " RETURNING item", (member, chat_key, question_id, now))
            row = await cur.fetchone()
        assert row is not None
        return Current(member, chat_key, question_id, int(row[0]), now)

    async def clear(self, member: int) -> bool:
        """Stop waiting for an answer; False when nothing was waiting."""
        async with self.store.write() as db:
            cur = await db.execute(
                "UPDATE review_current SET question_id = '' WHERE member_id = ? AND question_id <> ''", (member,))
            return cur.rowcount > 0

    async def drop_card(self, member: int, question_id: str) -> None:
        async with self.store.write() as db:
            await db.execute("DELETE FROM review_cards WHERE member_id = ? AND question_id = ?", (member, question_id))

    async def pending_private(self, user_key: str) -> bool:
        """Whether the member pressed *answer privately* for a round: their next private message
        answers that round, not the review."""
        return await self.store.fetchone("SELECT 1 FROM pending_private WHERE user_key = ?", (user_key,)) is not None

    # -- reminders ------------------------------------------------------------------------------

    async def reminder(self, user_key: str) -> sqlite3.Row | None:
        return await self.store.fetchone(
            "SELECT remind_time, remind_tz, remind_next FROM review_members WHERE user_key = ?", (user_key,))

    async def set_reminder(self, user_key: str, dm_chat: str | None, time: str | None, tz: str | None,
                           next_at: float | None) -> None:
        async with self.store.write() as db:
            member = await member_id(db, user_key)
            await db.execute(
                "UPDATE review_members SET dm_chat = COALESCE(?, dm_chat), remind_time = ?, remind_tz = ?,"
                " remind_next = ? WHERE id = ?", (dm_chat, time, tz, next_at, member))

    # -- deleting -------------------------------------------------------------------------------

    async def drop_removed(self, question_ids: Iterable[str], chunk: int = DROP_CHUNK) -> int:
        """Delete the cards (and a waiting /review card) of questions no longer in the bank; how
        many cards went. One pass over all cards, made after start-up: a short transaction per
        ``chunk`` members (a range of the primary key), so answers are written in between."""
        known = json.dumps(sorted(set(question_ids)))
        [(last,)] = await self.store.fetchall("SELECT COALESCE(MAX(id), 0) FROM review_members")
        count = 0
        for first in range(1, last + 1, chunk):
            async with self.store.write() as db:
                cur = await db.execute(
                    "DELETE FROM review_cards WHERE member_id >= ? AND member_id < ?"
                    " AND question_id NOT IN (SELECT value FROM json_each(?))", (first, first + chunk, known))
                count += cur.rowcount
        async with self.store.write() as db:
            await db.execute(
                "UPDATE review_current SET question_id = '' WHERE question_id <> ''"
                " AND question_id NOT IN (SELECT value FROM json_each(?))", (known,))
        return count


async def forget_member(db: aiosqlite.Connection, user_key: str) -> int:
    """Delete a member's cards, review log, waiting card and reminder (``/forget``, inside its
    transaction); returns how many cards went."""
    cur = await db.execute("SELECT id FROM review_members WHERE user_key = ?", (user_key,))
    row = await cur.fetchone()
    if row is None:
        return 0
    member = row[0]
    cur = await db.execute("DELETE FROM review_cards WHERE member_id = ?", (member,))
    count = cur.rowcount
    await db.execute("DELETE FROM review_log WHERE member_id = ?", (member,))
    await db.execute("DELETE FROM review_current WHERE member_id = ?", (member,))
    await db.execute("DELETE FROM review_members WHERE id = ?", (member,))
    return count
